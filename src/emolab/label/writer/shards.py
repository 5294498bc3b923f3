"""Shards that are either wholly in the output or not at all, and a log of the committed ones.

Commit protocol of one shard: write it under a temporary name (``data/.part-N.ext.tmp``),
fsync it, rename it atomically to ``data/part-N.ext``, fsync the folder, then append one line
to ``commits.jsonl`` and fsync that. Only a shard with its line in the log counts. Whatever a
kill leaves behind is undone on the next start: temporary files are deleted, a shard renamed
but never logged is deleted (its rows are labelled again and the shard written anew under the
same name), and a log line cut short is cut off. Shards hold consecutive input rows, so the
log says exactly how many input rows are done; ``first_id`` / ``last_id`` of each shard let a
resumed run check that it reads the same corpus.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError, EmolabError
from emolab.jsonl_log import AppendLog

COMMITS = "commits.jsonl"
DATA = "data"
OUTPUT_FORMATS = ("parquet", "jsonl")


def _commit_key(record: dict[str, Any]) -> str:
    missing = {"shard", "start", "rows"} - set(record)
    if missing:  # reported by AppendLog with the file and line
        raise KeyError(f"not a commit record (no {', '.join(sorted(missing))}); the output "
                       "folder was changed by hand")
    return str(record["shard"])


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ShardStore:
    def __init__(self, out: str | Path, *, fmt: str = "parquet",
                 schema: Callable[[], Any] | None = None) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise EmolabError(f"output format must be one of {OUTPUT_FORMATS}, not {fmt!r}")
        self.out, self.fmt, self.schema = Path(out), fmt, schema
        self.data = self.out / DATA
        self.log_path = self.out / COMMITS
        self.commits: list[dict[str, Any]] = []
        self.data.mkdir(parents=True, exist_ok=True)
        self._read_log()
        self._clean()

    @property
    def rows_done(self) -> int:
        return sum(c["rows"] for c in self.commits)

    def shard_paths(self) -> list[Path]:
        return [self.out / c["shard"] for c in self.commits]

    def _read_log(self) -> None:
        """The committed shards; a record cut short by a kill is dropped (that shard never
        counted) and a record that cannot be a kill's is reported with its line."""
        self._log = AppendLog(self.log_path, key=_commit_key, unique=True)
        for number, commit in enumerate(self._log.rows, start=1):
            if commit["start"] != self.rows_done:
                raise DataFormatError(self.log_path, f"commit starts at row {commit['start']}, "
                                      f"expected {self.rows_done}", line=number)
            self.commits.append(commit)

    def _clean(self) -> None:
        """Remove what a killed run left: temporary files and shards never logged."""
        committed = {Path(c["shard"]).name for c in self.commits}
        for path in self.data.iterdir():
            if path.name.endswith(".tmp") or (path.name.startswith("part-")
                                              and path.name not in committed):
                path.unlink()
        for name in committed:
            if not (self.data / name).is_file():
                raise EmolabError(f"{self.data / name} is logged in {self.log_path} but missing;"
                                  " the output folder was changed by hand")

    def commit(self, rows: list[dict[str, Any]], *, extra: dict[str, Any] | None = None) -> Path:
        """Make ``rows`` (the next input rows, in order) durable as one shard; return its path."""
        if not rows:
            raise ValueError("a shard needs at least one row")
        name = f"part-{len(self.commits):05d}.{self.fmt}"
        final, tmp = self.data / name, self.data / f".{name}.tmp"
        if self.fmt == "parquet":
            self._write_parquet(tmp, rows)
        else:
            self._write_jsonl(tmp, rows)
        os.replace(tmp, final)
        fsync_dir(self.data)
        record = {"shard": f"{DATA}/{name}", "start": self.rows_done, "rows": len(rows),
                  "first_id": rows[0]["id"], "last_id": rows[-1]["id"],
                  "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **(extra or {})}
        self._log.append(record)
        self._log.close()  # a commit a minute at most: no handle is kept between them
        self.commits.append(record)
        return final

    def _write_parquet(self, path: Path, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(rows, schema=self.schema() if self.schema else None)
        with path.open("wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())

    def _write_jsonl(self, path: Path, rows: list[dict[str, Any]]) -> None:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
