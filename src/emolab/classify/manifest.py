"""What produced a predictions file, on which data: ``<predictions>.manifest.json`` beside an
``--out`` file, or ``manifest.json`` in a run folder (``emolab classify --run NAME``).

Each run (the first and every resume) adds one session with its timings, so a file assembled
over several restarts still says how it was made.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emolab.data.records import Example
from emolab.provenance import package_versions, utc_now


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
                   split: str, written: int, seconds: float,
                   manifest: str | Path | None = None, settings: dict[str, Any] | None = None,
                   split_examples: list[Example] | None = None, already: int | None = None,
                   started_utc: str | None = None) -> Path:
    """Add this session to the manifest (``<out stem>.manifest.json``, or ``manifest``).

    ``settings``: the resolved ``ClassifyConfig`` (a run folder's ``config.yaml``); the settings
    a rerun may change (limit, threads, ...) are also kept per session. ``split_examples``: the
    whole split, whose checksum stays the same when ``--limit`` changes between sessions.
    """
    path = Path(manifest) if manifest is not None else manifest_path(out)
    record: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    record.setdefault("predictions", Path(out).name)
    record["config"] = {**classifier.run_info(dataset),
                        "split": split, "task": classifier.task.name,
                        **_label_set_of(classifier),
                        "sampling": asdict(classifier.params),
                        "schema": classifier.schema}
    if settings is not None:
        record["settings"] = settings
    record["seed"] = classifier.params.seed
    record["data"] = {"rows": len(examples), "sha256": data_checksum(examples)}
    if split_examples is not None:
        record["data"].update(split_rows=len(split_examples),
                              split_sha256=data_checksum(split_examples))
    record["versions"] = package_versions("emolab", "llama-cpp-python", "transformers", "openai")
    session: dict[str, Any] = {}
    if started_utc is not None:
        session["started_utc"] = started_utc
    session.update(finished_utc=utc_now(), rows_written=written, seconds=round(seconds, 2))
    if already is not None:
        session["rows_already"] = already
    if settings is not None:
        from emolab.classify.config import HARMLESS

        session["settings"] = {k: v for k, v in settings.items() if k in HARMLESS}
    record.setdefault("sessions", []).append(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    return path


def _label_set_of(classifier: Any) -> dict[str, str]:
    label_set = getattr(classifier.task, "label_set", None)
    return {} if label_set is None else {"label_set": label_set.name}


