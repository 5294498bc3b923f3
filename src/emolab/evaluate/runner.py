"""Score a predictions file with the metrics that fit its task.

Unreadable outputs are never skipped. They count as wrong where "wrong" has a meaning
(classification, multiple choice) and are imputed with a constant where scores are correlated
(regression: 0.5, the official scorer's value; ordinal: class 0). Their share is always reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from statistics import fmean
from typing import Any

from emolab.data.records import TaskKind
from emolab.errors import DataFormatError, EmolabError
from emolab.evaluate import metrics
from emolab.evaluate.predictions import PredictionRow, read_predictions

FAILURE_RULES = {
    TaskKind.MULTI_LABEL: "read as no emotion, as the official scorers do (its gold labels are "
                          "false negatives; against an empty gold row it scores Jaccard 1)",
    TaskKind.SINGLE_LABEL: "scored as a wrong answer (a false negative of its gold class)",
    TaskKind.REGRESSION: "imputed with {value:g} ({why})",
    TaskKind.ORDINAL: "imputed with class {value:g} ({why})",
    TaskKind.MULTIPLE_CHOICE: "scored as a wrong answer",
}
# Without a known data set: SemEval-2018's scorer puts 0.5 for an invalid score; class 0.
REGRESSION_FALLBACK = 0.5
ORDINAL_FALLBACK = 0


def evaluate_file(path: str | Path, *, task: TaskKind | None = None,
                  labels: Sequence[str] | None = None) -> dict[str, Any]:
    rows = read_predictions(path)
    if not rows:
        raise DataFormatError(path, "no prediction rows")
    report = evaluate_rows(rows, path=Path(path), task=task, labels=labels)
    report["file"] = str(path)
    return report


def resolve_task(rows: list[PredictionRow], path: Path, task: TaskKind | None,
             labels: Sequence[str] | None) -> tuple[TaskKind, tuple[str, ...], str | None]:
    datasets = {row.dataset for row in rows if row.dataset}
    if len(datasets) > 1:
        raise DataFormatError(path, f"rows from several data sets: {', '.join(sorted(datasets))}",
                              field="dataset")
    dataset = next(iter(datasets), None)
    info = None
    if dataset is not None:
        from emolab.data import get_dataset

        try:
            info = get_dataset(dataset)
        except EmolabError:
            info = None  # a data set of the user's own: task and labels must come from elsewhere
    tasks = {row.task for row in rows if row.task}
    if task is None:
        if len(tasks) > 1:
            raise DataFormatError(path, f"rows of several tasks: {sorted(t.value for t in tasks)}",
                                  field="task")
        task = next(iter(tasks), None) or (info.task if info else None)
    if task is None:
        raise EmolabError(f"{path}: cannot tell the task; add a 'task' or a known 'dataset' field "
                          "to the rows, or pass --task")
    if labels is None and info is not None:
        labels = info.scored_labels
    if task in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL) and not labels:
        raise EmolabError(f"{path}: unknown label set; pass --labels a,b,c or use a known dataset")
    return task, tuple(labels or ()), dataset


def evaluate_rows(rows: list[PredictionRow], *, path: Path = Path("<rows>"),
                  task: TaskKind | None = None, labels: Sequence[str] | None = None
                  ) -> dict[str, Any]:
    """The metrics of ``rows``; rows of several languages of one data set are scored per
    language and averaged over the languages, as SemEval-2025 Task 11 ranks them."""
    languages = _by_language(rows, path)
    if languages:
        return _languages_report(languages, path=path, task=task, labels=labels)
    task, label_set, dataset = resolve_task(rows, path, task, labels)
    failed = [row.failed for row in rows]
    imputed, why, scale = _imputation(dataset, task)
    scorer = {
        TaskKind.MULTI_LABEL: _multi_label, TaskKind.SINGLE_LABEL: _single_label,
        TaskKind.REGRESSION: partial(_regression, fallback=imputed, unit_scale=scale == (0, 1)),
        TaskKind.ORDINAL: partial(_ordinal, fallback=imputed),
        TaskKind.MULTIPLE_CHOICE: _multiple_choice,
    }.get(task)
    if scorer is None:
        raise EmolabError(f"no metrics for task {task.value!r}")
    report: dict[str, Any] = {"task": task.value, "dataset": dataset, "rows": len(rows)}
    report.update(scorer(rows, failed, label_set, path))
    mask = report.pop("failed_mask", failed)
    report["failed"] = sum(mask)
    report["failure_rate"] = sum(mask) / len(rows)
    report["failure_rule"] = FAILURE_RULES[task].format(value=imputed, why=why)
    kinds: dict[str, int] = defaultdict(int)
    for row, row_failed in zip(rows, mask, strict=True):
        if row_failed:
            # The error's text up to a colon is its kind ("invalid JSON: ..." -> "invalid JSON").
            reason = row.error or ("no prediction" if row.pred is None else "label outside the set")
            kinds[reason.split(":")[0]] += 1
    report["failures_by_kind"] = dict(kinds)
    official = _official_metric(dataset)
    if official is not None and official in report["metrics"]:
        report["official"] = {"metric": official, "value": report["metrics"][official]}
    return report


def _official_metric(dataset: str | None) -> str | None:
    if dataset is None:
        return None
    from emolab.data import get_dataset

    try:
        return get_dataset(dataset).official_metric
    except EmolabError:
        return None


def _by_language(rows: list[PredictionRow], path: Path) -> dict[str, list[PredictionRow]]:
    """``{"brighter-a:deu": rows, ...}`` when the rows are of a multilingual data set and more
    than one language (a ``NAME:all`` run names each row's ``language``); else ``{}``."""
    groups: dict[str, list[PredictionRow]] = defaultdict(list)
    every = False  # rows of a NAME:all run are scored per language even if only one is there
    for row in rows:
        every = every or (row.dataset or "").endswith(":all")
        family, _, language = (row.own_dataset or "").partition(":")
        if language == "all":
            raise DataFormatError(path, f"a row of {row.dataset} names no language",
                                  line=row.line, field="language")
        if not language:
            return {}
        groups[f"{family}:{language}"].append(row)
    families = {key.partition(":")[0] for key in groups}
    if (len(groups) < 2 and not every) or len(families) > 1:
        return {}
    return dict(groups)


def _languages_report(groups: dict[str, list[PredictionRow]], *, path: Path,
                      task: TaskKind | None, labels: Sequence[str] | None) -> dict[str, Any]:
    by_language = {}
    for dataset, rows in groups.items():
        # each language is scored with its own label columns
        own = [row.model_copy(update={"dataset": dataset}) for row in rows]
        by_language[dataset.partition(":")[2]] = evaluate_rows(own, path=path, task=task,
                                                               labels=labels)
    reports = list(by_language.values())
    first = reports[0]
    shared = [k for k in first["metrics"] if all(k in r["metrics"] for r in reports)]
    report: dict[str, Any] = {
        "task": first["task"], "dataset": f"{next(iter(groups)).partition(':')[0]}:all",
        "rows": sum(r["rows"] for r in reports), "languages": len(reports),
        "metrics": {k: fmean(r["metrics"][k] for r in reports) for k in shared},
        "by_language": {lang: {"rows": r["rows"], **r["metrics"], "failed": r["failed"]}
                        for lang, r in by_language.items()},
    }
    report["failed"] = sum(r["failed"] for r in reports)
    report["failure_rate"] = report["failed"] / report["rows"]
    report["failure_rule"] = first["failure_rule"]
    kinds: dict[str, int] = defaultdict(int)
    for r in reports:
        for kind, count in r["failures_by_kind"].items():
            kinds[kind] += count
    report["failures_by_kind"] = dict(kinds)
    if "official" in first:
        name = first["official"]["metric"]
        report["official"] = {"metric": name, "value": report["metrics"][name],
                              "averaged_over": "languages"}
    return report


def _imputation(dataset: str | None, task: TaskKind
                ) -> tuple[float, str, tuple[float, float] | None]:
    """What stands in for an unreadable score or class: the task's own value when the data
    set is known (its scale's middle or SemEval's 0.5), else the SemEval-2018 defaults."""
    default = REGRESSION_FALLBACK if task is TaskKind.REGRESSION else ORDINAL_FALLBACK
    if task not in (TaskKind.REGRESSION, TaskKind.ORDINAL):
        return default, "", None
    answer_task = None
    if dataset is not None:
        from emolab.data import get_dataset

        try:
            answer_task = get_dataset(dataset).answer_task
        except EmolabError:
            answer_task = None
    if answer_task is None:
        return default, "the SemEval-2018 scorer's rule" if task is TaskKind.REGRESSION else \
            "no data set known", (0, 1) if task is TaskKind.REGRESSION else None
    from emolab.tasks import get_family

    family = get_family(answer_task)
    scale = family.task(family.dimensions[0] if family.dimensions else None).scale
    return scale.imputed, f"the rule of task {family.name}", (scale.low, scale.high)


def _check_labels(path: Path, row: PredictionRow, values: Sequence[str], labels: Sequence[str],
                  field: str) -> None:
    for value in values:
        if value not in labels:
            raise DataFormatError(path, f"label {value!r} is not in the label set",
                                  line=row.line, field=field)


def _as_list(path: Path, row: PredictionRow, value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise DataFormatError(path, f"expected a list of labels, got {value!r}", line=row.line,
                          field=field)


def _multi_label(rows, failed, labels, path) -> dict[str, Any]:
    gold, pred, mask = [], [], list(failed)
    for i, row in enumerate(rows):
        gold_labels = _as_list(path, row, row.gold, "gold")
        _check_labels(path, row, gold_labels, labels, "gold")
        gold.append(gold_labels)
        predicted = [] if row.failed else _as_list(path, row, row.pred, "pred")
        if any(label not in labels for label in predicted):
            mask[i] = True  # an out-of-set label is an unreadable answer, not a partial one
            predicted = []
        pred.append(predicted)
    y_true, y_pred = metrics.to_indicator(gold, labels), metrics.to_indicator(pred, labels)
    per_label = metrics.f1_per_label(y_true, y_pred)
    return {
        "metrics": {
            # The official rule: an unreadable row is all zeros, so the figures of a
            # submission file written from these rows are the same (the failure share says
            # how many there were).
            "jaccard": metrics.jaccard_accuracy(y_true, y_pred),
            "f1_micro": metrics.f1_micro(y_true, y_pred),
            "f1_macro": metrics.f1_macro(y_true, y_pred),
        },
        "per_label_f1": {label: float(f) for label, f in zip(labels, per_label, strict=True)},
        "failed_mask": mask,
    }


def _single(path: Path, row: PredictionRow, value: Any, field: str) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        raise DataFormatError(path, f"expected one label, got {value!r}", line=row.line,
                              field=field)
    return value


def _single_label(rows, failed, labels, path) -> dict[str, Any]:
    gold = [_single(path, row, row.gold, "gold") for row in rows]
    for row, value in zip(rows, gold, strict=True):
        _check_labels(path, row, [value], labels, "gold")
    pred = [None if row.failed else _single(path, row, row.pred, "pred") for row in rows]
    precision, recall, f1 = metrics.precision_recall_f1(gold, pred, labels=labels)
    wp, wr, wf = metrics.precision_recall_f1(gold, pred, labels=labels, average="weighted")
    _, _, per_label = metrics.precision_recall_f1(gold, pred, labels=labels, average=None)
    return {
        "metrics": {
            "accuracy": metrics.accuracy(gold, pred),
            "precision_macro": precision, "recall_macro": recall, "f1_macro": f1,
            "precision_weighted": wp, "recall_weighted": wr, "f1_weighted": wf,
        },
        "per_label_f1": {label: float(f) for label, f in zip(labels, per_label, strict=True)},
    }


def _numbers(rows, path: Path, fallback: float) -> dict[str, tuple[list[float], list[float]]]:
    by_dimension: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for row in rows:
        gold, pred = row.gold, row.pred
        if not isinstance(gold, (int, float)) or isinstance(gold, bool):
            raise DataFormatError(path, f"expected a number, got {gold!r}", line=row.line,
                                  field="gold")
        if row.failed:
            pred = fallback
        elif not isinstance(pred, (int, float)) or isinstance(pred, bool):
            raise DataFormatError(path, f"expected a number, got {pred!r}", line=row.line,
                                  field="pred")
        golds, preds = by_dimension[row.dimension or "score"]
        golds.append(float(gold))
        preds.append(float(pred))
    return by_dimension


def _macro(per_dimension: dict[str, dict[str, float]]) -> dict[str, float]:
    keys = next(iter(per_dimension.values())).keys()
    return {key: fmean(scores[key] for scores in per_dimension.values()) for key in keys}


def _regression(rows, failed, labels, path, *, fallback: float = REGRESSION_FALLBACK,
                unit_scale: bool = True) -> dict[str, Any]:
    per = {dim: metrics.regression_scores(g, p)
           for dim, (g, p) in _numbers(rows, path, fallback).items()}
    if not unit_scale:  # "gold >= 0.5" is SemEval's high-intensity half of a 0-1 scale only
        per = {dim: {k: v for k, v in scores.items() if k == "pearson"}
               for dim, scores in per.items()}
    return {"metrics": _macro(per), "by_dimension": per}


def _ordinal(rows, failed, labels, path, *, fallback: float = ORDINAL_FALLBACK
             ) -> dict[str, Any]:
    per = {}
    for dim, (g, p) in _numbers(rows, path, fallback).items():
        per[dim] = metrics.ordinal_scores([round(v) for v in g], [round(v) for v in p])
    result = {"metrics": _macro(per), "by_dimension": per}
    # As classes (EmoLLMs reports SST-5 and TDT so): an unreadable answer is wrong here, not
    # imputed, as for any classification.
    gold = [round(float(row.gold)) for row in rows]
    pred = [None if row.failed else round(float(row.pred)) for row in rows]
    result["metrics"]["accuracy"] = metrics.accuracy(gold, pred)
    result["metrics"]["f1_macro"] = metrics.precision_recall_f1(gold, pred,
                                                                labels=sorted(set(gold)))[2]
    return result


def _multiple_choice(rows, failed, labels, path) -> dict[str, Any]:
    correct, categories = [], []
    for row in rows:
        gold = _as_list(path, row, row.gold, "gold")
        pred = None if row.failed else _as_list(path, row, row.pred, "pred")
        correct.append(metrics.item_correct(gold, pred))
        categories.append(row.category or "all")
    result = metrics.mcq_accuracy(correct, categories=categories)
    return {"metrics": {"accuracy": result["accuracy"]}, "by_category": result["by_category"]}
