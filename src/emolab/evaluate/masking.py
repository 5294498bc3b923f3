"""Mask label words in explanations, so that naming the label does not pass for explaining it.

Each label is masked with its inflections and close derivations ("anger": angry, angrier,
angrily, angered ...). Known emotion labels have their forms listed; any other label falls back
to every word that starts with its stem (the label minus a common suffix, at least 4 letters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

MASK = "[MASK]"

# Forms that do not share a simple prefix with the label (or would over-match with one).
IRREGULAR_FORMS: dict[str, tuple[str, ...]] = {
    "anger": ("angry", "angrier", "angriest", "angrily", "angered", "angering", "angers"),
    "joy": ("joyful", "joyfully", "joyous", "joyously", "joys", "enjoy", "enjoys", "enjoyed",
            "enjoying", "enjoyment"),
    "sadness": ("sad", "sadder", "saddest", "sadly", "sadden", "saddened", "saddening"),
    "fear": ("fears", "feared", "fearing", "fearful", "fearfully", "fearless", "afraid"),
    "disgust": ("disgusted", "disgusting", "disgustingly", "disgusts"),
    "surprise": ("surprised", "surprising", "surprisingly", "surprises"),
    "love": ("loves", "loved", "loving", "lovingly", "lover", "lovers", "lovely"),
    "trust": ("trusts", "trusted", "trusting", "trustful", "trustworthy"),
    "optimism": ("optimist", "optimists", "optimistic", "optimistically"),
    "pessimism": ("pessimist", "pessimists", "pessimistic", "pessimistically"),
    "anticipation": ("anticipate", "anticipates", "anticipated", "anticipating",
                     "anticipatory"),
    "shame": ("shamed", "shameful", "ashamed", "shaming", "shames"),
    "guilt": ("guilty", "guiltily", "guilts"),
    "neutral": ("neutrally", "neutrality"),
    "admiration": ("admire", "admires", "admired", "admiring", "admirable"),
    "amusement": ("amuse", "amused", "amusing", "amuses"),
    "annoyance": ("annoy", "annoyed", "annoying", "annoys"),
    "approval": ("approve", "approved", "approves", "approving"),
    "caring": ("care", "cares", "cared", "caring", "caringly"),
    "confusion": ("confuse", "confused", "confusing", "confuses"),
    "curiosity": ("curious", "curiously"),
    "desire": ("desires", "desired", "desiring", "desirable"),
    "disappointment": ("disappoint", "disappointed", "disappointing", "disappoints"),
    "disapproval": ("disapprove", "disapproved", "disapproves", "disapproving"),
    "embarrassment": ("embarrass", "embarrassed", "embarrassing", "embarrasses"),
    "excitement": ("excite", "excited", "exciting", "excites"),
    "gratitude": ("grateful", "gratefully", "thankful"),
    "grief": ("grieve", "grieved", "grieving", "grieves"),
    "nervousness": ("nervous", "nervously"),
    "pride": ("proud", "proudly", "prides", "prided"),
    "realization": ("realize", "realized", "realizes", "realizing", "realise", "realised"),
    "relief": ("relieve", "relieved", "relieves", "relieving"),
    "remorse": ("remorseful", "remorsefully"),
}
SUFFIXES = ("ations", "ation", "ness", "ment", "isms", "ism", "ity", "ing", "ion", "ed", "es",
            "s", "y", "e")


def stem(label: str) -> str:
    word = label.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@cache
def _pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    exact: set[str] = set()
    prefixes: set[str] = set()
    for label in labels:
        word = label.lower()
        exact.add(word)
        exact.update(IRREGULAR_FORMS.get(word, ()))
        if word not in IRREGULAR_FORMS:
            prefixes.add(stem(word))
    alternatives = sorted(map(re.escape, exact), key=len, reverse=True)
    alternatives += [re.escape(p) + r"\w*" for p in sorted(prefixes, key=len, reverse=True)]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def mask_label_words(text: str, labels: Iterable[str], *, mask: str = MASK) -> str:
    """``text`` with every form of every label replaced by ``mask``."""
    return _pattern(tuple(labels)).sub(mask, text)
