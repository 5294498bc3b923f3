"""``<run>/manifest.json``: what produced a run folder, on which data, on what, and how long.

A resumed run keeps the first session and appends its own, so a run assembled over several
restarts still says how it was made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emolab.provenance import package_versions
from emolab.run_folder import CONFIG, RunFolder

PACKAGES = ("emolab", "torch", "transformers", "trl", "peft", "accelerate", "datasets",
            "bitsandbytes")
# Settings a resumed run may change: how long, how often it checkpoints or logs, how fast.
HARMLESS = frozenset({"resume", "max_steps", "eval_steps", "save_steps", "save_total_limit",
                      "logging_steps", "merge", "threads", "progress", "out"})


def versions() -> dict[str, str | None]:
    return package_versions(*PACKAGES)


def now() -> datetime:
    return datetime.now(UTC)


def train_folder(out: Path) -> RunFolder:
    return RunFolder(out, harmless=HARMLESS, packages=PACKAGES, holds="a training run",
                     settings_file=CONFIG,
                     retry_hint="use another --out, or resume with the settings it was "
                                "started with (--config <out>/config.yaml)")


def refuse_other_settings(out: Path, settings: dict[str, Any]) -> None:
    """A resumed run must train on the same rows with the same recipe as its checkpoints."""
    train_folder(out).refuse_other_settings(settings)


def write_manifest(out: Path, *, config: dict[str, Any], data: dict[str, Any],
                   hardware: dict[str, Any], session: dict[str, Any]) -> Path:
    return train_folder(out).record_session(session, config=config, data=data,
                                            hardware=hardware, seed=config["seed"])
