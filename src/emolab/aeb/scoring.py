"""AEB scores: of a run folder (one predictions file per task) or of answers made elsewhere.

Every row counts: an unreadable answer is a failure scored by the evaluation's rule (a wrong
answer for labels; the task's imputed value for correlations), and its share is reported
beside the score. The headline of E-c and GoEmotions is the Jaccard accuracy (SemEval's
definition), not the paper's "accuracy", which is computed differently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from emolab.aeb.benchmark import AEB_TASKS, BY_NAME, AebTask, get_aeb_tasks
from emolab.aeb.freetext import read_answer
from emolab.aeb.runner import predictions_path
from emolab.data.reading import iter_jsonl
from emolab.errors import DataFormatError, EmolabError
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.runner import evaluate_rows
from emolab.run_folder import MANIFEST
from emolab.tasks import get_family

_EMOTION = re.compile(r"Emotion E: (\w+)")


def summarize(task: AebTask, report: dict[str, Any]) -> dict[str, Any]:
    """The figures the AEB tables show for one task, by the paper's column keys."""
    columns = {}
    for column in task.columns:
        if column.dimension is None:
            columns[column.key] = report["metrics"][column.metric]
        elif column.dimension in report.get("by_dimension", {}):
            columns[column.key] = report["by_dimension"][column.dimension][column.metric]
    summary = {"columns": columns, "rows": report["rows"], "failed": report["failed"],
               "failure_rate": report["failure_rate"], "failure_rule": report["failure_rule"]}
    if "by_dimension" in report and len(report["by_dimension"]) > 1:
        summary["by_dimension"] = {dim: scores.get("pearson")
                                   for dim, scores in report["by_dimension"].items()}
    return summary


def scored_rows(task: AebTask, rows: list[PredictionRow], path: Path, *,
                resamples: int = 0, seed: int = 0) -> dict[str, Any]:
    """``summarize`` of the rows, with 95% bootstrap intervals of its columns under
    ``"intervals"`` when ``resamples`` > 0 (``emolab.evaluate.intervals``; EI rows are drawn
    within their emotion)."""
    summary = summarize(task, evaluate_rows(rows, path=path))
    if resamples:
        from emolab.evaluate.intervals import bootstrap

        summary["intervals"] = bootstrap(
            rows, lambda picked: summarize(task, evaluate_rows(picked, path=path))["columns"],
            resamples=resamples, seed=seed, stratum=lambda row: row.dimension)
    return summary


def score_run(run: str | Path, *, resamples: int = 0) -> dict[str, Any]:
    """Scores of every AEB task a run folder holds (with bootstrap intervals over
    ``resamples`` resamples, if any)."""
    run = Path(run)
    if not run.is_dir():
        raise EmolabError(f"{run}: no such run folder")
    manifest = run / MANIFEST
    settings = json.loads(manifest.read_text()).get("settings", {}) if manifest.is_file() else {}
    scores = {}
    for task in AEB_TASKS:
        path = predictions_path(run, task)
        if path.is_file():
            rows = read_predictions(path)
            if rows:
                scores[task.name] = scored_rows(task, rows, path, resamples=resamples)
    if not scores:
        raise EmolabError(f"{run} holds no AEB predictions (<TASK>.jsonl files)")
    return {"run": str(run), "name": settings.get("name") or run.name, "settings": settings,
            "tasks": scores}


def score_answers(path: str | Path, *, resamples: int = 0) -> dict[str, Any]:
    """Score EmoLLMs-format answers made elsewhere: JSON Lines rows with ``task`` (an AEB task
    name), ``output`` (the model's text), ``gold`` (in the same answer format) and
    ``instruction`` (the prompt; it names the emotion of EI rows that have no ``dimension``).
    """
    path = Path(path)
    by_task: dict[str, list[PredictionRow]] = {}
    for line, obj in iter_jsonl(path, required=("task", "output", "gold")):
        name = str(obj["task"])
        if name.lower() not in BY_NAME:
            raise DataFormatError(path, f"unknown AEB task {name!r}", line=line, field="task")
        task = BY_NAME[name.lower()]
        row = _answer_row(path, line, obj, task, len(by_task.get(task.name, [])))
        by_task.setdefault(task.name, []).append(row)
    if not by_task:
        raise DataFormatError(path, "no answer rows")
    scores = {task.name: scored_rows(task, by_task[task.name], path, resamples=resamples)
              for task in get_aeb_tasks() if task.name in by_task}
    return {"run": str(path), "name": path.stem, "settings": {"prompts": "emollms"},
            "tasks": scores}


def _answer_row(path: Path, line: int, obj: dict[str, Any], task: AebTask,
                index: int) -> PredictionRow:
    family = get_family(task.answer_task)
    dimension = obj.get("dimension")
    if dimension is None and len(family.dimensions) > 1:
        match = _EMOTION.search(str(obj.get("instruction") or ""))
        if match is None:
            raise DataFormatError(path, f"a {task.name} row needs the emotion: a 'dimension' "
                                  "field or 'Emotion E: NAME' in the instruction", line=line,
                                  field="instruction")
        dimension = match.group(1).lower()
    try:
        asked = family.task(dimension if len(family.dimensions) > 1 else None)
    except EmolabError as err:
        raise DataFormatError(path, str(err), line=line, field="dimension") from None
    gold, why = read_answer(str(obj["gold"]), asked)
    if why is not None:
        raise DataFormatError(path, f"gold {obj['gold']!r} cannot be read: {why}", line=line,
                              field="gold")
    pred, error = read_answer(str(obj["output"]), asked)
    row = PredictionRow(id=str(obj.get("id", f"{task.name}-{index}")), gold=gold, pred=pred,
                        raw=str(obj["output"]), error=error, dataset=task.dataset,
                        task=asked.kind, dimension=asked.dimension if len(
                            family.dimensions) > 1 else None)
    row._line = line
    return row
