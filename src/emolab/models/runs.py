"""Which base GGUF a training run started from, read from what the run recorded."""

from __future__ import annotations

import json
from pathlib import Path

from emolab.models.embedded import default_gguf


def find_template(source: Path, _depth: int = 0) -> Path | None:
    """The base model's GGUF for ``source``, when it can be told; else None.

    A run records what it was trained from (``manifest.json`` config ``model`` and
    ``base_model_folder``); a folder that emolab converted from a GGUF records that file in
    ``emolab-converted.json``.
    """
    source = Path(source)
    manifest = source / "manifest.json"
    folders = [source, source / "merged"]
    if manifest.is_file():
        config = json.loads(manifest.read_text()).get("config", {})
        model = str(config.get("model") or "")
        if model == "default":
            return default_gguf()
        if model.endswith(".gguf") and Path(model).expanduser().is_file():
            return Path(model).expanduser()
        base_run = Path(model).expanduser()
        if _depth < 5 and model and (base_run / "manifest.json").is_file():
            return find_template(base_run, _depth + 1)  # trained on top of an earlier run
        if config.get("base_model_folder"):
            folders.append(Path(config["base_model_folder"]))
    for folder in folders:
        record = folder / "emolab-converted.json"
        if record.is_file():
            converted = Path(json.loads(record.read_text()).get("source", ""))
            if converted.suffix == ".gguf" and converted.is_file():
                return converted
    return None
