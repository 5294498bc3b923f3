"""Multiple-choice accuracy, overall and by category (EmoBench)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from emolab.evaluate.metrics._checks import same_length


def item_correct(gold: Sequence[str], pred: Sequence[str] | None) -> bool:
    """An item is correct only when every one of its questions is answered correctly."""
    return pred is not None and len(pred) == len(gold) and all(
        g == p for g, p in zip(gold, pred, strict=True))


def mcq_accuracy(correct: Sequence[bool], *, categories: Sequence[str] | None = None
                 ) -> dict[str, Any]:
    """``{"accuracy": a, "n": n, "by_category": {category: {"accuracy", "n"}}}``."""
    n = len(correct)
    if n == 0:
        raise ValueError("no samples to score")
    result: dict[str, Any] = {"accuracy": sum(map(bool, correct)) / n, "n": n}
    if categories is not None:
        same_length(correct, categories, names=("correct", "categories"))
        groups: dict[str, list[bool]] = defaultdict(list)
        for ok, category in zip(correct, categories, strict=True):
            groups[category].append(bool(ok))
        result["by_category"] = {
            c: {"accuracy": sum(v) / len(v), "n": len(v)} for c, v in sorted(groups.items())
        }
    return result
