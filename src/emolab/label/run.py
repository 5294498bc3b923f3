"""A labelling run: corpus in (streamed), rows through an engine, committed shards out.

``open_run`` settles the output folder before any model is loaded (a rerun with other settings
is refused at once); ``label_corpus`` skips the input rows already committed (checking, shard by
shard, that the corpus still has the same ids there), answers the rest in input order and
commits a shard every ``shard_rows`` rows or ``commit_seconds`` seconds. On an error or Ctrl-C
the rows finished so far are committed before the error goes on, so little is redone.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.label.engines.base import Engine, ordered_rows
from emolab.label.manifest import open_manifest, record_session
from emolab.label.readers import Record
from emolab.label.rows import arrow_schema, tally
from emolab.label.tasks import RunTask
from emolab.label.writer.shards import ShardStore
from emolab.provenance import utc_now


@dataclass
class LabelRun:
    out: Path
    manifest: dict[str, Any]
    store: ShardStore
    tasks: list[RunTask]


@dataclass
class Summary:
    out: Path
    rows_before: int = 0  # rows committed by earlier sessions
    written: int = 0  # rows committed by this session
    ok: int = 0  # rows of this session with every task answered
    failed: Counter = field(default_factory=Counter)  # this session's failures by kind
    seconds: float = 0.0
    shards: int = 0  # shards in the folder after this session
    events: dict[str, int] = field(default_factory=dict)  # engine events (servers down, ...)

    @property
    def rows_total(self) -> int:
        return self.rows_before + self.written

    def as_dict(self) -> dict[str, Any]:
        return {"rows_before": self.rows_before, "rows_written": self.written, "ok": self.ok,
                "failed": dict(self.failed), "seconds": round(self.seconds, 2),
                "texts_per_s": round(self.written / self.seconds, 3) if self.seconds else None,
                "shards": self.shards, "events": self.events}


def open_run(out: str | Path, config: dict[str, Any], tasks: list[RunTask], *,
             corpus: str | Path, output_format: str = "parquet") -> LabelRun:
    """Create or reopen ``out``; refuse it if it holds rows made with another ``config``."""
    out = Path(out)
    manifest = open_manifest(out, config, corpus=corpus)
    manifest["tasks"] = [task.describe() for task in tasks]  # columns and answer kinds
    metadata = {"emolab.fingerprint": manifest["fingerprint"]}
    store = ShardStore(out, fmt=output_format, schema=lambda: arrow_schema(tasks, metadata))
    return LabelRun(out, manifest, store, tasks)


def skip_committed(records: Iterable[Record], store: ShardStore) -> Iterator[Record]:
    """The records after those already committed; the ids at each shard's ends must match."""
    source = iter(records)
    position = 0
    for commit in store.commits:
        for offset in range(commit["rows"]):
            record = next(source, None)
            if record is None:
                raise EmolabError(f"the corpus has only {position} rows, but {store.out} already "
                                  f"holds {store.rows_done}: it is not the corpus this run was "
                                  "started on; use another --out folder")
            expected = (commit["first_id"] if offset == 0 else
                        commit["last_id"] if offset == commit["rows"] - 1 else None)
            if expected is not None and record.id != expected:
                raise EmolabError(f"row {position + 1} of the corpus has id {record.id!r}, but "
                                  f"{commit['shard']} holds {expected!r} there: the corpus "
                                  "changed since this run started; use another --out folder")
            position += 1
    yield from source


def label_corpus(run: LabelRun, records: Iterable[Record], engine: Engine, *,
                 shard_rows: int = 1000, commit_seconds: float = 60.0,
                 limit: int | None = None,
                 on_row: Callable[[dict[str, Any]], None] | None = None,
                 session: dict[str, Any] | None = None) -> Summary:
    """Label every record not committed yet; return what this session did."""
    if shard_rows < 1 or commit_seconds <= 0:
        raise EmolabError("shard_rows must be at least 1 and commit_seconds above 0")
    store, tasks = run.store, run.tasks
    summary = Summary(run.out, rows_before=store.rows_done)
    todo = skip_committed(records, store)
    if limit is not None:
        todo = _first(todo, max(0, limit - store.rows_done))
    started, started_utc = time.perf_counter(), utc_now()
    pending: list[dict[str, Any]] = []
    last_commit = time.monotonic()

    def commit() -> None:
        nonlocal pending, last_commit
        if pending:
            ok, failed = tally(pending, tasks)
            store.commit(pending, extra={"ok": ok, "failed": dict(failed)})
            summary.written += len(pending)
            summary.ok += ok
            summary.failed.update(failed)
            pending = []
        last_commit = time.monotonic()

    stopped_by: str | None = None
    try:
        for row in ordered_rows(engine, todo):
            pending.append(row)
            if on_row is not None:
                on_row(row)
            if len(pending) >= shard_rows or time.monotonic() - last_commit >= commit_seconds:
                commit()
    except BaseException as err:
        stopped_by = f"{type(err).__name__}: {err}"
        raise
    finally:  # also on Ctrl-C or a failed engine: keep what is finished
        commit()
        summary.seconds = time.perf_counter() - started
        summary.shards = len(store.commits)
        summary.events = dict(getattr(engine, "events", {}) or {})
        record_session(run.out, run.manifest, {"started_utc": started_utc, **(session or {}),
                                               **summary.as_dict(), "stopped_by": stopped_by})
    return summary


def folder_totals(store: ShardStore) -> tuple[int, int, Counter]:
    """Rows, fully answered rows and failures by kind over every committed shard."""
    failed: Counter = Counter()
    for commit in store.commits:
        failed.update(commit.get("failed", {}))
    return store.rows_done, sum(c.get("ok", 0) for c in store.commits), failed


def _first(records: Iterator[Record], n: int) -> Iterator[Record]:
    for index, record in enumerate(records):
        if index >= n:
            return
        yield record
