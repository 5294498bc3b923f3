"""An append-only JSON Lines file that a killed run can resume from.

Every long run (predictions, EmoBench answers, reasoning dialogues) writes its results as one
JSON object per line, each line written whole and then flushed and fsynced, so a kill costs at
most the row being written. When the file is opened again:

- a last line without its newline that does not parse is what the kill cut short: it is removed
  and its row is simply done again;
- a last row that parses but lost only its newline is kept, and the newline is added, so the
  next row starts on a line of its own;
- an unreadable line anywhere else cannot come from a kill (later lines were written after it),
  so it is reported with its file and line instead of being dropped silently.

Rows are told apart by a key (an id, a (task, item, order) triple, ...), so a rerun can skip what
is done. Readers that must not change a file another process may still be writing use
``read_log``, which skips a torn tail without cutting it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import IO, Any

from emolab.errors import DataFormatError, EmolabError

Row = dict[str, Any]
Key = Callable[[Row], Hashable]


def _scan(path: Path, key: Key, *, unique: bool, keep: bool = True
          ) -> tuple[list[Row], Row | None, set[Hashable], int, int]:
    """The rows of ``path`` (only if ``keep``), its first row, the keys, the file's size and
    where its last whole row ends (counting that row's newline even when it is missing, so
    ``end == size + 1`` then)."""
    data = path.read_bytes() if path.is_file() else b""
    lines = data.split(b"\n")  # the last piece is b"" when the file ends with a newline
    rows: list[Row] = []
    first: Row | None = None
    first_line: dict[Hashable, int] = {}
    end = 0
    for number, line in enumerate(lines, start=1):
        last = number == len(lines)
        if not line.strip():
            end += len(line) + (0 if last else 1)
            continue
        try:
            row = json.loads(line)
        except ValueError as err:  # UnicodeDecodeError included: a kill can split a character
            if last:  # the tail of a killed write: dropped, its row is done again
                break
            raise DataFormatError(path, f"unreadable row (not JSON: {err}); fix or remove it",
                                  line=number) from None
        # A line that parses was written whole, even the last one: its faults are not a kill's.
        if not isinstance(row, dict):
            raise DataFormatError(path, f"unreadable row (a JSON {type(row).__name__}, not an "
                                  "object); fix or remove it", line=number)
        try:
            row_key = key(row)
        except (KeyError, TypeError, ValueError) as err:
            raise DataFormatError(path, f"unreadable row (no usable key: {err!r}); fix or "
                                  "remove it", line=number) from None
        if unique and row_key in first_line:
            raise DataFormatError(path, f"key {row_key!r} is recorded twice (first on line "
                                  f"{first_line[row_key]})", line=number)
        first_line.setdefault(row_key, number)
        if first is None:
            first = row
        if keep:
            rows.append(row)
        end += len(line) + 1
    return rows, first, set(first_line), len(data), end


def read_log(path: str | Path, *, key: Key) -> list[Row]:
    """The rows of a log, without changing the file (a torn last line is skipped)."""
    return _scan(Path(path), key, unique=False)[0]


class AppendLog:
    """The ``rows`` of ``path``, its ``first`` row and the ``keys`` done; ``append`` adds one row
    durably (to the file, ``rows`` and ``keys``).

    ``unique``: a key may appear once (a second one in the file or appended is an error).
    ``keep_rows=False`` keeps only the keys and the first row, for files too big to hold.
    The file is opened for writing at the first ``append`` and closed by ``close`` or at the
    end of a ``with`` block; appending again after that reopens it.
    """

    def __init__(self, path: str | Path, *, key: Key, unique: bool = False,
                 keep_rows: bool = True) -> None:
        self.path = Path(path)
        self.key, self.unique, self.keep_rows = key, unique, keep_rows
        self.rows, self.first, self.keys, size, end = _scan(self.path, key, unique=unique,
                                                            keep=keep_rows)
        if end != size:  # repaired before anything is appended, and durably so
            with self.path.open("r+b") as handle:
                if end < size:
                    handle.truncate(end)
                else:
                    handle.seek(0, os.SEEK_END)
                    handle.write(b"\n")
                handle.flush()
                os.fsync(handle.fileno())
        self._handle: IO[str] | None = None

    def append(self, row: Row) -> None:
        row_key = self.key(row)
        if self.unique and row_key in self.keys:
            raise EmolabError(f"a row with key {row_key!r} is already in {self.path}")
        line = json.dumps(row, ensure_ascii=False) + "\n"
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(line)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        if self.keep_rows:
            self.rows.append(row)
        if self.first is None:
            self.first = row
        self.keys.add(row_key)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> AppendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
