"""The sweep finds a signal planted in one layer only, and the control task stays at chance."""

from __future__ import annotations

import numpy as np
import pytest

from emolab.probing.sweep import encode_labels, majority_prediction, run_sweep, score

N_LAYERS, WIDTH, N_CLASSES, PLANTED = 5, 24, 3, 2


def planted_layers(y: np.ndarray, seed: int) -> np.ndarray:
    """(layers x rows x width) noise; in layer PLANTED the label moves rows along its own axis."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_LAYERS, len(y), WIDTH)).astype(np.float32)
    directions = np.random.default_rng(99).normal(size=(y.shape[-1] if y.ndim == 2 else
                                                        N_CLASSES, WIDTH))
    signal = (y if y.ndim == 2 else np.eye(N_CLASSES)[y]) @ directions
    X[PLANTED] += 2.0 * signal
    return X


@pytest.mark.parametrize("probes", [("linear",), ("mlp",)])
def test_single_label_signal_found_in_planted_layer(probes):
    rng = np.random.default_rng(0)
    y_train, y_dev = rng.integers(0, N_CLASSES, 300), rng.integers(0, N_CLASSES, 150)
    X_train, X_dev = planted_layers(y_train, 1), planted_layers(y_dev, 2)
    result = run_sweep(lambda i: X_train[i], y_train, evaluate=lambda i: X_dev[i], y_eval=y_dev,
                       layers=range(N_LAYERS), n_labels=N_CLASSES, probes=probes,
                       progress=False)
    assert result.best()["layer"] == PLANTED
    by_layer = {r["layer"]: r for r in result.rows}
    assert by_layer[PLANTED]["accuracy"] > 0.9
    for layer, row in by_layer.items():
        assert row["control_accuracy"] < 0.5  # chance is 1/3
        if layer != PLANTED:
            assert row["accuracy"] < 0.5
    assert by_layer[PLANTED]["selectivity_accuracy"] > 0.4
    assert 0.2 < result.baseline["accuracy"] < 0.5


def test_multi_label_signal_with_cross_validation():
    rng = np.random.default_rng(3)
    y = (rng.random((240, 4)) < 0.3).astype(np.int8)
    X = planted_layers(y, 4)
    result = run_sweep(lambda i: X[i], y, layers=range(N_LAYERS), n_labels=4,
                       probes=("linear",), cv=3, progress=False)
    assert result.metric == "jaccard"
    by_layer = {r["layer"]: r for r in result.rows}
    assert result.best()["layer"] == PLANTED
    assert by_layer[PLANTED]["f1_micro"] > 0.8
    assert by_layer[PLANTED]["control_f1_micro"] < 0.45
    assert all(by_layer[i]["f1_macro"] < 0.5 for i in by_layer if i != PLANTED)


def test_majority_and_score_helpers():
    y = np.array([0, 1, 1, 2, 1])
    assert (majority_prediction(y, 3, multi_label=False) == 1).all()
    sets = np.array([[1, 0], [1, 0], [0, 1]])
    assert majority_prediction(sets, 2, multi_label=True).tolist() == [[1, 0], [1, 0]]
    assert score(np.array([0, 1]), np.array([0, 0]), multi_label=False, n_labels=2)["accuracy"] \
        == 0.5
    assert encode_labels([("b",), ("a",)], ["a", "b"], multi_label=False).tolist() == [1, 0]
    assert encode_labels([("a", "b"), ()], ["a", "b"], multi_label=True).tolist() == \
        [[1, 1], [0, 0]]
