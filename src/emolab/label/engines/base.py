"""What every engine does: ``submit(record) -> Future`` of its output row; rows come back in
input order through ``ordered_rows``, with a bounded number of records read ahead."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import Any

from emolab.classify.prompts import clean_text
from emolab.label.answer import Answerer
from emolab.label.readers import EMPTY, Record
from emolab.label.rows import make_row
from emolab.label.tasks import RunTask


class Engine(ABC):
    """Answers records; ``window`` is how many may be in flight or waiting to be written."""

    window: int = 1

    @abstractmethod
    def submit(self, record: Record) -> Future:
        """A future of the record's row (``dict``)."""

    def close(self) -> None:
        """Stop workers and release connections."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def answer_record(answerer: Answerer, record: Record,
                  tasks: list[RunTask]) -> tuple[dict[str, Any], int]:
    """The row of one record and how many of its requests failed (a read error asks nothing)."""
    return answer_records(answerer, [record], tasks)[0]


def answer_records(answerer: Answerer, records: list[Record],
                   tasks: list[RunTask]) -> list[tuple[dict[str, Any], int]]:
    """``answer_record`` for several records, their texts answered together (one batch per
    task on a backend that decodes several at once)."""
    records = [Record(r.id, r.text, r.line, f"{EMPTY}: line {r.line}: only control characters")
               if r.error is None and not clean_text(r.text) else r for r in records]
    asked = [i for i, r in enumerate(records) if r.error is None]
    answers = dict(zip(asked, answerer.answer_many([records[i].text for i in asked]),
                       strict=True))
    rows = []
    for i, record in enumerate(records):
        answer = answers.get(i)
        rows.append((make_row(record, answer.columns if answer else None, tasks=tasks,
                              model=answerer.model_id, prompt_version=answerer.prompt_version),
                     answer.request_failures if answer else 0))
    return rows


class Pending(Future):
    """A row that comes with its batch: asking for it first answers the engine's buffer."""

    def __init__(self, flush: Any) -> None:
        super().__init__()
        self._flush = flush

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self._flush()
        return super().result(timeout)


class Batches:
    """Records wait in a buffer and are answered together by ``answer`` (a list of records in,
    a row or an exception per record out) once ``size`` have come, or when the oldest row of
    the buffer is asked for. An error of the whole batch reaches each of its rows."""

    def __init__(self, size: int, answer: Any) -> None:
        self.size, self._answer = size, answer
        self._buffer: list[tuple[Record, Pending]] = []

    def submit(self, record: Record) -> Future:
        future = Pending(self.flush)
        self._buffer.append((record, future))
        if len(self._buffer) >= self.size:
            self.flush()
        return future

    def flush(self) -> None:
        chunk, self._buffer = self._buffer, []
        if not chunk:
            return
        try:
            rows = self._answer([record for record, _ in chunk])
        except BaseException as err:
            for _, future in chunk:
                future.set_exception(err)
            if not isinstance(err, Exception):
                raise  # KeyboardInterrupt: the run stops now
            return
        for (_, future), row in zip(chunk, rows, strict=True):
            if isinstance(row, BaseException):
                future.set_exception(row)
            else:
                future.set_result(row)

    def clear(self) -> None:
        self._buffer = []


def ordered_rows(engine: Engine, records: Iterable[Record]) -> Iterator[dict[str, Any]]:
    """Rows in input order; at most ``engine.window`` records are read ahead of the oldest
    unfinished one, so memory stays bounded however slow one text is."""
    pending: deque[Future] = deque()
    source = iter(records)
    exhausted = False
    while True:
        while not exhausted and len(pending) < max(1, engine.window):
            record = next(source, None)
            if record is None:
                exhausted = True
            else:
                pending.append(engine.submit(record))
        if not pending:
            return
        yield pending.popleft().result()
