"""What produced a predictions file, on which data: ``<predictions>.manifest.json`` beside an
``--out`` file, or ``manifest.json`` in a run folder (``emolab classify --run NAME``).

Each run (the first and every resume) adds one session with its timings, so a file assembled
over several restarts still says how it was made.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emolab.data.records import Example
from emolab.run_folder import RunFolder

# Whose versions a classify manifest records.
VERSIONED = ("emolab", "xllamacpp", "transformers", "openai")


def manifest_path(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.stem + ".manifest.json")


def data_checksum(examples: list[Example]) -> str:
    """sha256 over ids and texts, in order: changes if the input rows change."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.id.encode() + b"\x00" + example.text.encode() + b"\x00")
    return digest.hexdigest()


def record_session(out: str | Path, *, classifier: Any, examples: list[Example], dataset: str,
                   split: str, written: int, seconds: float, folder: RunFolder | None = None,
                   settings: dict[str, Any] | None = None,
                   split_examples: list[Example] | None = None, already: int | None = None,
                   started_utc: str | None = None) -> Path:
    """Add this session to the manifest: ``<out stem>.manifest.json`` beside an ``--out``
    file, or the run folder's ``manifest.json``.

    ``settings``: the resolved ``ClassifyConfig`` (a run folder's ``config.yaml``); the settings
    a rerun may change (limit, threads, ...) are also kept per session. ``split_examples``: the
    whole split, whose checksum stays the same when ``--limit`` changes between sessions.
    """
    if folder is None:
        out = Path(out)
        folder = RunFolder(out.parent, packages=VERSIONED, manifest_name=manifest_path(out).name)
    record = folder.manifest()
    data = {"rows": len(examples), "sha256": data_checksum(examples)}
    if split_examples is not None:
        data.update(split_rows=len(split_examples), split_sha256=data_checksum(split_examples))
    fields: dict[str, Any] = {
        "predictions": record.get("predictions", Path(out).name),
        "config": {**classifier.run_info(dataset), "split": split, "task": classifier.task.name,
                   **_label_set_of(classifier), "sampling": asdict(classifier.params),
                   "schema": classifier.schema},
        "seed": classifier.params.seed, "data": data}
    if settings is not None:
        fields["settings"] = settings
    session: dict[str, Any] = {} if started_utc is None else {"started_utc": started_utc}
    session.update(rows_written=written, seconds=round(seconds, 2))
    if already is not None:
        session["rows_already"] = already
    if settings is not None:
        session["settings"] = {k: v for k, v in settings.items() if k in folder.harmless}
    return folder.record_session(session, **fields)


def _label_set_of(classifier: Any) -> dict[str, str]:
    label_set = getattr(classifier.task, "label_set", None)
    return {} if label_set is None else {"label_set": label_set.name}
