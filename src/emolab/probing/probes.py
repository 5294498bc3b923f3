"""Probes: scikit-learn classifiers on standardized features, behind the estimator API.

``Probe(estimator="linear")`` is itself an estimator (``fit`` returns self, fitted attributes
end in ``_``), so it clones, pickles and slots into scikit-learn tools. ``estimator`` is a
short name (``linear``, ``mlp``) or the import path of any scikit-learn classifier, such as
``sklearn.svm.LinearSVC``.
"""

from __future__ import annotations

import importlib

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from emolab.errors import EmolabError

SHORT_NAMES = {
    "linear": "sklearn.linear_model.LogisticRegression",
    "mlp": "sklearn.neural_network.MLPClassifier",
}
# Settings of the named probes: an L2 logistic regression (C=0.1: a few thousand rows of a
# 500-wide layer overfit at C=1 and converge slower), and one small hidden layer with
# early stopping so a 576-wide layer on a few thousand rows cannot simply memorize.
DEFAULTS = {
    "linear": {"C": 0.1, "max_iter": 1000},
    "mlp": {"hidden_layer_sizes": (128,), "alpha": 1e-3, "early_stopping": True,
            "max_iter": 200, "learning_rate_init": 1e-3},
}
# Classifiers that take a (rows x labels) 0/1 target as it is; others go one-vs-rest.
NATIVE_MULTILABEL = {"sklearn.neural_network.MLPClassifier", "sklearn.neighbors.KNeighborsClassifier",
                     "sklearn.tree.DecisionTreeClassifier", "sklearn.ensemble.RandomForestClassifier"}


def import_class(path: str) -> type:
    module_name, _, class_name = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as err:
        raise EmolabError(f"probe {path!r} is neither linear, mlp nor an importable class") from err
    if not (hasattr(cls, "fit") and hasattr(cls, "predict")):
        raise EmolabError(f"probe {path!r} has no fit/predict: not a classifier")
    return cls


def build_classifier(estimator: str, *, seed: int, multi_label: bool):
    """A fresh, unfitted classifier for ``estimator`` (short name or import path)."""
    path = SHORT_NAMES.get(estimator, estimator)
    cls = import_class(path)
    classifier = cls(**DEFAULTS.get(estimator, {}))
    if "random_state" in classifier.get_params():
        classifier.set_params(random_state=seed)
    if multi_label and path not in NATIVE_MULTILABEL:
        from sklearn.multiclass import OneVsRestClassifier

        classifier = OneVsRestClassifier(classifier)
    return classifier


class Probe(ClassifierMixin, BaseEstimator):
    """A classifier on standardized activations.

    Parameters
    ----------
    estimator: ``"linear"``, ``"mlp"`` or an import path of a scikit-learn classifier.
    seed: random state of the classifier (and of nothing else).
    standardize: scale every feature to zero mean and unit variance on the training rows;
        hidden states have a few huge dimensions that would otherwise dominate.
    """

    def __init__(self, estimator: str = "linear", seed: int = 0, standardize: bool = True):
        self.estimator = estimator
        self.seed = seed
        self.standardize = standardize

    def fit(self, X, y):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        self.multi_label_ = y.ndim == 2
        classifier = build_classifier(self.estimator, seed=self.seed,
                                      multi_label=self.multi_label_)
        steps = [StandardScaler(), classifier] if self.standardize else [classifier]
        self.pipeline_ = make_pipeline(*steps).fit(X, y)
        self.classes_ = (np.arange(y.shape[1]) if self.multi_label_ else np.unique(y))
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return self.pipeline_.predict(np.asarray(X, dtype=np.float32))
