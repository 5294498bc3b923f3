"""A run folder: ``dialogues.jsonl`` (one record per finished dialogue, with its kept and
rejected items) and ``manifest.json`` (settings, model, sessions).

The record of a dialogue is one line, appended and fsynced when the dialogue is done: that is
the checkpoint. A kill loses at most the dialogue in flight; a line cut short by the kill is
removed when the folder is opened again (``emolab.jsonl_log``). Each dialogue index is recorded
once (the log refuses a second), and item ids are derived from it, so a rerun neither
duplicates an item nor reuses an id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.jsonl_log import AppendLog
from emolab.run_folder import MANIFEST, RunFolder

DIALOGUES = "dialogues.jsonl"
VERSIONED = ("emolab", "xllamacpp", "rapidfuzz", "openai")
__all__ = ["DIALOGUES", "MANIFEST", "RunStore"]


def _dialogue(record: dict[str, Any]) -> int:
    return record["index"]


class RunStore:
    def __init__(self, folder: str | Path, *, create: bool = False) -> None:
        self.folder = Path(folder)
        if not (self.folder / DIALOGUES).exists() and not create:
            raise EmolabError(f"{self.folder}: not a reasoning run folder (no {DIALOGUES})")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / DIALOGUES
        self._log = AppendLog(self.path, key=_dialogue, unique=True)
        self.records: list[dict[str, Any]] = self._log.rows  # grows as dialogues are appended
        self.done: set[int] = self._log.keys

    def append(self, record: dict[str, Any]) -> None:
        with self._log:  # closed after each dialogue: callers of a RunStore never close it
            self._log.append(record)

    def items(self) -> list[dict[str, Any]]:
        """Every kept item, in dialogue order."""
        return [item for r in sorted(self.records, key=lambda r: r["index"])
                for item in r.get("items", [])]

    # --- manifest ------------------------------------------------------------------------

    def run_folder(self, harmless: frozenset[str] = frozenset()) -> RunFolder:
        return RunFolder(self.folder, harmless=harmless, packages=VERSIONED,
                         holds="items generated", settings_key="settings")

    def manifest(self) -> dict[str, Any]:
        return self.run_folder().manifest()

    def check_settings(self, settings: dict[str, Any], harmless: frozenset[str]) -> None:
        """Refuse a rerun whose settings would change what the items say."""
        self.run_folder(harmless).refuse_other_settings(settings)

    def write_manifest(self, *, settings: dict[str, Any], model: str, session: dict[str, Any],
                       report: dict[str, Any]) -> None:
        self.run_folder().record_session(session, settings=settings, model=model, report=report)
