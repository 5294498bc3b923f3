"""Sufficiency of explanations, as the seed paper reports it (after FRESH, Jain et al. 2020).

A separate encoder classifier is trained on the explanation text alone (the input text is
never shown to it) to predict the labels the explaining model gave; its score on held-out
explanations is the sufficiency — higher is better. Beside it runs a leakage control: the same
with every label word and its inflections masked, so an explanation that merely names its
label does not pass as sufficient. This is not ERASER's sufficiency (p(y|x) − p(y|rationale),
lower is better, for extractive rationales): see the README.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emolab.data.records import TaskKind
from emolab.errors import EmolabError
from emolab.evaluate import metrics
from emolab.evaluate.masking import mask_label_words
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.runner import resolve_task
from emolab.evaluate.text_classifiers import (
    EncoderSettings,
    embed,
    finetune_fit_predict,
    frozen_fit_predict,
)

METHODS = ("finetune", "frozen")


@dataclass(frozen=True)
class SufficiencyConfig:
    """How sufficiency is measured; every field is a command-line option."""

    encoder: str = "minilm"  # "minilm" or a Hugging Face encoder folder
    # "frozen" (MiniLM embeddings + logistic regression) or "finetune" (the whole encoder).
    # Frozen is the default: on 3,000 explanations it scored J 0.90 in 41 s where one epoch of
    # fine-tuning underfit the multi-label head (J 0.43, 71 s; bench/sufficiency.py).
    method: str = "frozen"
    test_size: float = 0.3  # share of explanations held out (ignored with folds)
    folds: int = 0  # k-fold cross-validation when >= 2
    seed: int = 42
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 5e-5
    max_length: int = 128

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise EmolabError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not 0 < self.test_size < 1:
            raise EmolabError("test_size must be between 0 and 1")
        if self.folds == 1 or self.folds < 0:
            raise EmolabError("folds must be 0 (a single split) or at least 2")


def explanation_of(row: PredictionRow) -> str | None:
    """The explanation a row carries: ``parsed.explanation`` or a top-level ``explanation``."""
    value = (row.parsed or {}).get("explanation", (row.model_extra or {}).get("explanation"))
    return value if isinstance(value, str) and value.strip() else None


def _splits(n: int, config: SufficiencyConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(n)
    if config.folds >= 2:
        parts = np.array_split(order, config.folds)
        return [(np.concatenate(parts[:i] + parts[i + 1:]), part) for i, part in enumerate(parts)]
    n_test = max(1, round(n * config.test_size))
    return [(order[n_test:], order[:n_test])]


def _score(y_true: np.ndarray, y_pred: np.ndarray, labels: tuple[str, ...], multi: bool
           ) -> dict[str, float]:
    if multi:
        return {"jaccard": metrics.jaccard_accuracy(y_true, y_pred),
                "f1_micro": metrics.f1_micro(y_true, y_pred),
                "f1_macro": metrics.f1_macro(y_true, y_pred)}
    gold, pred = [labels[i] for i in y_true], [labels[i] for i in y_pred]
    return {"accuracy": metrics.accuracy(gold, pred),
            "f1_macro": metrics.precision_recall_f1(gold, pred, labels=labels)[2]}


def _baseline(train_y: np.ndarray, n_test: int, multi: bool) -> np.ndarray:
    """Always answer the most frequent training target (label set or class)."""
    if multi:
        common = Counter(map(tuple, train_y.tolist())).most_common(1)[0][0]
        return np.tile(np.array(common), (n_test, 1))
    return np.full(n_test, Counter(train_y.tolist()).most_common(1)[0][0])


def _average(scores: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([s[key] for s in scores])) for key in scores[0]}


def score_explanations(explanations: list[str], targets: np.ndarray, labels: tuple[str, ...], *,
                       multi_label: bool, config: SufficiencyConfig, progress=None
                       ) -> dict[str, Any]:
    """Train on explanations -> targets with the configured split; unmasked, masked, baseline."""
    from emolab.models import resolve_model

    settings = EncoderSettings(resolve_model(config.encoder).path, config.max_length,
                               config.batch_size, config.epochs, config.learning_rate, config.seed)
    variants = {"unmasked": explanations,
                "masked": [mask_label_words(text, labels) for text in explanations]}
    splits = _splits(len(explanations), config)
    embedded: dict[str, np.ndarray] = {}
    if config.method == "frozen":  # both variants in one pass: the encoder is loaded once
        stacked = embed([text for texts in variants.values() for text in texts], settings)
        embedded = dict(zip(variants, np.split(stacked, len(variants)), strict=True))
    result: dict[str, Any] = {}
    for name, texts in variants.items():
        features = embedded.get(name)
        scores = []
        for train, test in splits:
            if features is not None:
                pred = frozen_fit_predict(features[train], targets[train], features[test],
                                          multi_label=multi_label, seed=config.seed)
            else:
                pred = finetune_fit_predict([texts[i] for i in train], targets[train],
                                            [texts[i] for i in test], n_labels=len(labels),
                                            multi_label=multi_label, settings=settings)
            scores.append(_score(targets[test], pred, labels, multi_label))
            if progress:
                progress()
        result[name] = _average(scores)
    result["majority_baseline"] = _average([
        _score(targets[test], _baseline(targets[train], len(test), multi_label), labels,
               multi_label) for train, test in splits])
    return result


def sufficiency_file(path: str | Path, config: SufficiencyConfig = SufficiencyConfig(), *,
                     labels: list[str] | None = None, progress=None) -> dict[str, Any]:
    """Sufficiency of the explanations in a predictions file (targets: the model's own labels)."""
    rows = read_predictions(path)
    task, label_set, dataset = resolve_task(rows, Path(path), None, labels)
    if task not in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL):
        raise EmolabError(f"sufficiency needs a classification task, {path} is {task.value}")
    multi = task is TaskKind.MULTI_LABEL
    usable = [(row, explanation_of(row)) for row in rows if not row.failed]
    usable = [(row, text) for row, text in usable if text]
    if len(usable) < 10:
        raise EmolabError(f"{path}: only {len(usable)} rows have an explanation and a readable "
                          "answer; sufficiency needs at least 10")
    index = {label: i for i, label in enumerate(label_set)}
    if multi:
        targets = metrics.to_indicator([row.pred for row, _ in usable], label_set)
    else:
        targets = np.array([index.get(row.pred if isinstance(row.pred, str) else row.pred[0], -1)
                            for row, _ in usable])
        if (targets < 0).any():
            raise EmolabError(f"{path}: a predicted label is outside the label set")
    scores = score_explanations([text for _, text in usable], targets, label_set,
                                multi_label=multi, config=config, progress=progress)
    primary = "jaccard" if multi else "accuracy"
    return {
        "file": str(path), "dataset": dataset, "task": task.value, "definition":
            "FRESH-style sufficiency: score of a classifier trained on explanations alone "
            "(higher is better)",
        "primary_metric": primary, "sufficiency": scores["unmasked"][primary],
        "sufficiency_masked": scores["masked"][primary], **scores,
        "rows": len(rows), "used": len(usable), "excluded_unreadable": len(rows) - len(usable),
        "config": asdict(config),
    }
