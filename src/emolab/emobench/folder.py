"""A run folder: ``config.yaml`` (the settings), ``items.jsonl`` (the questions, so scoring
needs no data folder), ``answers.jsonl`` (every raw answer) and ``manifest.json`` (model,
versions, data checksum, one entry per session)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from emolab.emobench.config import HARMLESS, EmoBenchConfig
from emolab.emobench.items import Item, load_items, read_items
from emolab.emobench.runner import ANSWERS, read_rows
from emolab.errors import EmolabError
from emolab.run_folder import CONFIG, MANIFEST, RunFolder

ITEMS = "items.jsonl"
VERSIONED = ("emolab", "xllamacpp", "transformers")
__all__ = ["CONFIG", "ITEMS", "MANIFEST", "prepare", "record_session"]


def select_items(cfg: EmoBenchConfig) -> list[Item]:
    """The items of a run, before ``--limit``: from ``cfg.items`` or the shipped data."""
    if cfg.items:
        chosen = [i for i in read_items(cfg.items)
                  if i.task in cfg.tasks and cfg.lang in ("all", i.language)]
        if not chosen:
            raise EmolabError(f"{cfg.items}: no {'/'.join(cfg.tasks)} items in language "
                              f"{cfg.lang!r}")
        return chosen
    return [item for task in cfg.tasks
            for item in load_items(task, cfg.lang, data_dir=cfg.data_dir)]


def limited(items: list[Item], limit: int | None) -> list[Item]:
    """The first ``limit`` items of each task."""
    if limit is None:
        return items
    kept, seen = [], dict.fromkeys(("EU", "EA"), 0)
    for item in items:
        if seen[item.task] < limit:
            kept.append(item)
            seen[item.task] += 1
    return kept


def _items_text(items: list[Item]) -> str:
    return "".join(json.dumps(i.to_dict(), ensure_ascii=False) + "\n" for i in items)


def emobench_folder(folder: Path) -> RunFolder:
    return RunFolder(folder, harmless=HARMLESS, packages=VERSIONED, holds="answers",
                     settings_file=CONFIG)


def prepare(cfg: EmoBenchConfig, folder: Path) -> list[Item]:
    """Check a rerun against what the folder holds; write the settings and the items."""
    items = select_items(cfg)
    text = _items_text(items)
    run = emobench_folder(folder)
    if read_rows(folder / ANSWERS):
        run.refuse_other_settings(cfg.to_dict(),
                                  ignore=() if cfg.backend == "openai" else ("base_url",),
                                  hint=f"use another --out, or resume with --config "
                                       f"{run.settings_path}")
        old = folder / ITEMS
        if old.is_file() and old.read_text(encoding="utf-8") != text:
            raise EmolabError(f"the items differ from those {folder} was started on; use "
                              "another --out")
    run.keep_settings(cfg)
    (folder / ITEMS).write_text(text, encoding="utf-8")
    return items


def record_session(folder: Path, *, cfg: EmoBenchConfig, backend: Any, structured: bool,
                   session: dict[str, Any]) -> Path:
    items = hashlib.sha256((folder / ITEMS).read_bytes()).hexdigest()
    return emobench_folder(folder).record_session(
        session, settings=cfg.to_dict(), backend=backend.name, model=backend.model_id,
        constrained=structured, seed=cfg.seed, items={"file": ITEMS, "sha256": items})
