"""Encoder classifiers trained on text alone, for sufficiency: frozen embeddings + logistic
regression (fast), or a fine-tuned encoder (the FRESH / paper set-up).

Targets are label indices (single-label) or a 0/1 indicator matrix (multi-label). Heavy
libraries are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class EncoderSettings:
    path: Path  # a Hugging Face encoder folder
    max_length: int = 128
    batch_size: int = 16
    epochs: int = 3
    learning_rate: float = 5e-5
    seed: int = 42


def embed(texts: Sequence[str], settings: EncoderSettings) -> np.ndarray:
    """Mean-pooled last hidden states of the frozen encoder, one row per text."""
    return Embedder(settings)(texts)


class Embedder:
    """The frozen encoder loaded once; each distinct text is embedded once (AEB's EI-reg and
    EI-oc, or V-reg and V-oc, train on the same tweets)."""

    def __init__(self, settings: EncoderSettings) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.settings = settings
        self.tokenizer = AutoTokenizer.from_pretrained(settings.path)
        self.model = AutoModel.from_pretrained(settings.path).eval()
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if todo:
            self.cache.update(zip(todo, _mean_pooled(todo, self.tokenizer, self.model,
                                                      self.settings), strict=True))
        if not texts:
            return np.zeros((0, self.model.config.hidden_size))
        return np.stack([self.cache[t] for t in texts])


def _mean_pooled(texts: Sequence[str], tokenizer: Any, model: Any,
                 settings: EncoderSettings) -> np.ndarray:
    import torch

    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), 64):
            batch = tokenizer(list(texts[start:start + 64]), padding=True, truncation=True,
                              max_length=settings.max_length, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            rows.append(((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy())
    return np.concatenate(rows) if rows else np.zeros((0, model.config.hidden_size))


def logistic_regression(seed: int) -> Any:
    """The classifier put on frozen embeddings: standardised features, logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))


def frozen_fit_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, *,
                       multi_label: bool, seed: int) -> np.ndarray:
    """Logistic regression on embeddings; one-vs-rest with a 0.5 threshold for multi-label."""
    if not multi_label:
        if len(set(train_y.tolist())) == 1:
            return np.full(len(test_x), train_y[0])
        return logistic_regression(seed).fit(train_x, train_y).predict(test_x)
    columns = []
    for j in range(train_y.shape[1]):
        column = train_y[:, j]
        if column.min() == column.max():  # a label always or never given: predict that
            columns.append(np.full(len(test_x), column[0]))
        else:
            columns.append(logistic_regression(seed).fit(train_x, column).predict(test_x))
    return np.stack(columns, axis=1)


def finetune_fit_predict(train_texts: Sequence[str], train_y: np.ndarray,
                         test_texts: Sequence[str], *, n_labels: int, multi_label: bool,
                         settings: EncoderSettings) -> np.ndarray:
    """Fine-tune the encoder with a fresh classification head (transformers Trainer)."""
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    set_seed(settings.seed)
    tokenizer = AutoTokenizer.from_pretrained(settings.path)
    model = AutoModelForSequenceClassification.from_pretrained(
        settings.path, num_labels=n_labels,
        problem_type="multi_label_classification" if multi_label else "single_label_classification",
    )

    def encode(texts: Sequence[str], labels: np.ndarray | None) -> list[dict]:
        enc = tokenizer(list(texts), truncation=True, max_length=settings.max_length)
        items = [{key: enc[key][i] for key in enc} for i in range(len(texts))]
        if labels is not None:
            for item, label in zip(items, labels, strict=True):
                item["labels"] = (label.astype(np.float32).tolist() if multi_label else int(label))
        return items

    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch, num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            per_device_eval_batch_size=64, learning_rate=settings.learning_rate,
            seed=settings.seed, data_seed=settings.seed, save_strategy="no",
            logging_strategy="no", report_to=[], use_cpu=not torch.cuda.is_available(),
            disable_tqdm=True,
        )
        from transformers import DataCollatorWithPadding

        trainer = Trainer(model=model, args=args, train_dataset=encode(train_texts, train_y),
                          data_collator=DataCollatorWithPadding(tokenizer))
        trainer.train()
        logits = trainer.predict(encode(test_texts, None)).predictions
    if multi_label:
        return (logits > 0).astype(int)  # sigmoid(logit) > 0.5
    return logits.argmax(axis=1)
