"""Majority votes over repeated samples of one question.

An unreadable sample (None) never wins against a readable one: the vote is taken among the
readable answers, and only when there is none is the result None. Ties go to the answer that
was given first among the tied ones (sample order), which is deterministic and is also what
EmoBench's own scorer does (``collections.Counter.most_common`` keeps first-seen order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def vote(answers: Sequence[int | None]) -> int | None:
    """The most frequent readable answer; ties go to the earliest; None if none is readable."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(a for a in answers if a is not None and counts[a] == best)
