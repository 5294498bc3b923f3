"""Generate candidate pairs: two sampled answers per text, the paper's correctness filter, and
optional rationalization (in the spirit of STaR) when neither candidate is correct.

A response is correct when its ``multiple_emotions_present`` equals the gold set and its
``most_prominent_emotion`` is in that set (single-label data: the most prominent emotion is the
gold label). A text is kept when at least one candidate is correct. With rationalization, a
text whose candidates are both wrong gets a third answer whose labels are pinned to the gold
set by the schema and whose explanation the model writes with the gold labels as a hint; it
becomes the chosen response (``rationalized``), the model's own wrong answer the rejected one.
The stored prompt is always the original one, without the hint: that is what training sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from emolab.classify.prompts import clean_text
from emolab.classify.rationalize import rationalize
from emolab.classify.runner import Candidate, Classifier
from emolab.data.records import Example, TaskKind
from emolab.preference.store import PairStore, Response


def is_correct(parsed: dict[str, Any] | None, gold: list[str], *, multi_label: bool) -> bool:
    if not parsed:
        return False
    prominent = parsed.get("most_prominent_emotion")
    if not multi_label:
        return bool(gold) and prominent == gold[0]
    listed = parsed.get("multiple_emotions_present") or []
    return set(listed) == set(gold) and prominent in gold


@dataclass
class GenerationCounts:
    kept: int = 0
    rationalized: int = 0
    dropped: int = 0
    skipped_done: int = 0  # already in the project from an earlier run

    @property
    def processed(self) -> int:
        return self.kept + self.rationalized + self.dropped


def _response(slot: int, candidate: Candidate, correct: bool, classifier: Classifier, *,
              rationalized: bool = False) -> Response:
    return Response(slot=slot, raw=candidate.raw, parsed=candidate.parsed,
                    error=candidate.error, correct=correct, rationalized=rationalized,
                    model=classifier.backend.model_id, backend=classifier.backend.name,
                    sampling=asdict(classifier.params))


def generate_pairs(store: PairStore, classifier: Classifier, examples: Iterable[Example], *,
                   task: TaskKind, dataset: str | None, rationalize_wrong: bool = False,
                   on_item: Callable[[str], None] | None = None) -> GenerationCounts:
    """Add every example not yet in ``store``; each item is committed as soon as it is done."""
    if classifier.params.n < 2:
        raise ValueError("pairs need two candidates per text (n=2)")
    multi = task is TaskKind.MULTI_LABEL
    counts = GenerationCounts()
    done = store.done_example_ids()
    for example in examples:
        if example.id in done:
            counts.skipped_done += 1
            continue
        done.add(example.id)
        gold = list(example.labels)
        if not clean_text(example.text):
            status, responses, messages = "dropped", [], classifier.messages("")
        else:
            result = classifier.classify(example.text)
            text, messages = result.text, classifier.messages(result.text)
            first, second = result.candidates[:2]
            correct = [is_correct(c.parsed, gold, multi_label=multi) for c in (first, second)]
            responses = [_response(i, c, ok, classifier)
                         for i, (c, ok) in enumerate(zip((first, second), correct, strict=True))]
            if any(correct):
                status = "kept"
            elif rationalize_wrong and gold:
                fixed = rationalize(classifier, text, gold)
                ok = is_correct(fixed.parsed, gold, multi_label=multi)
                status = "rationalized" if ok else "dropped"
                responses = [_response(0, fixed, ok, classifier, rationalized=True),
                             _response(1, first, False, classifier)]
            else:
                status = "dropped"
        store.add_item(example_id=example.id, dataset=dataset, text=example.text, gold=gold,
                       messages=messages, status=status, responses=responses)
        setattr(counts, status, getattr(counts, status) + 1)
        if on_item:
            on_item(status)
    return counts
