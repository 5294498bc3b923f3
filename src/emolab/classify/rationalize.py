"""Rationalization (in the spirit of STaR): the model explains an answer it is told.

The answer is pinned by the schema (``Task.pinned_schema``) and given as a hint in the user
message; only the explanation is free. Preference pairs use it when both candidates are wrong,
instruction data (`emolab instruct build --explanations rationalize`) for every row.
"""

from __future__ import annotations

from typing import Any

from emolab.backends.base import SamplingParams
from emolab.classify.runner import Candidate, Classifier
from emolab.tasks import LabelTask, Task

LABEL_HINT = ("\n\nHint: the emotions expressed in this text are: {labels}. Explain which "
              "words of the text express them.")
SCALE_HINT = ("\n\nHint: the answer is {answer}. Explain which words of the text show it.")


def rationalize(classifier: Classifier, text: str, gold: Any, task: Task | None = None
                ) -> Candidate:
    """Ask ``classifier``'s backend for an answer pinned to ``gold``, with it as a hint."""
    task = task or classifier.task
    messages = classifier.messages(text, task)
    if isinstance(task, LabelTask):
        labels = [gold] if isinstance(gold, str) else list(gold)
        ordered = [label for label in task.label_set.labels if label in labels]
        hint = LABEL_HINT.format(labels=", ".join(ordered))
    else:
        hint = SCALE_HINT.format(answer=task.answer_text(gold))
    messages[-1] = {**messages[-1], "content": messages[-1]["content"] + hint}
    schema = task.pinned_schema(gold, max_explanation_chars=classifier.max_explanation_chars)
    params = SamplingParams(n=1, temperature=classifier.params.temperature,
                            top_p=classifier.params.top_p,
                            max_tokens=classifier.params.max_tokens, seed=classifier.params.seed)
    generation = classifier.backend.generate(messages, schema=schema, params=params)[0]
    result = task.parse(generation.text, max_explanation_chars=classifier.max_explanation_chars)
    return Candidate(0, generation.text, result.parsed, result.error, result.schema_valid,
                     generation.finish_reason, generation.completion_tokens)
