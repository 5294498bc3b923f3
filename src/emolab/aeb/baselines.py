"""Baselines of the AEB table, run here and written as ordinary AEB run folders.

- ``vader`` and ``textblob``: the paper's lexicon "tools". Each gives one polarity in [-1, 1];
  it is mapped linearly onto the task's scale (rounded to the nearest class for ordinal
  tasks). They answer only valence / sentiment questions: EI, E-c, GoEmotions and EmoBank's
  arousal and dominance rows are not theirs to answer and are left out (the report says so).
- ``encoder``: frozen all-MiniLM-L6-v2 sentence embeddings with ridge regression (scores),
  logistic regression (classes) or one-vs-rest logistic regression (labels), trained on the
  task's own SemEval-2018 training split — AEB-1 only, as AEB-2 has no training data.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emolab.aeb.benchmark import AebTask, stratified
from emolab.aeb.runner import predictions_path
from emolab.classify.store import PredictionsFile
from emolab.data import Example, load
from emolab.errors import EmolabError
from emolab.tasks import LabelTask, OrdinalTask, Task, get_family, task_of_example

BASELINES = ("vader", "textblob", "encoder")
POLARITY_TASKS = frozenset({"v-reg", "v-oc", "sst", "sst5", "tdt", "vader", "emobank"})


def applicable(baseline: str, task: AebTask) -> bool:
    if baseline == "encoder":  # AEB-1: the SemEval tasks, each trained on its training split
        return task.part == 1 and get_family(task.answer_task).training_set is not None
    return task.answer_task in POLARITY_TASKS


def polarity_function(baseline: str) -> Callable[[str], float]:
    """A function text -> polarity in [-1, 1] (VADER's compound, TextBlob's polarity)."""
    if baseline == "vader":
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError:
            raise EmolabError("the vader baseline needs vaderSentiment: pip install "
                              "'emolab[aeb]'") from None
        analyzer = SentimentIntensityAnalyzer()
        return lambda text: analyzer.polarity_scores(text)["compound"]
    if baseline == "textblob":
        try:
            from textblob import TextBlob
        except ImportError:
            raise EmolabError("the textblob baseline needs textblob: pip install "
                              "'emolab[aeb]'") from None
        return lambda text: TextBlob(text).sentiment.polarity
    raise EmolabError(f"unknown lexicon baseline {baseline!r}")


def on_scale(polarity: float, task: Task) -> float | int:
    """Map a polarity in [-1, 1] linearly onto the task's scale (a class: the nearest one)."""
    scale = task.scale  # type: ignore[attr-defined]
    value = scale.low + (polarity + 1) / 2 * (scale.high - scale.low)
    if isinstance(task, OrdinalTask):
        return min(task.classes, key=lambda c: abs(c - value))
    return round(value, 4)


def lexicon_answers(baseline: str, tasks: Sequence[tuple[Task, Example]]) -> list[Any]:
    polarity = polarity_function(baseline)
    return [on_scale(polarity(example.text), task) for task, example in tasks]


