"""An append-only predictions JSONL file that a run can resume.

The file is an ``AppendLog`` keyed by the example id (see ``emolab.jsonl_log`` for why a kill
loses at most one row and how a torn last line is handled): a rerun skips the ids already
there. The first row also records which model, prompt and data set made the file, so a rerun
with other settings is refused instead of mixing two runs' predictions in one file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.jsonl_log import AppendLog

# Keys that must agree between the rows already in a file and the run appending to it.
RUN_KEYS = ("dataset", "model", "backend", "prompt_version", "constrained", "readout")
# What a row written before a key existed meant by leaving it out.
RUN_KEY_DEFAULTS = {"readout": False}


def _row_id(row: dict[str, Any]) -> str:
    return str(row["id"])


class PredictionsFile:
    def __init__(self, path: str | Path) -> None:
        self._log = AppendLog(path, key=_row_id, keep_rows=False)  # files can be large
        self.path = self._log.path
        self.done: set[str] = self._log.keys  # grows as rows are appended
        self.first_row: dict[str, Any] | None = self._log.first

    def check_compatible(self, run: dict[str, Any]) -> None:
        """Refuse to mix rows of another model / prompt / data set into one file."""
        if self.first_row is None:
            return
        for key in RUN_KEYS:
            held = self.first_row.get(key, RUN_KEY_DEFAULTS.get(key))
            if key in run and held != run[key]:
                raise EmolabError(
                    f"{self.path} holds predictions with {key}={held!r}, "
                    f"this run has {key}={run[key]!r}; write to another --out file"
                )

    def append(self, row: dict[str, Any]) -> None:
        self._log.append(row)

    def close(self) -> None:
        self._log.close()

    def __enter__(self) -> PredictionsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
