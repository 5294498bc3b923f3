"""Explanations that point at the evidence: the answer's words quoted, woven into a sentence.

The 135M rationalizer writes sentences that only name the labels ("The text expresses anger,
disgust, and sadness."), and a model trained on them learns to do the same. These templates
always quote words of the text: the evidence words when the keyword model found some, else
the text's longest content words (so the explanation still points at the text). A seeded
choice among a few phrasings keeps a tuned model from learning one fixed sentence.
"""

from __future__ import annotations

import random
from typing import Any

from emolab.instruct.evidence import content_words
from emolab.tasks import LabelTask, Task

_LABEL_TEMPLATES = (
    "{quoted} {verb} {answer}.",
    "{the_words} {quoted} {point} to {answer}.",
    "{answer_cap}: the text says {quoted}.",
)
_SCALE_TEMPLATES = (
    "{quoted} {verb} {level}.",
    "{the_words} {quoted} {point} to {level}.",
    "{opening}{quoted}.",
)
_STOP = frozenset("the and that this with have from they were been what when your".split())


def quote(found: list[str]) -> str:
    shown = [f'"{w}"' for w in found]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def fallback_words(text: str, k: int = 2) -> list[str]:
    """The longest content words of the text, in text order: something of the text to quote."""
    candidates = [w for w in dict.fromkeys(content_words(text))
                  if len(w) >= 4 and w not in _STOP]
    longest = sorted(candidates, key=len, reverse=True)[:k]
    return [w for w in candidates if w in longest]


def explanation(task: Task, text: str, answer: Any, evidence: list[str], *,
                rng: random.Random) -> str:
    found = evidence or fallback_words(text)
    quoted = quote(found) if found else '"' + text.strip()[:40] + '"'
    many = len(found) > 1
    verb, point = ("show", "point") if many else ("shows", "points")
    the_words = "The words" if many else "The word"
    if isinstance(task, LabelTask):
        labels = [answer] if isinstance(answer, str) else list(answer)
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        template = rng.choice(_LABEL_TEMPLATES)
        return template.format(quoted=quoted, verb=verb, point=point, the_words=the_words,
                               answer=named, answer_cap=named[:1].upper() + named[1:])
    level = task.level_phrase(answer)  # type: ignore[attr-defined]
    template = rng.choice(_SCALE_TEMPLATES)
    return template.format(quoted=quoted, verb=verb, point=point, the_words=the_words,
                           level=level, level_cap=level[:1].upper() + level[1:],
                           opening=task.stated_opening(answer))  # type: ignore[attr-defined]


_CLAUSES = ("{quoted} {verb} {label}", "{quoted} {point} to {label}", "{label_cap}: {quoted}")


def explanation_per_label(text: str, labels: list[str], own_words: dict[str, list[str]], *,
                          rng: random.Random, max_chars: int) -> str:
    """One clause per label, each quoting that label's own words of the text:
    '"finally won" shows joy; "proud" points to love.' ``own_words``: each label's words
    (``EvidenceModel.own_evidence``), none shared. Fewer words per label when the whole
    would pass ``max_chars``, so no clause (and no label's evidence) is cut off."""
    for keep in (3, 2, 1):
        clauses = []
        for label in labels:
            found = own_words[label][:keep]
            many = len(found) > 1  # "finally won" shows joy: one phrase is one thing
            clauses.append(rng.choice(_CLAUSES).format(
                quoted=quote(found), verb="show" if many else "shows",
                point="point" if many else "points", label=label,
                label_cap=label[:1].upper() + label[1:]))
        said = "; ".join(clauses) + "."
        said = said[:1].upper() + said[1:]
        if len(said) <= max_chars:
            return said
    return said[:max_chars]
