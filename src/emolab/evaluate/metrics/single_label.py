"""Single-label classification metrics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emolab.evaluate.metrics._checks import same_length


def accuracy(y_true: Sequence[object], y_pred: Sequence[object]) -> float:
    """Share of rows whose prediction equals the gold label (a missing prediction is wrong)."""
    same_length(y_true, y_pred, names=("y_true", "y_pred"))
    return float(np.mean([t == p for t, p in zip(y_true, y_pred, strict=True)]))


def precision_recall_f1(
    y_true: Sequence[object], y_pred: Sequence[object], *, labels: Sequence[object],
    average: str | None = "macro", zero_division: float = 0.0,
) -> tuple[float, float, float] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 over ``labels``, averaged ``"macro"``, ``"weighted"`` or not (None).

    A prediction outside ``labels`` (an unreadable output, say) is a false negative for the
    gold class and a false positive for no class in ``labels``, as in scikit-learn.
    """
    if average not in ("macro", "weighted", None):
        raise ValueError(f"average must be 'macro', 'weighted' or None, got {average!r}")
    same_length(y_true, y_pred, names=("y_true", "y_pred"))
    true, pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    precision, recall, f1, support = [], [], [], []
    for label in labels:
        tp = int(np.sum((true == label) & (pred == label)))
        fp = int(np.sum((true != label) & (pred == label)))
        fn = int(np.sum((true == label) & (pred != label)))
        p = tp / (tp + fp) if tp + fp else zero_division
        r = tp / (tp + fn) if tp + fn else zero_division
        f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else zero_division
        precision.append(p), recall.append(r), f1.append(f), support.append(tp + fn)
    arrays = np.array(precision), np.array(recall), np.array(f1)
    if average is None:
        return arrays
    if average == "macro":
        return tuple(float(a.mean()) for a in arrays)  # type: ignore[return-value]
    weights = np.array(support, dtype=float)
    if weights.sum() == 0:
        return (zero_division, zero_division, zero_division)
    return tuple(float(np.average(a, weights=weights)) for a in arrays)  # type: ignore[return-value]
