"""``<run>/manifest.json``: what produced a run folder, on which data, on what, and how long.

A resumed run keeps the first session and appends its own, so a run assembled over several
restarts still says how it was made.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emolab.provenance import package_versions

PACKAGES = ("emolab", "torch", "transformers", "trl", "peft", "accelerate", "datasets",
            "bitsandbytes")


def versions() -> dict[str, str | None]:
    return package_versions(*PACKAGES)


def now() -> datetime:
    return datetime.now(UTC)


def write_manifest(out: Path, *, config: dict[str, Any], data: dict[str, Any],
                   hardware: dict[str, Any], session: dict[str, Any]) -> Path:
    path = out / "manifest.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    manifest = {
        "config": config,
        "data": data,
        "hardware": hardware,
        "seed": config["seed"],
        "versions": versions(),
        "sessions": [*previous.get("sessions", []), session],
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return path
