"""The in-process engine: a local backend (llama.cpp, transformers) answers one text at a time,
a few at once through a thread pool when the backend allows it, or ``batch_size`` texts
together when the backend decodes batches (transformers): the records wait in a buffer, and
the buffer is answered when it is full or when its oldest row is asked for."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from emolab.label.answer import Answerer
from emolab.label.engines.base import (
    Engine,
    Pending,
    answer_record,
    answer_records,
    done_future,
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
        self._buffer: list[tuple[Record, Pending]] = []

    def _row(self, record: Record) -> dict:
        return answer_record(self.answerer, record, self.tasks)[0]

    def submit(self, record: Record) -> Future:
        if self._pool is not None:
            return self._pool.submit(self._row, record)
        if self.batch == 1:
            return done_future(self._row(record))
        future = Pending(self.flush)
        self._buffer.append((record, future))
        if len(self._buffer) >= self.batch:
            self.flush()
        return future

    def flush(self) -> None:
        """Answer the buffered records together; an error reaches each of their rows."""
        chunk, self._buffer = self._buffer, []
        if not chunk:
            return
        try:
            rows = answer_records(self.answerer, [r for r, _ in chunk], self.tasks)
        except BaseException as err:
            for _, future in chunk:
                future.set_exception(err)
            if not isinstance(err, Exception):
                raise  # KeyboardInterrupt: the run stops now
            return
        for (_, future), (row, _) in zip(chunk, rows, strict=True):
            future.set_result(row)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        backend = getattr(self.answerer, "backend", None)
        if backend is not None:
            backend.close()
