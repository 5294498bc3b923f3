"""Probes follow the scikit-learn estimator API, whatever classifier they wrap."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from emolab.errors import EmolabError
from emolab.probing.probes import Probe


def _data(multi_label: bool = False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6)) * np.array([1, 1, 1, 1, 1, 1000.0])  # one huge dimension
    if multi_label:
        y = np.stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.5], axis=1).astype(int)
    else:
        y = np.argmax(X[:, :3], axis=1)  # linearly separable, three classes
    return X, y


@pytest.mark.parametrize("estimator", ["linear", "mlp", "sklearn.svm.LinearSVC",
                                       "sklearn.neighbors.KNeighborsClassifier"])
def test_fit_returns_self_and_sets_fitted_attributes(estimator):
    X, y = _data()
    probe = Probe(estimator=estimator, seed=1)
    assert probe.fit(X, y) is probe
    assert list(probe.classes_) == [0, 1, 2] and probe.n_features_in_ == 6
    assert probe.score(X, y) > 0.8  # learnable once the huge dimension is standardized away
    copy = clone(probe)
    assert copy.get_params() == {"estimator": estimator, "seed": 1, "standardize": True}
    assert not hasattr(copy, "pipeline_")


@pytest.mark.parametrize("estimator", ["linear", "mlp", "sklearn.svm.LinearSVC"])
def test_multi_label_targets(estimator):
    X, y = _data(multi_label=True)
    predicted = Probe(estimator=estimator).fit(X, y).predict(X)
    assert predicted.shape == y.shape
    assert (predicted == y).mean() > 0.8


def test_seed_makes_mlp_repeatable():
    X, y = _data()
    first = Probe("mlp", seed=3).fit(X, y).predict(X)
    assert np.array_equal(first, Probe("mlp", seed=3).fit(X, y).predict(X))


def test_unknown_probe_is_a_clear_error():
    X, y = _data()
    with pytest.raises(EmolabError, match="importable"):
        Probe("sklearn.nothing.Here").fit(X, y)
    with pytest.raises(EmolabError, match="not a classifier"):
        Probe("numpy.ndarray").fit(X, y)
