"""Comprehensiveness of explanations (ERASER, DeYoung et al. 2020), for generated ones.

ERASER asks whether the words a rationale points at carry the answer: delete them from the
text, ask the same model again, and the answer should move. Here the rationale is the words
an explanation quotes of its text (``emolab.evaluate.evidence``). Every row is asked twice
more: once without its quoted words, once without as many words picked at random (the
control). Comprehensiveness is the share of answers that changed without the quoted words;
the control says how often deleting just as many words changes them anyway. Higher than the
control is better; the two are reported together, with the mean Jaccard distance between the
labels before and after.

Rows whose answer was unreadable or whose explanation quotes nothing of its text have no
rationale to delete: they are counted, not scored. A re-asked answer that cannot be read
counts as changed, in both arms alike, and is counted too. Label tasks only for now.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from emolab.errors import EmolabError
from emolab.evaluate.evidence import label_evidence
from emolab.evaluate.predictions import PredictionRow

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Erasure:
    """One row's two variants of its text."""

    id: str
    quotes: tuple[str, ...]
    without_quotes: str
    control: str  # as many words as ``without_quotes`` lost, deleted at random
    words_deleted: int


def erase_quotes(text: str, quotes: Iterable[str]) -> tuple[str, int]:
    """``text`` without every occurrence of each quote (any case); how many words went."""
    deleted = 0
    for quote in sorted(set(quotes), key=len, reverse=True):  # "won the cup" before "won"
        pattern = re.compile(re.escape(quote.strip()), re.IGNORECASE)
        deleted += len(pattern.findall(text)) * len(quote.split())
        text = pattern.sub(" ", text)
    return _SPACE.sub(" ", text).strip(), deleted


def erase_random(text: str, count: int, rng: random.Random) -> str:
    """``text`` without ``count`` of its words (split at white space), picked at random."""
    words = text.split()
    gone = set(rng.sample(range(len(words)), min(count, len(words))))
    return " ".join(w for i, w in enumerate(words) if i not in gone)


def erasures(rows: Iterable[PredictionRow], texts: dict[str, str], *, seed: int = 42
             ) -> tuple[list[Erasure], dict[str, int]]:
    """The erasures of the rows that have a rationale, and counts of those that have none."""
    rng = random.Random(seed)
    found: list[Erasure] = []
    skipped = {"unreadable": 0, "no_quote_of_the_text": 0}
    for row in rows:
        explanation = (row.parsed or {}).get("explanation")
        if row.pred is None or not isinstance(explanation, str):
            skipped["unreadable"] += 1
            continue
        if row.id not in texts:
            raise EmolabError(f"row {row.id!r} (line {row.line}) is not in the data set's "
                              "split: give the --split the predictions were made on")
        text = texts[row.id]
        quotes = label_evidence(explanation, text, []).quotes
        without, deleted = erase_quotes(text, quotes)
        if not quotes or deleted == 0:
            skipped["no_quote_of_the_text"] += 1
            continue
        found.append(Erasure(row.id, quotes, without, erase_random(text, deleted, rng), deleted))
    return found, skipped


