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
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.label.writer.shards import fsync_dir
from emolab.provenance import package_versions, utc_now
from emolab.run_folder import RunFolder

VERSIONED = ("emolab", "pyarrow", "xllamacpp", "ray")


def fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def label_folder(out: Path) -> RunFolder:
    return RunFolder(out, packages=VERSIONED, holds="rows", settings_key="config",
                     retry_hint="use another --out folder, or rerun with the settings it was "
                                "started with")


def open_manifest(out: Path, config: dict[str, Any], *, corpus: str | Path) -> dict[str, Any]:
    """The folder's manifest, created with ``config`` if new; refused if ``config`` differs."""
    folder = label_folder(out)
    wanted = fingerprint(config)
    record = folder.manifest()
    if record:
        if record.get("fingerprint") != wanted:
            saved = record.get("config", {})
            # Every key counts here, a new one too: the fingerprint covers them all.
            every = {**dict.fromkeys(saved), **dict.fromkeys(config)}
            changed = folder.differences({k: config.get(k) for k in every},
                                         {k: saved.get(k) for k in every})
            raise EmolabError(f"{out} holds rows made with other settings "
                              f"({'; '.join(changed) or 'fingerprint differs'}); "
                              f"{folder.retry_hint}")
        return record
    record = {"fingerprint": wanted, "config": config, "corpus": str(corpus),
              "created_utc": utc_now(), "versions": package_versions(*VERSIONED), "sessions": []}
    folder.write_manifest(record)  # before the first shard: a killed run keeps its settings
    fsync_dir(out)
    return record


def record_session(out: Path, record: dict[str, Any], session: dict[str, Any]) -> None:
    record.setdefault("sessions", []).append({**session, "finished_utc": utc_now()})
    record["versions"] = package_versions(*VERSIONED)
    label_folder(out).write_manifest(record)
    fsync_dir(out)
