"""``OUT/manifest.json``: what a labelling run is (its configuration and fingerprint), and one
entry per session.

The fingerprint is a hash of every setting that decides what a row says: the tasks, the model,
the prompt version, sampling, constraint, the text / id columns and the output format. A rerun
into the same folder with another fingerprint is refused, naming the settings that differ;
settings that only change speed (engine, servers, concurrency, shard size) may change.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.label.writer.shards import fsync_dir
from emolab.provenance import package_versions, utc_now

MANIFEST = "manifest.json"


def fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def _versions() -> dict[str, str | None]:
    return package_versions("emolab", "pyarrow", "llama-cpp-python", "xllamacpp", "ray")


def write_atomic(path: Path, record: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def open_manifest(out: Path, config: dict[str, Any], *, corpus: str | Path) -> dict[str, Any]:
    """The folder's manifest, created with ``config`` if new; refused if ``config`` differs."""
    path = out / MANIFEST
    wanted = fingerprint(config)
    if path.is_file():
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise EmolabError(f"{path}: unreadable manifest ({err}); fix it or use another "
                              "--out folder") from None
        if record.get("fingerprint") != wanted:
            saved = record.get("config", {})
            changed = [f"{k}: {saved.get(k)!r} -> {config.get(k)!r}"
                       for k in sorted(set(saved) | set(config)) if saved.get(k) != config.get(k)]
            raise EmolabError(f"{out} holds rows made with other settings "
                              f"({'; '.join(changed) or 'fingerprint differs'}); use another "
                              "--out folder, or rerun with the settings it was started with")
        return record
    out.mkdir(parents=True, exist_ok=True)
    record = {"fingerprint": wanted, "config": config, "corpus": str(corpus),
              "created_utc": utc_now(), "versions": _versions(), "sessions": []}
    write_atomic(path, record)  # before the first shard: a killed run keeps its settings
    return record


def record_session(out: Path, record: dict[str, Any], session: dict[str, Any]) -> None:
    record.setdefault("sessions", []).append({**session, "finished_utc": utc_now()})
    record["versions"] = _versions()
    write_atomic(out / MANIFEST, record)


