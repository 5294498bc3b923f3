"""One self-contained HTML page for one or more predictions files: metrics, per-label F1,
a confusion (single-label) or gold x predicted co-occurrence (multi-label) matrix, schema
adherence, sufficiency when computed, a before/after table for two runs, and sample texts
with their explanations. Every piece of text from data or models is HTML-escaped; images are
embedded as data URIs so the page can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import json
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from emolab.data.records import TaskKind
from emolab.errors import EmolabError
from emolab.evaluate import plots
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.runner import evaluate_rows, resolve_task

SAMPLE_ROWS = 12
PREDICTIONS_NAME = "predictions.jsonl"


def resolve_input(path: str | Path) -> Path:
    """A predictions file, or a run folder holding ``predictions.jsonl``."""
    path = Path(path)
    if path.is_dir():
        path = path / PREDICTIONS_NAME
    if not path.is_file():
        raise EmolabError(f"{path}: no such predictions file")
    return path


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        return f"{value:.4f}" if isinstance(value, float) else escape(str(value))

    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _matrix_figure(rows: list[PredictionRow], task: TaskKind, labels: tuple[str, ...],
                   name: str) -> bytes:
    index = {label: i for i, label in enumerate(labels)}
    if task is TaskKind.SINGLE_LABEL:
        columns = [*labels, "(unreadable)"]
        counts = np.zeros((len(labels), len(columns)), dtype=int)
        for row in rows:
            gold = row.gold if isinstance(row.gold, str) else row.gold[0]
            unreadable = row.failed or not isinstance(row.pred, str)
            counts[index[gold], len(labels) if unreadable else index.get(row.pred, len(labels))] += 1
        return plots.matrix(counts, labels, columns, title=f"confusion — {name}",
                            xlabel="predicted", ylabel="gold")
    counts = np.zeros((len(labels), len(labels)), dtype=int)
    for row in rows:
        predicted = [] if row.failed else [p for p in row.pred if p in index]
        for gold in row.gold:
            for pred in predicted:
                counts[index[gold], index[pred]] += 1
    return plots.matrix(counts, labels, labels, title=f"gold × predicted co-occurrence — {name}",
                        xlabel="predicted label", ylabel="gold label")


def _texts(rows: list[PredictionRow], dataset: str | None, data_dir: str | None) -> dict[str, str]:
    texts = {row.id: row.model_extra["text"] for row in rows
             if row.model_extra and isinstance(row.model_extra.get("text"), str)}
    if len(texts) == len(rows) or not dataset:
        return texts
    try:  # the rows do not carry their texts: look them up in the data set, if it is at hand
        from emolab.data import get_dataset, load

        info = get_dataset(dataset)
        wanted = {row.id for row in rows}
        for split in info.splits:
            for example in load(dataset, split, data_dir=data_dir):
                if example.id in wanted:
                    texts.setdefault(example.id, example.text)
    except EmolabError:
        pass  # no data directory: the sample shows ids only
    return texts


def _section(name: str, path: Path, rows: list[PredictionRow], data_dir: str | None,
             extras: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    task, labels, dataset = resolve_task(rows, path, None, None)
    report = evaluate_rows(rows, path=path)
    parts = [f"<h2>{escape(name)}</h2><p class=meta>{escape(str(path))} · {len(rows)} rows · "
             f"{escape(task.value)}{' · ' + escape(dataset) if dataset else ''}</p>"]
    metric_rows = [[k, v] for k, v in report["metrics"].items()]
    metric_rows.append(["unreadable outputs", f"{report['failed']} ({report['failure_rate']:.1%})"])
    parts.append("<h3>Metrics</h3>" + _table(["metric", "value"], metric_rows))
    if task in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL):
        parts.append("<h3>Errors by label</h3>" + _image(
            _matrix_figure(rows, task, labels, name), "confusion or co-occurrence matrix"))
        from emolab.evaluate.adherence import adherence_rows
        from emolab.labels import LabelSet

        adherence = adherence_rows(rows, LabelSet(dataset or "custom", dict.fromkeys(labels, "")))
        report["adherence"] = adherence
        parts.append("<h3>Schema adherence</h3>" + _table(
            ["check", "share"], [[k.replace("_", " "), f"{v:.1%}"]
                                 for k, v in adherence["shares"].items()]))
    if extras.get("sufficiency"):
        s = extras["sufficiency"]
        report["sufficiency"] = s
        parts.append("<h3>Sufficiency</h3><p>" + escape(s.get("definition", "")) + "</p>" + _table(
            ["explanations", *s["unmasked"]],
            [[k.replace("_", " "), *s[k].values()] for k in ("unmasked", "masked",
                                                             "majority_baseline")]))
    texts = _texts(rows, dataset, data_dir)
    sample = [[row.id, texts.get(row.id, ""), json.dumps(row.gold, ensure_ascii=False),
               json.dumps(row.pred, ensure_ascii=False) if not row.failed else f"✗ {row.error}",
               (row.parsed or {}).get("explanation", "")] for row in rows[:SAMPLE_ROWS]]
    parts.append("<h3>Sample</h3>" + _table(["id", "text", "gold", "predicted", "explanation"],
                                            sample))
    return "\n".join(parts), report


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:left;vertical-align:top;max-width:420px}th{background:#f3f3f3}
img{max-width:100%;margin:.5em 0}.meta{color:#666}.up{color:#1a7f37}.down{color:#c0392b}
"""


def build_report(inputs: list[str | Path], *, names: list[str] | None = None,
                 data_dir: str | None = None, sufficiency: dict[str, dict] | None = None
                 ) -> tuple[str, list[dict[str, Any]]]:
    """The HTML page and the per-input reports it shows."""
    paths = [resolve_input(p) for p in inputs]
    names = names or [p.parent.name if p.name == PREDICTIONS_NAME else p.stem for p in paths]
    loaded = [read_predictions(p) for p in paths]
    sections, reports = [], []
    for name, path, rows in zip(names, paths, loaded, strict=True):
        extra = {"sufficiency": (sufficiency or {}).get(str(path))}
        html, report = _section(name, path, rows, data_dir, extra)
        sections.append(html)
        reports.append(report)
    overview = _comparison(names, reports, loaded)
    body = "\n".join([overview, *sections])
    title = "emolab report — " + ", ".join(names)
    page = (f"<!doctype html><html><head><meta charset=utf-8><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>")
    return page, reports


def _comparison(names: list[str], reports: list[dict[str, Any]],
                loaded: list[list[PredictionRow]]) -> str:
    parts = []
    if len(reports) >= 2:
        keys = [k for k in reports[0]["metrics"] if all(k in r["metrics"] for r in reports)]
        header = ["metric", *names] + (["change"] if len(reports) == 2 else [])
        rows = []
        for key in keys:
            values = [r["metrics"][key] for r in reports]
            row: list[Any] = [key, *values]
            if len(reports) == 2:
                row.append(f"{values[1] - values[0]:+.4f}")
            rows.append(row)
        parts.append("<h2>Before / after</h2>" + _table(header, rows))
    per_label = {n: r["per_label_f1"] for n, r in zip(names, reports, strict=True)
                 if "per_label_f1" in r}
    if per_label and len({tuple(v) for v in per_label.values()}) == 1:
        parts.append("<h2>Per-label F1</h2>" + _image(
            plots.per_label_bars(per_label, title="per-label F1"), "per-label F1 bars"))
    return "\n".join(parts)
