"""The in-process engine: a local backend (llama.cpp, transformers) answers one text at a time,
a few at once through a thread pool when the backend allows it, or ``batch_size`` texts
together when the backend decodes batches (transformers): the records wait in a buffer, and
the buffer is answered when it is full or when its oldest row is asked for."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from emolab.label.answer import Answerer
from emolab.label.engines.base import (
    Batches,
    Engine,
    answer_record,
    answer_records,
)
from emolab.label.readers import Record
from emolab.label.tasks import RunTask


class LocalEngine(Engine):
    def __init__(self, answerer: Answerer, tasks: list[RunTask], *, workers: int = 1) -> None:
        self.answerer, self.tasks, self.workers = answerer, tasks, workers
        backend = getattr(answerer, "backend", None)
        self.batch = max(1, getattr(backend, "batch_size", 1)) if workers <= 1 else 1
        self.window = self.batch if workers <= 1 else 4 * workers
        self._pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        self._batches = Batches(self.batch, lambda records: [
            row for row, _ in answer_records(self.answerer, records, self.tasks)])

    def _row(self, record: Record) -> dict:
        return answer_record(self.answerer, record, self.tasks)[0]

    def submit(self, record: Record) -> Future:
        if self._pool is not None:
            return self._pool.submit(self._row, record)
        return self._batches.submit(record)  # a batch of one is answered at once

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        backend = getattr(self.answerer, "backend", None)
        if backend is not None:
            backend.close()
