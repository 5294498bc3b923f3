"""Near-duplicate scenarios, found with rapidfuzz.

A new item is compared with every kept item of its kind and with every EmoBench test item
(EU and EA, English and Chinese: ``emolab.data.load("emobench-eu"/"emobench-ea", "all")``).
The score is rapidfuzz's ``token_sort_ratio`` (0-100, word order ignored) of the lower-cased
scenarios; at or above the threshold the item is rejected, as ``duplicate`` or ``test_overlap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_THRESHOLD = 85.0


def emobench_scenarios(data_dir: str | Path | None = None) -> list[tuple[str, str]]:
    """(id, scenario) of every EmoBench test item."""
    from emolab.data import load

    return [(f"{name}:{ex.id}", ex.text) for name in ("emobench-eu", "emobench-ea")
            for ex in load(name, "all", data_dir=data_dir)]


@dataclass
class Deduper:
    test_items: list[tuple[str, str]]
    threshold: float = DEFAULT_THRESHOLD
    kept: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # kind -> (id, text)

    def closest(self, text: str, corpus: list[tuple[str, str]]) -> tuple[str, float] | None:
        from rapidfuzz import fuzz, process, utils

        if not corpus:
            return None
        match = process.extractOne(text, [c[1] for c in corpus], scorer=fuzz.token_sort_ratio,
                                   processor=utils.default_process, score_cutoff=self.threshold)
        if match is None:
            return None
        _, score, position = match
        return corpus[position][0], float(score)

    def check(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """None if the item is new; else {"check", "match", "score"}."""
        hit = self.closest(item["scenario"], self.test_items)
        if hit:
            return {"check": "test_overlap", "match": hit[0], "score": round(hit[1], 1)}
        hit = self.closest(item["scenario"], self.kept.get(item["kind"], []))
        if hit:
            return {"check": "duplicate", "match": hit[0], "score": round(hit[1], 1)}
        return None

    def add(self, item: dict[str, Any]) -> None:
        self.kept.setdefault(item["kind"], []).append((item["id"], item["scenario"]))
