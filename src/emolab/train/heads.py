"""Fit score heads (``emolab.readout``) on the shipped model's own hidden states.

For every score and class task asked for, each training text of its SemEval-2018 split is
embedded by the backend (``LlamaCppBackend.embed``: the mean of the last layer's states) and a
ridge regression maps the embedding to the gold score or class, its penalty chosen by
cross-validation on the training rows. Dev rows are embedded too, only to report each head's
Pearson r on the task's scale; they are never fitted on. Embeddings are kept in an ``.npz``
cache beside the output, so a killed fit embeds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from emolab.classify.prompts import clean_text
from emolab.data import load
from emolab.errors import EmolabError
from emolab.readout import Head, Readout
from emolab.tasks import OrdinalTask, ScoreTask, Task, get_family, task_of_example

FEATURES = "llama.cpp mean-pooled last hidden state of the cleaned text, no chat template"
ALPHAS = tuple(float(a) for a in np.logspace(-1, 4, 11))
CHUNK = 64  # texts embedded between cache saves


class EmbeddingCache:
    """Text -> embedding, saved to an ``.npz`` file as it grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as saved:
                self.vectors = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))

    def fill(self, texts: list[str], embed: Callable[[list[str]], np.ndarray],
             advance: Callable[[int], None]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        advance(len(set(texts)) - len(todo))
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start:start + CHUNK]
            self.vectors.update(zip(chunk, embed(chunk), strict=True))
            self._save()
            advance(len(chunk))

    def matrix(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]).astype(np.float64)

    def _save(self) -> None:
        texts = list(self.vectors)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, texts=np.array(texts), vectors=np.stack([self.vectors[t] for t in texts]))
        partial.replace(self.path)


def rows_by_task(family_name: str, split: str, data_dir: str | None
                 ) -> dict[Task, list[tuple[str, float]]]:
    """(cleaned text, gold) pairs of one split, grouped by task (one per EI emotion)."""
    family = get_family(family_name)
    if family.training_set is None:
        raise EmolabError(f"no training data is known for task {family_name!r}")
    grouped: dict[Task, list[tuple[str, float]]] = {}
    for example in load(family.training_set, split, data_dir=data_dir):
        task = task_of_example(family, example)
        if not isinstance(task, ScoreTask | OrdinalTask):
            raise EmolabError(f"task {family.name!r} is not a score or class task: a score "
                              "head cannot answer it")
        text = clean_text(example.text)
        if text:
            grouped.setdefault(task, []).append((text, float(task.gold(example))))
    return grouped


def fit_readout(embed: Callable[[list[str]], np.ndarray], families: list[str], *,
                model_digest: str, cache: Path, data_dir: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> Readout:
    """Score heads for every task of ``families`` (``ei-reg``, ``v-oc`` ...)."""
    from scipy.stats import pearsonr
    from sklearn.linear_model import RidgeCV

    train = {t: r for f in families for t, r in rows_by_task(f, "train", data_dir).items()}
    dev = {t: r for f in families for t, r in rows_by_task(f, "dev", data_dir).items()}
    texts = [text for rows in (*train.values(), *dev.values()) for text, _ in rows]
    total, done = len(set(texts)), 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    store = EmbeddingCache(cache)
    store.fill(texts, embed, advance)
    readout = Readout({}, FEATURES, model_digest, {"alphas": list(ALPHAS), "rows": {}})
    for task, rows in train.items():
        model = RidgeCV(alphas=ALPHAS).fit(store.matrix([t for t, _ in rows]),
                                           [gold for _, gold in rows])
        head = Head(model.coef_.astype(np.float32), float(model.intercept_))
        readout.heads[task.id] = head
        held = dev.get(task, [])
        predicted = [readout.value(task, store.matrix([t])[0]) for t, _ in held]
        r = float(pearsonr(predicted, [g for _, g in held])[0]) if len(held) > 2 else None
        readout.heads[task.id] = Head(head.weights, head.bias, r)
        readout.info["rows"][task.id] = {"train": len(rows), "dev": len(held),
                                         "alpha": float(model.alpha_)}
    return readout


def describe(readout: Readout) -> list[dict[str, Any]]:
    """One row per head for a table: task, rows, penalty, dev Pearson r."""
    return [{"task": task_id, **readout.info["rows"].get(task_id, {}),
             "dev_pearson": head.dev_pearson} for task_id, head in sorted(readout.heads.items())]