def comprehensiveness(classifier: Any, rows: list[PredictionRow], texts: dict[str, str], *,
                      seed: int = 42, on_batch: Callable[[int], None] | None = None,
                      on_total: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Ask ``classifier`` (the model that wrote ``rows``, on their task) about each row's text
    without its quoted words and without as many random words; compare with ``rows``' labels.
    ``texts``: the data set's texts by id. ``on_total(n)``: n texts will be asked;
    ``on_batch(n)``: n more texts answered."""
    from emolab.tasks import LabelTask

    task = classifier.task
    if not isinstance(task, LabelTask):
        raise EmolabError(f"comprehensiveness covers label tasks for now, not {task.id}")
    kinds = {row.task for row in rows if row.task is not None}
    if len(kinds) == 1 and (kind := kinds.pop()) is not task.kind:  # e.g. DAIR's one label
        task = LabelTask(task.label_set, kind)
    todo, skipped = erasures(rows, texts, seed=seed)
    if on_total is not None:
        on_total(2 * len(todo))
    before = {row.id: _labels(row.pred) for row in rows}
    arms = {"without_quotes": [e.without_quotes for e in todo],
            "random_control": [e.control for e in todo]}
    after = {arm: _answers(classifier, task, variants, on_batch)
             for arm, variants in arms.items()}
    report: dict[str, Any] = {"rows": len(rows), "scored": len(todo), **skipped,
                              "mean_words_deleted": round(
                                  sum(e.words_deleted for e in todo) / len(todo), 2) if todo
                              else 0.0}
    for arm, answers in after.items():
        distances = [_distance(before[e.id], got) for e, got in zip(todo, answers, strict=True)]
        report[arm] = {
            "changed_share": round(sum(d > 0 for d in distances) / len(todo), 4) if todo else 0.0,
            "mean_jaccard_distance": round(sum(distances) / len(todo), 4) if todo else 0.0,
            "unreadable": sum(got is None for got in answers)}
    report["examples"] = [{"id": e.id, "quotes": list(e.quotes), "without_quotes":
                           e.without_quotes, "before": sorted(before[e.id]),
                           "after": sorted(got) if got is not None else None}
                          for e, got in list(zip(todo, after["without_quotes"], strict=True))[:5]]
    return report


def _answers(classifier: Any, task: Any, texts: list[str],
             on_batch: Callable[[int], None] | None) -> list[set[str] | None]:
    size = max(1, getattr(classifier.backend, "batch_size", 1))
    answers: list[set[str] | None] = []
    for start in range(0, len(texts), size):
        chunk = [t if t.strip() else "." for t in texts[start:start + size]]  # all deleted
        results = classifier.classify_many(chunk, [classifier.task] * len(chunk))
        for result in results:
            best = result.best
            answers.append(None if best.error is not None or best.parsed is None
                           else _labels(task.pred(best.parsed)))
        if on_batch is not None:
            on_batch(len(chunk))
    return answers


def _labels(pred: Any) -> set[str]:
    return {pred} if isinstance(pred, str) else set(pred or [])


def _distance(before: set[str], after: set[str] | None) -> float:
    if after is None:
        return 1.0
    union = before | after
    return 1 - len(before & after) / len(union) if union else 0.0


def comprehensiveness_file(path: Any, *, split: str, data_dir: Any = None, model: str | None = None,
                           backend: str = "llamacpp", threads: int | None = None,
                           limit: int | None = None, seed: int = 42,
                           on_batch: Callable[[int], None] | None = None,
                           on_total: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Comprehensiveness of a predictions file's explanations: its rows' data set (their
    ``dataset``) and ``split`` give the texts; ``model`` / ``backend`` must be what wrote the
    predictions (``default`` is the model policy's choice, as ``emolab classify`` makes it)."""
    from emolab.backends import load_backend
    from emolab.classify import Classifier
    from emolab.data import load
    from emolab.data.registry import get_dataset
    from emolab.evaluate.predictions import read_predictions
    from emolab.models.policy import choose_model
    from emolab.tasks import get_family

    rows = read_predictions(path)[:limit]
    names = {row.dataset for row in rows}
    if len(names) != 1 or None in names:
        raise EmolabError(f"{path}: comprehensiveness needs rows of one named data set "
                          f"(their 'dataset' field), found {sorted(map(str, names))}")
    dataset = names.pop()
    texts = {e.id: e.text for e in load(dataset, split, data_dir=data_dir)}
    family = get_family(get_dataset(dataset).answer_task)
    written_with = {row.prompt_version for row in rows} - {None}
    chosen = choose_model(model, backend, [family.name],
                          written_with.pop() if len(written_with) == 1 else None)
    options = {"model": chosen.model, "n_threads": threads} if threads else {"model": chosen.model}
    with load_backend(backend, **options) as engine:
        classifier = Classifier(engine, family.task(None), prompt_version=chosen.prompt_version)
        report = comprehensiveness(classifier, rows, texts, seed=seed, on_batch=on_batch,
                                   on_total=on_total)
    return {"predictions": str(path), "dataset": dataset, "split": split,
            "model": engine.model_id, "prompt_version": chosen.prompt_version, **report}
