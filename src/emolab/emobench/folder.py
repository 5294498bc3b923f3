"""A run folder: ``config.yaml`` (the settings), ``items.jsonl`` (the questions, so scoring
needs no data folder), ``answers.jsonl`` (every raw answer) and ``manifest.json`` (model,
versions, data checksum, one entry per session)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from emolab.emobench.config import EmoBenchConfig, conflicts
from emolab.emobench.items import Item, load_items, read_items
from emolab.emobench.runner import ANSWERS, read_rows
from emolab.errors import EmolabError
from emolab.provenance import package_versions
from emolab.settings import read_saved

CONFIG, ITEMS, MANIFEST = "config.yaml", "items.jsonl", "manifest.json"


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


def prepare(cfg: EmoBenchConfig, folder: Path) -> list[Item]:
    """Check a rerun against what the folder holds; write the settings and the items."""
    items = select_items(cfg)
    text = _items_text(items)
    if read_rows(folder / ANSWERS):
        saved = read_saved(folder / CONFIG)
        changed = conflicts(saved, cfg) if saved is not None else []
        if changed:
            raise EmolabError(f"{folder} holds answers made with other settings "
                              f"({'; '.join(changed)}); use another --out, or resume with "
                              f"--config {folder / CONFIG}")
        old = folder / ITEMS
        if old.is_file() and old.read_text(encoding="utf-8") != text:
            raise EmolabError(f"the items differ from those {folder} was started on; use "
                              "another --out")
    folder.mkdir(parents=True, exist_ok=True)
    cfg.write_yaml(folder / CONFIG)
    (folder / ITEMS).write_text(text, encoding="utf-8")
    return items


def record_session(folder: Path, *, cfg: EmoBenchConfig, backend: Any, structured: bool,
                   session: dict[str, Any]) -> Path:
    path = folder / MANIFEST
    record: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    record.update(
        settings=cfg.to_dict(), backend=backend.name, model=backend.model_id,
        constrained=structured, seed=cfg.seed,
        items={"file": ITEMS, "sha256": hashlib.sha256(
            (folder / ITEMS).read_bytes()).hexdigest()},
        versions=package_versions("emolab", "llama-cpp-python", "transformers"))
    record.setdefault("sessions", []).append(session)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
