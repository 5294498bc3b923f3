"""The in-process engine: a local backend (llama.cpp, transformers) answers one text at a time,
or a few at once through a thread pool when the backend allows it."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from emolab.label.answer import Answerer
from emolab.label.engines.base import Engine, answer_record, done_future
from emolab.label.readers import Record
from emolab.label.tasks import RunTask


class LocalEngine(Engine):
    def __init__(self, answerer: Answerer, tasks: list[RunTask], *, workers: int = 1) -> None:
        self.answerer, self.tasks, self.workers = answerer, tasks, workers
        self.window = 1 if workers <= 1 else 4 * workers
        self._pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None

    def _row(self, record: Record) -> dict:
        return answer_record(self.answerer, record, self.tasks)[0]

    def submit(self, record: Record) -> Future:
        if self._pool is None:
            return done_future(self._row(record))
        return self._pool.submit(self._row, record)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        backend = getattr(self.answerer, "backend", None)
        if backend is not None:
            backend.close()
