"""Regression and ordinal metrics of SemEval-2018 EI / V tasks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emolab.evaluate.metrics._checks import same_length


def pearson(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """Pearson r; 0.0 when either side is constant (the official scorer's rule)."""
    same_length(y_true, y_pred, names=("y_true", "y_pred"))
    true, pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if len(true) < 2 or np.ptp(true) == 0 or np.ptp(pred) == 0:
        return 0.0
    true, pred = true - true.mean(), pred - pred.mean()
    return float((true @ pred) / np.sqrt((true @ true) * (pred @ pred)))


def quadratic_weighted_kappa(y_true: Sequence[int], y_pred: Sequence[int], *,
                             labels: Sequence[int] | None = None) -> float:
    """Cohen's kappa with quadratic weights over ``labels`` (default: classes seen in gold).

    As in scikit-learn, a pair whose gold or predicted class is not in ``labels`` is left out
    of the confusion matrix; the official EI-oc / V-oc scorer fixes labels to the gold classes.
    """
    same_length(y_true, y_pred, names=("y_true", "y_pred"))
    classes = sorted(set(y_true)) if labels is None else list(labels)
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    confusion = np.zeros((k, k))
    for t, p in zip(y_true, y_pred, strict=True):
        if t in index and p in index:
            confusion[index[t], index[p]] += 1
    total = confusion.sum()
    if total == 0 or k < 2:
        return 0.0
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / total
    grid = np.arange(k)
    weights = (grid[:, None] - grid[None, :]) ** 2
    denominator = (weights * expected).sum()
    return float(1 - (weights * confusion).sum() / denominator) if denominator else 0.0


def regression_scores(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, float]:
    """Pearson r on all rows and on rows whose gold score is at least 0.5."""
    true, pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    high = true >= 0.5
    return {"pearson": pearson(true, pred),
            "pearson_gold_ge_0.5": pearson(true[high], pred[high]) if high.sum() > 1 else 0.0}


def ordinal_scores(y_true: Sequence[int], y_pred: Sequence[int]) -> dict[str, float]:
    """Pearson r and quadratic kappa on all rows and on rows whose gold class is not 0.

    Both kappas weigh over the classes of the whole gold set, as the official scorer does: on
    the some-emotion rows an answer of class 0 stays in the matrix, and -1 and 1 stay two
    steps apart.
    """
    true, pred = np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)
    some = true != 0
    classes = sorted(set(true.tolist()))
    return {
        "pearson": pearson(true, pred),
        "pearson_some_emotion": pearson(true[some], pred[some]) if some.sum() > 1 else 0.0,
        "qwk": quadratic_weighted_kappa(true.tolist(), pred.tolist(), labels=classes),
        "qwk_some_emotion": (quadratic_weighted_kappa(true[some].tolist(), pred[some].tolist(),
                                                      labels=classes) if some.any() else 0.0),
    }
