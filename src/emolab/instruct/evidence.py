"""Which words of a text carry its answer: log-odds keywords learnt on the training split.

For a label task, every word gets the z-scored log-odds of appearing in texts with a label
against the other texts (``probing.lexicon.log_odds_scores``, the scorer behind `probe
--ablate keywords`). For a score or class task, per dimension, texts above the median gold
value ("high") are set against the others, so a word's z says how much it raises the answer;
for a low answer the words that lower it are the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from emolab.data import Example
from emolab.probing.lexicon import log_odds_scores, words
from emolab.tasks import LabelTask, Task

HIGH, LOW = "high", "low"
# Words too common in these corpora to be evidence of anything ("i feel ..." opens every DAIR
# text), and Twitter handles and links, which name people and pages, not feelings.
FILLER = frozenset("feel feeling feels felt really just didnt dont doesnt im ive cant wont "
                   "like get got going know think want make people time today".split())
_HANDLES_AND_LINKS = re.compile(r"@\w+|https?://\S+|www\.\S+")


def content_words(text: str) -> list[str]:
    """The words of ``text`` that may be evidence: no handles, links, contractions, filler."""
    return [w for w in words(_HANDLES_AND_LINKS.sub(" ", text))
            if "'" not in w and w not in FILLER]
MIN_Z = 1.5  # weaker words are not evidence, whatever their sign


@dataclass
class EvidenceModel:
    """Word z-scores per label (label tasks) or per dimension (scales)."""

    scores: dict[str, dict[str, float]]  # key: label, or "<dimension>"
    medians: dict[str, float]  # scales: the median gold value per dimension

    @classmethod
    def fit(cls, tasks_and_rows: Sequence[tuple[Task, Example]]) -> EvidenceModel:
        first = tasks_and_rows[0][0]
        if isinstance(first, LabelTask):
            texts = [row.text for _, row in tasks_and_rows]
            labels = [list(row.labels) for _, row in tasks_and_rows]
            return cls(log_odds_scores(texts, labels, first.label_set.labels), {})
        scores, medians = {}, {}
        dimensions = sorted({task.dimension or "" for task, _ in tasks_and_rows})
        for dimension in dimensions:
            rows = [(t, r) for t, r in tasks_and_rows if (t.dimension or "") == dimension]
            values = [float(t.gold(r)) for t, r in rows]
            middle = median(values)
            sides = [[HIGH] if v > middle else [LOW] for v in values]
            found = log_odds_scores([r.text for _, r in rows], sides, [HIGH, LOW])
            scores[dimension] = found.get(HIGH, {})
            medians[dimension] = middle
        return cls(scores, medians)

    def evidence(self, task: Task, text: str, answer: object, *, k: int = 3) -> list[str]:
        """Up to ``k`` words of ``text`` (in text order) that support ``answer``."""
        weights = self._weights(task, answer)
        seen: dict[str, float] = {}
        for word in content_words(text):
            z = weights.get(word, 0.0)
            if z >= MIN_Z and word not in seen:
                seen[word] = z
        best = sorted(seen, key=lambda w: -seen[w])[:k]
        return [w for w in seen if w in best]

    def own_evidence(self, text: str, labels: list[str], *, k: int = 2
                     ) -> dict[str, list[str]]:
        """Each label's own words of ``text``, none given to two labels: up to ``k`` evidence
        words per label (the strongest label first claims a word), a word joined with the
        word before it in the text when that one supports the label too ("finally won"),
        and, for a label left without evidence, its most telling unclaimed word of the text
        (any positive z, else the longest unclaimed content word), so every label named has
        a quote of its own."""
        tokens = content_words(text)
        claimed: set[str] = set()
        found: dict[str, list[str]] = {}
        for label in sorted(labels, key=lambda lb: -self._strongest(lb, tokens)):
            z = self.scores.get(label, {})
            ranked = sorted({w for w in tokens if w not in claimed and z.get(w, 0.0) > 0},
                            key=lambda w: -z[w])
            picked = [w for w in ranked if z[w] >= MIN_Z][:k] or ranked[:1]
            if not picked:
                spare = sorted({w for w in tokens if w not in claimed and len(w) >= 3},
                               key=len, reverse=True)
                picked = spare[:1]
            claimed.update(picked)
            found[label] = [self._phrase(w, text, z, claimed) for w in picked]
        # Only a text without a word of three letters is left with nothing: quote its start.
        return {label: found.get(label) or [text.strip()[:30]] for label in labels}

    def _strongest(self, label: str, tokens: list[str]) -> float:
        z = self.scores.get(label, {})
        return max((z.get(w, 0.0) for w in tokens), default=0.0)

    @staticmethod
    def _phrase(word: str, text: str, z: dict[str, float], claimed: set[str]) -> str:
        """``word``, or the two words "before word" where they stand so in the text and the
        word before supports the label too."""
        every = words(text)
        at = every.index(word) if word in every else 0
        before = every[at - 1] if at > 0 else None
        if (before is not None and before not in claimed and before not in FILLER
                and z.get(before, 0.0) > 0 and f"{before} {word}" in text.lower()):
            claimed.add(before)
            return f"{before} {word}"
        return word

    def _weights(self, task: Task, answer: object) -> dict[str, float]:
        if isinstance(task, LabelTask):
            labels = [answer] if isinstance(answer, str) else list(answer)  # type: ignore[arg-type]
            merged: dict[str, float] = {}
            for label in labels:
                for word, z in self.scores.get(label, {}).items():
                    merged[word] = max(merged.get(word, z), z)
            return merged
        dimension = task.dimension or ""
        raises = self.scores.get(dimension, {})
        if float(answer) > self.medians.get(dimension, 0.0):  # type: ignore[arg-type]
            return raises
        return {word: -z for word, z in raises.items()}
