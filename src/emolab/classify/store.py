"""An append-only predictions JSONL file that a run can resume.

Each row is written whole, then flushed and synced, so a killed run loses at most the row it
was writing. On restart the ids already in the file are skipped; a last line cut short by the
kill is removed (its example is classified again), while a broken line anywhere else means the
file was damaged by something other than a kill and is reported, not silently dropped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError, EmolabError

# Keys that must agree between the rows already in a file and the run appending to it.
RUN_KEYS = ("dataset", "model", "backend", "prompt_version", "constrained")


class PredictionsFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.done: set[str] = set()
        self.first_row: dict[str, Any] | None = None
        self._handle = None
        if self.path.exists():
            self._scan()

    def _scan(self) -> None:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        good_end = 0  # byte offset after the last complete, valid row
        for number, line in enumerate(lines, start=1):
            last = number == len(lines)
            if not line.strip():
                good_end += len(line) + (0 if last else 1)
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or "id" not in row:
                    raise ValueError("not a row with an id")
            except ValueError as err:
                if last:  # the tail of a killed write: drop it, redo that example
                    break
                raise DataFormatError(self.path, f"unreadable row ({err}); fix or remove it",
                                      line=number) from None
            self.done.add(str(row["id"]))
            self.first_row = self.first_row or row
            good_end += len(line) + 1  # counts the newline, even one the kill did not write
        if good_end < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)
        elif good_end > len(data):  # a whole row whose newline was never written
            with self.path.open("ab") as handle:
                handle.write(b"\n")

    def check_compatible(self, run: dict[str, Any]) -> None:
        """Refuse to mix rows of another model / prompt / data set into one file."""
        if self.first_row is None:
            return
        for key in RUN_KEYS:
            if key in run and self.first_row.get(key) != run[key]:
                raise EmolabError(
                    f"{self.path} holds predictions with {key}={self.first_row.get(key)!r}, "
                    f"this run has {key}={run[key]!r}; write to another --out file"
                )

    def append(self, row: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.done.add(str(row["id"]))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> PredictionsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