def encoder_answers(task: AebTask, rows: list[Example], *, data_dir: str | None,
                    embed: Callable[[Sequence[str]], np.ndarray], seed: int = 0,
                    train_ids: Collection[str] | None = None) -> list[Any]:
    """Fit on the SemEval training split of ``task`` (per dimension) and answer ``rows``;
    with ``train_ids``, on those training rows only (e.g. the rows a tuned model saw)."""
    from emolab.evaluate.metrics import to_indicator
    from emolab.evaluate.text_classifiers import frozen_fit_predict

    family = get_family(task.answer_task)
    assert family.training_set is not None, f"{family.name} has no training split"
    train = load(family.training_set, "train", data_dir=data_dir)
    if train_ids is not None:
        train = [r for r in train if r.id in train_ids]
        if not train:
            raise EmolabError(f"{task.name}: none of the given training ids is in "
                              f"{family.training_set}'s training split")
    answers: dict[int, Any] = {}
    groups = family.dimensions or (None,)
    for dimension in groups:
        train_rows = [r for r in train if dimension is None or dimension in r.scores]
        test_index = [i for i, r in enumerate(rows) if dimension is None or dimension in r.scores]
        if not test_index:
            continue
        asked = task_of_example(family, (train_rows or rows)[0])
        train_x = embed([r.text for r in train_rows])
        test_x = embed([rows[i].text for i in test_index])
        if isinstance(asked, LabelTask):
            labels = asked.label_set.labels
            y = to_indicator([list(r.labels) for r in train_rows], labels)
            predicted = frozen_fit_predict(train_x, y, test_x, multi_label=True, seed=seed)
            values: list[Any] = [[labels[j] for j in np.flatnonzero(p)] for p in predicted]
        elif isinstance(asked, OrdinalTask):
            y = np.array([int(asked.gold(r)) for r in train_rows])
            values = [int(v) for v in frozen_fit_predict(train_x, y, test_x, multi_label=False,
                                                         seed=seed)]
        else:
            from sklearn.linear_model import RidgeCV

            y = np.array([float(asked.gold(r)) for r in train_rows])
            model = RidgeCV(alphas=np.logspace(-2, 3, 12)).fit(train_x, y)
            low, high = asked.scale.low, asked.scale.high  # type: ignore[attr-defined]
            values = [float(np.clip(v, low, high)) for v in model.predict(test_x)]
        answers.update(zip(test_index, values, strict=True))
    return [answers[i] for i in range(len(rows))]


def run_baseline(baseline: str, tasks: Sequence[AebTask], out: Path, *,
                 limit_per_task: int | None = None, data_dir: str | None = None,
                 on_task: Callable[[str, int], None] | None = None,
                 train_ids: Collection[str] | None = None,
                 embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> dict[str, int]:
    """Write ``out/<TASK>.jsonl`` for every task the baseline can answer; rows per task.
    ``train_ids`` limits the encoder's training rows; ``embed`` is the encoder to use (one
    kept across calls keeps its cache of embedded texts)."""
    if baseline not in BASELINES:
        raise EmolabError(f"unknown baseline {baseline!r}; choose one of: "
                          f"{', '.join(BASELINES)}")
    written = {}
    for task in tasks:
        if not applicable(baseline, task):
            continue
        if baseline == "encoder" and embed is None:
            from emolab.evaluate.text_classifiers import Embedder, EncoderSettings
            from emolab.models import minilm_dir

            embed = Embedder(EncoderSettings(path=minilm_dir()))
        family = get_family(task.answer_task)
        rows = stratified(task.examples(data_dir), limit_per_task)
        if baseline != "encoder" and family.name == "emobank":  # tools rate valence only
            rows = [r for r in rows if "valence" in r.scores]
        asked = [(task_of_example(family, r), r) for r in rows]
        if baseline == "encoder":
            answers = encoder_answers(task, rows, data_dir=data_dir, embed=embed,
                                      train_ids=train_ids)
        else:
            answers = lexicon_answers(baseline, asked)
        path = predictions_path(out, task)
        if path.exists():
            path.unlink()  # a baseline is cheap and deterministic: rewrite, never mix
        with PredictionsFile(path) as store:
            for (one, row), answer in zip(asked, answers, strict=True):
                store.append(_row(baseline, task, one, row, answer))
        written[task.name] = len(rows)
        if on_task is not None:
            on_task(task.name, len(rows))
    return written


def _row(baseline: str, task: AebTask, asked: Task, example: Example, answer: Any
         ) -> dict[str, Any]:
    row = {"id": example.id, "gold": asked.gold(example), "pred": answer, "raw": None,
           "error": None, "task": asked.kind.value, "dataset": task.dataset,
           "model": baseline, "backend": "baseline", "prompt_version": None}
    if asked.dimension is not None:
        row["dimension"] = asked.dimension
    return row
