"""Input validation shared by the metric functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def as_indicator(y: object, name: str) -> np.ndarray:
    """A 2-D 0/1 array (n_samples, n_labels)."""
    array = np.asarray(y)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (samples x labels), got shape {array.shape}")
    if array.size and not np.isin(array, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0 and 1")
    return array.astype(bool)


def same_length(*arrays: Sequence[object] | np.ndarray, names: Sequence[str]) -> int:
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        shown = ", ".join(f"{n}={len(a)}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(f"inputs differ in length: {shown}")
    (length,) = lengths
    if length == 0:
        raise ValueError("no samples to score")
    return length
