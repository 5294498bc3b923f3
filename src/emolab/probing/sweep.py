"""Probe every layer: real labels, a control task on shuffled labels, and a majority baseline.

Scores come from the project's metric functions. A probe is trained on the training rows and
scored on the data set's dev split; without one, out-of-fold predictions of k-fold
cross-validation are scored. The control task (Hewitt & Liang 2019, in its simplest form)
trains and scores the same probe on a fixed random permutation of the labels, which keeps the
label distribution and destroys the link to the text; selectivity = real - control.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from emolab.evaluate.metrics import (
    accuracy,
    f1_macro,
    f1_micro,
    jaccard_accuracy,
    precision_recall_f1,
    to_indicator,
)

LayerSource = Callable[[int], np.ndarray]  # layer index -> (rows x width) features


def encode_labels(label_sets: Sequence[Sequence[str]], labels: Sequence[str], *,
                  multi_label: bool) -> np.ndarray:
    """Multi-label: a (rows x labels) 0/1 array; single-label: the index of each row's label."""
    if multi_label:
        return to_indicator(label_sets, labels)
    index = {label: i for i, label in enumerate(labels)}
    return np.array([index[row[0]] for row in label_sets], dtype=np.int64)


def main_metric(multi_label: bool) -> str:
    return "jaccard" if multi_label else "accuracy"


def score(y_true: np.ndarray, y_pred: np.ndarray, *, multi_label: bool,
          n_labels: int) -> dict[str, float]:
    if multi_label:
        return {"jaccard": jaccard_accuracy(y_true, y_pred), "f1_micro": f1_micro(y_true, y_pred),
                "f1_macro": f1_macro(y_true, y_pred)}
    _, _, f1 = precision_recall_f1(list(y_true), list(y_pred), labels=list(range(n_labels)))
    return {"accuracy": accuracy(list(y_true), list(y_pred)), "f1_macro": f1}


def majority_prediction(y_train: np.ndarray, n_rows: int, *, multi_label: bool) -> np.ndarray:
    """The most frequent training class; for multi-label data, the most frequent label *set*
    (for GoEmotions that is {neutral}), which beats predicting every label's majority (empty)."""
    if multi_label:
        sets, counts = np.unique(y_train, axis=0, return_counts=True)
        return np.repeat(sets[np.argmax(counts)][None, :], n_rows, axis=0)
    values, counts = np.unique(y_train, return_counts=True)
    return np.full(n_rows, values[np.argmax(counts)])


def _folds(y: np.ndarray, k: int, seed: int, multi_label: bool):
    from sklearn.model_selection import KFold, StratifiedKFold

    if not multi_label and np.bincount(y).min(initial=k) >= k:
        return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(y, y)
    return KFold(n_splits=k, shuffle=True, random_state=seed).split(y)


def _fit_predict(probe, X_train, y_train, X_eval) -> np.ndarray:
    from sklearn.base import clone

    return clone(probe).fit(X_train, y_train).predict(X_eval)


def _predict(probe, X, y, X_eval, *, cv: int, seed: int, multi_label: bool) -> np.ndarray:
    if X_eval is not None:
        return _fit_predict(probe, X, y, X_eval)
    out = np.zeros_like(y)
    for train_idx, test_idx in _folds(y, cv, seed, multi_label):
        out[test_idx] = _fit_predict(probe, X[train_idx], y[train_idx], X[test_idx])
    return out


@dataclass
class SweepResult:
    rows: list[dict]  # one per (layer, probe)
    baseline: dict[str, float]
    multi_label: bool
    eval_target: np.ndarray  # gold labels the scores are computed on
    predictions: dict[tuple[int, str], np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def metric(self) -> str:
        return main_metric(self.multi_label)

    def best(self, probe: str | None = None) -> dict:
        """Row with the highest main metric (first layer on ties)."""
        rows = [r for r in self.rows if probe is None or r["probe"] == probe]
        return max(rows, key=lambda r: (r[self.metric], -r["layer"]))


def run_sweep(train: LayerSource, y_train: np.ndarray, *, layers: Sequence[int],
              n_labels: int, probes: Sequence[str] = ("linear", "mlp"),
              evaluate: LayerSource | None = None, y_eval: np.ndarray | None = None,
              cv: int = 5, seed: int = 0, control: bool = True, n_layers: int | None = None,
              progress: bool = True, description: str = "probe") -> SweepResult:
    """Fit each probe on each layer; ``evaluate``/``y_eval`` is the dev split (None: k-fold)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from emolab.probing.probes import Probe

    multi_label = y_train.ndim == 2
    target = y_train if evaluate is None else y_eval
    rng = np.random.default_rng(seed)
    control_train = y_train[rng.permutation(len(y_train))]
    # Under k-fold the shuffled training labels are also the ones scored out of fold.
    control_target = control_train if evaluate is None else target[rng.permutation(len(target))]
    baseline = score(target, majority_prediction(y_train, len(target), multi_label=multi_label),
                     multi_label=multi_label, n_labels=n_labels)
    depth = max((n_layers or (max(layers) + 1)) - 1, 1)
    result = SweepResult([], baseline, multi_label, target)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), disable=not progress)
    # One BLAS thread: probe matrices are small, and on a busy machine OpenBLAS threads that
    # spin-wait for each other made a logistic regression fit 30x slower (measured here).
    from threadpoolctl import threadpool_limits

    with bar, threadpool_limits(limits=1, user_api="blas"):
        task = bar.add_task(description, total=len(layers) * len(probes))
        for layer in layers:
            X = np.asarray(train(layer), dtype=np.float32)
            X_eval = None if evaluate is None else np.asarray(evaluate(layer), dtype=np.float32)
            for name in probes:
                started = time.perf_counter()
                probe = Probe(estimator=name, seed=seed)
                kwargs = {"cv": cv, "seed": seed, "multi_label": multi_label}
                predicted = _predict(probe, X, y_train, X_eval, **kwargs)
                real = score(target, predicted, multi_label=multi_label, n_labels=n_labels)
                row = {"layer": layer, "relative_depth": layer / depth, "probe": name, **real}
                if control:
                    shuffled = _predict(probe, X, control_train, X_eval, **kwargs)
                    ctrl = score(control_target, shuffled, multi_label=multi_label,
                                 n_labels=n_labels)
                    for metric, value in ctrl.items():
                        row[f"control_{metric}"] = value
                        row[f"selectivity_{metric}"] = real[metric] - value
                for metric, value in baseline.items():
                    row[f"baseline_{metric}"] = value
                row["seconds"] = time.perf_counter() - started
                result.rows.append(row)
                result.predictions[(layer, name)] = predicted
                bar.advance(task)
    return result
