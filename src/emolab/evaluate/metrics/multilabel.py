"""Multi-label metrics, as the SemEval-2018 E-c official scorer computes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from emolab.evaluate.metrics._checks import as_indicator, same_length


def to_indicator(label_sets: Iterable[Iterable[str]], labels: Sequence[str]) -> np.ndarray:
    """Label lists -> a (samples x labels) 0/1 array; labels outside ``labels`` are ignored."""
    index = {label: i for i, label in enumerate(labels)}
    rows = list(label_sets)
    out = np.zeros((len(rows), len(labels)), dtype=np.int8)
    for r, row in enumerate(rows):
        for label in row:
            if label in index:
                out[r, index[label]] = 1
    return out


def jaccard_per_sample(y_true: object, y_pred: object, *, empty_score: float = 1.0) -> np.ndarray:
    """|gold ∩ pred| / |gold ∪ pred| per row; a row where both are empty scores ``empty_score``.

    ``empty_score=1.0`` is the official E-c definition (the old scikit-learn
    ``jaccard_similarity_score``).
    """
    true, pred = as_indicator(y_true, "y_true"), as_indicator(y_pred, "y_pred")
    same_length(true, pred, names=("y_true", "y_pred"))
    if true.shape != pred.shape:
        raise ValueError(f"y_true {true.shape} and y_pred {pred.shape} differ in shape")
    inter = (true & pred).sum(axis=1)
    union = (true | pred).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(union == 0, empty_score, inter / np.maximum(union, 1))
    return scores.astype(float)


def jaccard_accuracy(y_true: object, y_pred: object, *, empty_score: float = 1.0,
                     failed: Sequence[bool] | None = None) -> float:
    """Mean per-row Jaccard index (SemEval-2018 E-c "accuracy").

    ``failed`` marks rows whose model output could not be read: they score 0 whatever the gold,
    so a failure never passes for a correct empty prediction.
    """
    scores = jaccard_per_sample(y_true, y_pred, empty_score=empty_score)
    if failed is not None:
        mask = np.asarray(failed, dtype=bool)
        same_length(scores, mask, names=("y_true", "failed"))
        scores = np.where(mask, 0.0, scores)
    return float(scores.mean())


def _counts(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    true, pred = as_indicator(y_true, "y_true"), as_indicator(y_pred, "y_pred")
    same_length(true, pred, names=("y_true", "y_pred"))
    if true.shape != pred.shape:
        raise ValueError(f"y_true {true.shape} and y_pred {pred.shape} differ in shape")
    tp = (true & pred).sum(axis=0)
    fp = (~true & pred).sum(axis=0)
    fn = (true & ~pred).sum(axis=0)
    return tp, fp, fn


def f1_per_label(y_true: object, y_pred: object, *, zero_division: float = 0.0) -> np.ndarray:
    """F1 of each label column; a label never in gold nor predicted gets ``zero_division``."""
    tp, fp, fn = _counts(y_true, y_pred)
    denominator = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator == 0, zero_division, 2 * tp / np.maximum(denominator, 1))


def f1_macro(y_true: object, y_pred: object, *, zero_division: float = 0.0) -> float:
    return float(f1_per_label(y_true, y_pred, zero_division=zero_division).mean())


def f1_micro(y_true: object, y_pred: object, *, zero_division: float = 0.0) -> float:
    tp, fp, fn = (c.sum() for c in _counts(y_true, y_pred))
    denominator = 2 * tp + fp + fn
    return float(zero_division if denominator == 0 else 2 * tp / denominator)
