"""Does each emotion an answer names have its own evidence in the text?

An explanation ties a label to evidence when a clause of it (split at ``.``, ``;``, ``!``, ``?``)
names the label (any of its forms, as ``emolab.evaluate.masking`` knows them) and quotes words
that occur in the text. The evidence is the label's *own* when at least one of those quotes is
not also the evidence of another named label: "The word "cup" points to joy, love and
optimism." gives joy, love and optimism the same one word, so none has evidence of its own;
""finally won" shows joy; "my boys" shows love" gives each its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from emolab.evaluate.masking import MASK, mask_label_words

_QUOTE = re.compile(r'"([^"]+)"|“([^”]+)”')
_CLAUSE = re.compile(r"(?<=[.;!?])\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LabelEvidence:
    """What one explanation quotes of its text, by the labels its answer names."""

    quotes: tuple[str, ...]  # quoted spans found in the text, in explanation order
    by_label: dict[str, tuple[str, ...]]  # each named label: quotes of the clauses naming it

    def own(self, label: str) -> bool:
        """``label`` has a quote that no other named label shares."""
        others = {q for other, found in self.by_label.items() if other != label for q in found}
        return any(q not in others for q in self.by_label.get(label, ()))


def label_evidence(explanation: str, text: str, labels: Iterable[str]) -> LabelEvidence:
    """The quotes of ``explanation`` that occur in ``text``, attributed to the ``labels``
    (the answer's labels) named in the same clause."""
    labels = list(dict.fromkeys(labels))
    haystack = _normal(text)
    quotes: list[str] = []
    by_label: dict[str, list[str]] = {label: [] for label in labels}
    for clause in _CLAUSE.split(explanation):
        found = [q for q in _quotes(clause) if _normal(q) and _normal(q) in haystack]
        quotes.extend(q for q in found if q not in quotes)
        unquoted = _QUOTE.sub(" ", clause)  # a quoted word is evidence, not the label named
        for label in labels:
            if found and MASK in mask_label_words(unquoted, [label]):
                by_label[label].extend(q for q in found if q not in by_label[label])
    return LabelEvidence(tuple(quotes), {k: tuple(v) for k, v in by_label.items()})


def own_evidence_share(answers: Iterable[tuple[str, str, list[str]]]) -> dict[str, float | int]:
    """Over ``(explanation, text, labels)`` answers: the share of named labels with evidence
    of their own, the share with any evidence, and how many labels were named."""
    named = own = any_evidence = 0
    for explanation, text, labels in answers:
        evidence = label_evidence(explanation, text, labels)
        for label in dict.fromkeys(labels):
            named += 1
            own += evidence.own(label)
            any_evidence += bool(evidence.by_label[label])
    return {"named_labels": named,
            "own_evidence_share": round(own / named, 4) if named else 0.0,
            "any_evidence_share": round(any_evidence / named, 4) if named else 0.0}


def _quotes(clause: str) -> list[str]:
    return [a or b for a, b in _QUOTE.findall(clause)]


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()
