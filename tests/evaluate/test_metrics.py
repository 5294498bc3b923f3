"""The metric functions agree with scikit-learn / SciPy on random data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    f1_score,
    jaccard_score,
    precision_recall_fscore_support,
)

from emolab.evaluate import metrics

SEEDS = range(20)


def random_indicators(seed: int, n: int = 60, k: int = 11, density: float = 0.25):
    rng = np.random.default_rng(seed)
    y_true = (rng.random((n, k)) < density).astype(int)
    y_pred = (rng.random((n, k)) < density).astype(int)
    y_true[:3] = 0  # rows with empty gold ...
    y_pred[:2] = 0  # ... two of them with empty predictions too
    return y_true, y_pred


@pytest.mark.parametrize("seed", SEEDS)
def test_jaccard_matches_official_definition(seed):
    y_true, y_pred = random_indicators(seed)
    expected = jaccard_score(y_true, y_pred, average="samples", zero_division=1.0)
    assert metrics.jaccard_accuracy(y_true, y_pred) == pytest.approx(expected)


def test_jaccard_all_empty_row_scores_one_and_failed_rows_zero():
    y_true = np.array([[0, 0], [1, 0]])
    y_pred = np.array([[0, 0], [1, 0]])
    assert metrics.jaccard_accuracy(y_true, y_pred) == 1.0
    assert metrics.jaccard_accuracy(y_true, y_pred, failed=[True, False]) == 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_micro_and_macro_f1(seed):
    y_true, y_pred = random_indicators(seed, density=0.1)
    y_true[:, -1] = 0
    y_pred[:, -1] = 0  # a label nobody has: scikit-learn's zero_division=0 convention
    assert metrics.f1_micro(y_true, y_pred) == pytest.approx(
        f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert metrics.f1_macro(y_true, y_pred) == pytest.approx(
        f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert metrics.f1_per_label(y_true, y_pred) == pytest.approx(
        f1_score(y_true, y_pred, average=None, zero_division=0))


LABELS = ["anger", "fear", "joy", "sadness", "love", "surprise"]


def random_labels(seed: int, n: int = 80):
    rng = np.random.default_rng(seed)
    gold = list(rng.choice(LABELS[:-1], n))  # "surprise" never gold: zero-support label
    pred = list(rng.choice([*LABELS, "<unreadable>"], n))
    return gold, pred


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_single_label_precision_recall_f1(seed, average):
    gold, pred = random_labels(seed)
    ours = metrics.precision_recall_f1(gold, pred, labels=LABELS, average=average)
    p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=LABELS, average=average,
                                                 zero_division=0)
    assert ours == pytest.approx((p, r, f))
    assert metrics.accuracy(gold, pred) == pytest.approx(accuracy_score(gold, pred))


def test_unreadable_prediction_is_wrong_not_skipped():
    gold = ["joy", "fear"]
    assert metrics.accuracy(gold, ["joy", None]) == 0.5
    _, recall, _ = metrics.precision_recall_f1(gold, ["joy", None], labels=["joy", "fear"])
    assert recall == 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_pearson(seed):
    rng = np.random.default_rng(seed)
    x = rng.random(50)
    y = 0.5 * x + rng.random(50)
    assert metrics.pearson(x, y) == pytest.approx(pearsonr(x, y)[0])


def test_pearson_constant_prediction_scores_zero():
    assert metrics.pearson([0.1, 0.5, 0.9], [0.5, 0.5, 0.5]) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_quadratic_kappa_with_gold_classes(seed):
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 4, 70)
    pred = np.clip(gold + rng.integers(-2, 3, 70), -1, 4)  # some predictions outside 0..3
    classes = sorted(set(gold.tolist()))
    expected = cohen_kappa_score(gold, pred, weights="quadratic", labels=classes)
    assert metrics.quadratic_weighted_kappa(gold.tolist(), pred.tolist()) == pytest.approx(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_ordinal_scores_on_some_emotion_subset(seed):
    rng = np.random.default_rng(seed)
    gold = rng.integers(-3, 4, 90)
    pred = np.clip(gold + rng.integers(-1, 2, 90), -3, 3)
    scores = metrics.ordinal_scores(gold, pred)
    some = gold != 0
    assert scores["pearson"] == pytest.approx(pearsonr(gold, pred)[0])
    assert scores["pearson_some_emotion"] == pytest.approx(pearsonr(gold[some], pred[some])[0])
    # The official scorer weighs the subset's kappa over every gold class (0 included), so an
    # answer of 0 on a some-emotion row stays in the matrix and -1, 1 stay two steps apart.
    assert scores["qwk_some_emotion"] == pytest.approx(cohen_kappa_score(
        gold[some], pred[some], weights="quadratic", labels=sorted(set(gold.tolist()))))


def test_regression_high_subset():
    gold = [0.2, 0.6, 0.7, 0.9]
    pred = [0.9, 0.5, 0.6, 0.95]
    scores = metrics.regression_scores(gold, pred)
    assert scores["pearson_gold_ge_0.5"] == pytest.approx(pearsonr(gold[1:], pred[1:])[0])


def test_multiple_choice_by_category():
    correct = [metrics.item_correct(["Joy", "c2"], ["Joy", "c2"]),
               metrics.item_correct(["Joy", "c2"], ["Joy", "c1"]),  # emotion right, cause wrong
               metrics.item_correct(["a"], None)]
    result = metrics.mcq_accuracy(correct, categories=["x", "x", "y"])
    assert correct == [True, False, False]
    assert result["accuracy"] == pytest.approx(1 / 3)
    assert result["by_category"] == {"x": {"accuracy": 0.5, "n": 2}, "y": {"accuracy": 0.0, "n": 1}}


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="differ in length"):
        metrics.accuracy(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="only 0 and 1"):
        metrics.jaccard_accuracy(np.array([[2]]), np.array([[1]]))
    with pytest.raises(ValueError, match="no samples"):
        metrics.pearson([], [])
    with pytest.raises(TypeError):
        metrics.precision_recall_f1(["a"], ["a"], ["a"])  # options are keyword-only
