"""Choice orders that cancel position bias.

Order 0 is the original order; orders 1..K are seeded permutations of it, each different from
the original when there are at least two choices, and the same for the same seed, item and
question on every machine (``random.Random`` seeded with a string is stable across runs).
A permutation ``order`` lists original indices in shown order: the choice shown at position
``p`` is ``choices[order[p]]``, so an answer at position ``p`` maps back to ``order[p]``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence


def permutation(n_choices: int, *, k: int, seed: int, key: str) -> list[int]:
    """The ``k``-th choice order of a question with ``n_choices`` (``key``: item and question)."""
    identity = list(range(n_choices))
    if k == 0 or n_choices < 2:
        return identity
    rng = random.Random(f"{seed}:{key}:{k}")
    order = identity[:]
    while order == identity:
        rng.shuffle(order)
    return order


def shown(choices: Sequence[str], order: Sequence[int]) -> list[str]:
    """The choices in the order they are shown."""
    return [choices[i] for i in order]


def to_original(position: int | None, order: Sequence[int]) -> int | None:
    """The original index of the choice shown at ``position`` (None stays None)."""
    return None if position is None else order[position]


def position_of(original: int, order: Sequence[int]) -> int:
    """Where the choice with original index ``original`` is shown."""
    return list(order).index(original)
