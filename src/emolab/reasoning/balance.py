"""Category balance: no category may exceed 1.5x its expected share of a kind's items.

Each kind has a quota (its share of ``--n``) and each of its categories an expected share of
that quota (equal shares: EmoBench's EU and EA categories are what the items should cover).
An item whose category already holds ``floor(ratio * share * quota)`` items is
rejected as ``balance`` (the cap is never below the even share rounded up, so a quota can
always be filled); its place in the quota stays open, so a later dialogue regenerates it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Balancer:
    categories: tuple[str, ...]
    quota: int
    ratio: float = 1.5
    counts: Counter = field(default_factory=Counter)

    @property
    def cap(self) -> int:
        even = self.quota / len(self.categories)
        # never below the even share rounded up, or a small quota could never be filled
        return max(math.ceil(even), math.floor(self.ratio * even))

    def accepts(self, category: str) -> bool:
        return self.counts[category] < self.cap

    def add(self, category: str) -> None:
        self.counts[category] += 1

    @property
    def full(self) -> bool:
        return sum(self.counts.values()) >= self.quota
