"""Degenerate text: what a small model writes when it loops instead of ending a sentence."""

from __future__ import annotations

import re
from collections import Counter


def is_degenerate(text: str, *, times: int = 3) -> bool:
    """A sentence, or any 4-word sequence, said ``times`` times or more."""
    sentences = [s.strip().lower() for s in re.split(r"[.!?]+", text) if s.strip()]
    words = re.findall(r"\w+", text.lower())
    grams = Counter(tuple(words[i:i + 4]) for i in range(len(words) - 3))
    return (max(Counter(sentences).values(), default=0) >= times
            or max(grams.values(), default=0) >= times)
