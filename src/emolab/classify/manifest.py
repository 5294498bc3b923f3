"""``<predictions>.manifest.json`` beside a predictions file: what produced it, on which data.

Each run (the first and every resume) adds one session with its timings, so a file assembled
over several restarts still says how it was made.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from emolab.data.records import Example


def manifest_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".manifest.json")


def data_checksum(examples: list[Example]) -> str:
    """sha256 over ids and texts, in order: changes if the input rows change."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.id.encode() + b"\x00" + example.text.encode() + b"\x00")
    return digest.hexdigest()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def record_session(out: str | Path, *, classifier: Any, examples: list[Example], dataset: str,
                   split: str, written: int, seconds: float) -> Path:
    path = manifest_path(out)
    manifest: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    manifest.setdefault("predictions", Path(out).name)
    manifest["config"] = {**classifier.run_info(dataset),
                          "split": split, "label_set": classifier.label_set.name,
                          "sampling": asdict(classifier.params),
                          "schema": classifier.schema}
    manifest["data"] = {"rows": len(examples), "sha256": data_checksum(examples)}
    manifest["versions"] = {name: _version(name) for name in
                            ("emolab", "llama-cpp-python", "transformers", "openai")}
    manifest["versions"]["python"] = platform.python_version()
    manifest.setdefault("sessions", []).append({
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows_written": written, "seconds": round(seconds, 2)})
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return path
