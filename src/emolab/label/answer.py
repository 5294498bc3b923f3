"""Answering one text for every task of a run, through ``emolab.classify.Classifier``.

``TaskAnswerer.answer(text)`` returns the task columns of one row. A failed request (a server
gone, a timeout) is recorded in that task's ``__error`` and counted, so an engine can tell a
text the model answered badly (kept) from a server that failed (the text is retried elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from emolab.errors import EmolabError
from emolab.label.rows import REQUEST_FAILED
from emolab.label.tasks import RunTask


@dataclass
class Answer:
    columns: dict[str, Any] = field(default_factory=dict)
    request_failures: int = 0


class Answerer(Protocol):
    model_id: str
    prompt_version: str

    def answer(self, text: str) -> Answer: ...

    def answer_many(self, texts: list[str]) -> list[Answer]: ...


class TaskAnswerer:
    def __init__(self, backend: Any, tasks: list[RunTask], *, params: Any,
                 constrain: bool = True, prompt_version: str = "v1") -> None:
        self.backend, self.tasks = backend, tasks
        from emolab.classify import Classifier

        self.classifiers = [Classifier(backend, task.task, params=params, constrain=constrain,
                                       prompt_version=prompt_version) for task in tasks]
        self.model_id = backend.model_id
        self.prompt_version = self.classifiers[0].prompt_version

    def answer(self, text: str) -> Answer:
        return self.answer_many([text])[0]

    def answer_many(self, texts: list[str]) -> list[Answer]:
        """Every task for each text, a task's texts asked together (``classify_many``): one
        batch on a backend that decodes several at once. A failed request fails that task
        for every text of the call."""
        outs = [Answer() for _ in texts]
        for task, classifier in zip(self.tasks, self.classifiers, strict=True):
            prefix = task.column
            try:
                results = classifier.classify_many(texts, [classifier.task] * len(texts))
            except EmolabError as err:
                for out in outs:
                    out.columns[f"{prefix}__error"] = f"{REQUEST_FAILED}: {err}"
                    out.request_failures += 1
                continue
            for out, result in zip(outs, results, strict=True):
                best = result.best
                answer = None
                if best.error is None and best.parsed is not None:
                    answer = task.task.pred(best.parsed)
                explanation = (best.parsed or {}).get("explanation")
                out.columns.update({
                    f"{prefix}__answer": answer,
                    f"{prefix}__explanation": explanation if isinstance(explanation, str)
                    else None,
                    f"{prefix}__raw": best.raw, f"{prefix}__error": best.error,
                    f"{prefix}__schema_valid": best.schema_valid})
        return outs
