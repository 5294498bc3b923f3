"""Percentile bootstrap intervals for any score over prediction rows.

A figure over 200 rows and one over 3,259 look alike in a table; the interval says how far each
could move on another sample of the same size from the same test set. Rows are drawn with
replacement within strata (an EI task's four emotions), so every resample keeps the group sizes
a per-group average is taken over. Resamples whose score is undefined (a Pearson r over constant
answers) are left out of that column and counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from emolab.errors import EmolabError

Row = TypeVar("Row")


def bootstrap(rows: Sequence[Row], score: Callable[[list[Row]], dict[str, float | None]], *,
              resamples: int = 1000, level: float = 0.95, seed: int = 0,
              stratum: Callable[[Row], Hashable] | None = None) -> dict[str, dict[str, Any]]:
    """``{key: {"low", "high", "resamples"}}`` for every key ``score`` returns: the central
    ``level`` share of the scores of ``resamples`` resampled row lists."""
    import numpy as np

    if not rows:
        return {}
    if resamples < 2 or not 0 < level < 1:
        raise EmolabError(f"a bootstrap interval needs at least 2 resamples (got {resamples}) "
                          f"and a level between 0 and 1 (got {level})")
    rng = np.random.default_rng(seed)
    groups: dict[Hashable, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(stratum(row) if stratum else None, []).append(index)
    members = [np.asarray(indices) for indices in groups.values()]
    draws: dict[str, list[float]] = {}
    for _ in range(resamples):
        picked = [rows[i] for group in members for i in rng.choice(group, size=len(group))]
        for key, value in score(picked).items():
            draws.setdefault(key, [])
            if value is not None and math.isfinite(value):
                draws[key].append(float(value))
    tail = 100 * (1 - level) / 2
    return {key: {"low": round(float(np.percentile(values, tail)), 4),
                  "high": round(float(np.percentile(values, 100 - tail)), 4),
                  "resamples": len(values)}
            for key, values in draws.items() if values}
