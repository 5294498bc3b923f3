"""Inter-annotator agreement: Cohen's kappa on the chosen response and Krippendorff's alpha
(ordinal) per rating dimension, for every pair of annotators who rated the same items."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from emolab.preference.store import DIMENSIONS, PairStore


def cohen_kappa(a: list[int], b: list[int]) -> float | None:
    """Unweighted Cohen's kappa of two raters' categorical answers (None when undefined)."""
    if not a:
        return None
    categories = sorted(set(a) | set(b))
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for x, y in zip(a, b, strict=True):
        table[index[x], index[y]] += 1
    table /= table.sum()
    observed = np.trace(table)
    expected = float(table.sum(axis=1) @ table.sum(axis=0))
    if expected == 1.0:  # both raters always gave the same single answer: kappa is undefined
        return None
    return float((observed - expected) / (1 - expected))


def ordinal_alpha(a: list[int | None], b: list[int | None]) -> float | None:
    """Krippendorff's alpha, ordinal level, of two raters (None where it is undefined)."""
    import krippendorff

    data = np.array([[np.nan if v is None else v for v in a],
                     [np.nan if v is None else v for v in b]], dtype=float)
    paired = ~np.isnan(data).any(axis=0)
    values = data[:, paired]
    if values.shape[1] < 2 or len(np.unique(values)) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                    value_domain=[1, 2, 3, 4, 5]))


def agreement_report(store: PairStore) -> dict[str, Any]:
    annotators = [u for u in store.users() if u.role == "annotator"]
    choices: dict[str, dict[int, int]] = {u.name: {} for u in annotators}
    ratings: dict[str, dict[tuple[int, int], dict[str, int | None]]] = {
        u.name: {} for u in annotators}
    for user in annotators:
        for item_id in store.answered(user):
            choice = store.choice(item_id, user.id)
            if choice and choice["chosen_slot"] is not None:
                choices[user.name][item_id] = choice["chosen_slot"]
    for row in store.all_ratings():
        if row["user"] in ratings:
            ratings[row["user"]][(row["item_id"], row["slot"])] = {d: row[d] for d in DIMENSIONS}
    pairs = []
    for first, second in combinations([u.name for u in annotators], 2):
        shared = sorted(set(choices[first]) & set(choices[second]))
        a = [choices[first][i] for i in shared]
        b = [choices[second][i] for i in shared]
        rated = sorted(set(ratings[first]) & set(ratings[second]))
        alphas = {d: ordinal_alpha([ratings[first][k][d] for k in rated],
                                   [ratings[second][k][d] for k in rated]) for d in DIMENSIONS}
        if shared or rated:
            pairs.append({
                "annotators": [first, second], "items": len(shared),
                "chosen_agreement": (sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
                                     if a else None),
                "chosen_kappa": cohen_kappa(a, b), "rated_responses": len(rated),
                "alpha_ordinal": alphas,
            })
    return {"annotators": [u.name for u in annotators], "pairs": pairs}
