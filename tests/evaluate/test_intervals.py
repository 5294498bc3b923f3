"""Bootstrap intervals (``emolab.evaluate.intervals``): they cover the figure, narrow as rows
grow, keep each stratum's size and leave undefined resamples out."""

from __future__ import annotations

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.evaluate.intervals import bootstrap


def pearson(pairs):
    gold, pred = zip(*pairs, strict=True)
    if np.std(pred) == 0 or np.std(gold) == 0:
        return {"r": float("nan")}
    return {"r": float(np.corrcoef(gold, pred)[0, 1])}


def noisy_pairs(n, seed=1):
    rng = np.random.default_rng(seed)
    gold = rng.uniform(size=n)
    return list(zip(gold, gold + rng.normal(scale=0.3, size=n), strict=True))


def test_the_interval_covers_the_figure_and_narrows_with_more_rows():
    small, large = noisy_pairs(100), noisy_pairs(2000)
    wide = bootstrap(small, pearson, resamples=300)["r"]
    narrow = bootstrap(large, pearson, resamples=300)["r"]
    assert wide["low"] < pearson(small)["r"] < wide["high"]
    assert narrow["low"] < pearson(large)["r"] < narrow["high"]
    assert (narrow["high"] - narrow["low"]) < 0.5 * (wide["high"] - wide["low"])
    assert bootstrap(small, pearson, resamples=300) == bootstrap(small, pearson, resamples=300)


def test_rows_are_drawn_within_their_stratum():
    rows = [("anger", i) for i in range(7)] + [("joy", i) for i in range(3)]
    seen = []

    def sizes(picked):
        seen.append(sorted({g: sum(r[0] == g for r in picked) for g in ("anger", "joy")}.items()))
        return {"n": len(picked)}

    bootstrap(rows, sizes, resamples=20, stratum=lambda row: row[0])
    assert seen == [[("anger", 7), ("joy", 3)]] * 20


def test_undefined_resamples_are_left_out_and_counted():
    # Two of three answers equal: some resamples hold one answer only, and r is undefined.
    found = bootstrap([(0.1, 0.2), (0.5, 0.2), (0.9, 0.8)], pearson, resamples=200)["r"]
    assert 0 < found["resamples"] < 200
    assert -1 <= found["low"] <= found["high"] <= 1
    assert bootstrap([], pearson) == {}
    with pytest.raises(EmolabError, match="at least 2 resamples"):
        bootstrap(noisy_pairs(5), pearson, resamples=1)
