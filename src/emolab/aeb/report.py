"""The AEB tables in the paper's layout: runs measured here beside the published rows.

Two Markdown tables (AEB-1: SemEval-2018; AEB-2: the other nine sets) with the paper's
column keys, JSON for scripts and a PNG for people who would rather look. Under each measured
row a second row gives its share of unreadable answers, because a score without it hides how
many answers were imputed or counted wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emolab.aeb.benchmark import AEB_TASKS
from emolab.aeb.published import published, published_rows

PARTS = {part: [(task, column) for task in AEB_TASKS if task.part == part
                for column in task.columns] for part in (1, 2)}
EI_EMOTIONS = ("anger", "fear", "joy", "sadness")


def table_rows(runs: list[dict[str, Any]], *, with_published: bool = True,
               all_published: bool = False) -> list[dict[str, Any]]:
    """One row per run (figures by column key, failure rates by task) and per published row."""
    rows = []
    for run in runs:
        tasks = run["tasks"]
        rows.append({"system": run["name"], "kind": "measured here",
                     "scores": {k: v for t in tasks.values() for k, v in t["columns"].items()},
                     "failure_rate": {name: t["failure_rate"] for name, t in tasks.items()},
                     "rows": {name: t["rows"] for name, t in tasks.items()},
                     "intervals": {k: v for t in tasks.values()
                                   for k, v in t.get("intervals", {}).items()},
                     "ei_reg_by_emotion": tasks.get("EI-reg", {}).get("by_dimension", {})})
    if with_published:
        for row in published_rows():
            if all_published or row["default"]:
                rows.append({"system": row["system"], "kind": f"published, {row['setting']}",
                             "scores": row["scores"], "table": row["table"]})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for part, columns in PARTS.items():
        shown = [(t, c) for t, c in columns if any(c.key in row["scores"] for row in rows)]
        if not shown:
            continue
        title = "AEB-1 (SemEval-2018 Task 1 test sets)" if part == 1 else "AEB-2"
        lines += [f"**{title}**", "", "| system | " + " | ".join(c.key for _, c in shown) + " |",
                  "|---|" + "---|" * len(shown)]
        for row in rows:
            if not any(c.key in row["scores"] for _, c in shown):
                continue
            cells = [_cell(row["scores"].get(c.key)) for _, c in shown]
            lines.append(f"| {row['system']} ({row['kind']}) | " + " | ".join(cells) + " |")
            if "failure_rate" in row:
                rates = [_percent(row["failure_rate"].get(t.name))
                         if c.key in row["scores"] else "–" for t, c in shown]
                lines.append("| ↳ unreadable answers | " + " | ".join(rates) + " |")
            if row.get("intervals"):
                spans = [interval_cell(row["intervals"].get(c.key)) for _, c in shown]
                lines.append("| ↳ 95% bootstrap interval | " + " | ".join(spans) + " |")
        lines.append("")
    measured = [row for row in rows if row.get("ei_reg_by_emotion")]
    if measured:
        lines += ["EI-reg by emotion (Pearson r):", "",
                  "| system | " + " | ".join(EI_EMOTIONS) + " |", "|---|" + "---|" * 4]
        for row in measured:
            by = row["ei_reg_by_emotion"]
            lines.append(f"| {row['system']} | " + " | ".join(_cell(by.get(e))
                                                              for e in EI_EMOTIONS) + " |")
        lines.append("")
    sizes = sorted({n for row in rows for n in row.get("rows", {}).values()})
    if sizes:
        lines.append(f"Measured rows per task: {', '.join(map(str, sizes))} (a stratified "
                     "sample is noisier than the whole set: a Pearson r over 100 rows has a "
                     "standard error of about 0.05-0.1; `--intervals 1000` measures it).")
    source = published()
    lines += ["Pearson r for scores and classes (EI averaged over four emotions); E-c and "
              "GoEmotions 'acc' measured here is SemEval-2018's Jaccard accuracy. "
              f"Published rows: {source['source']}"]
    lines += [f"- {note}" for note in source.get("notes", [])]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> Path:
    """Grouped bars per column: every system that has a figure there."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [c.key for part in PARTS.values() for _, c in part]
    present = [k for k in keys if any(k in row["scores"] for row in rows)]
    shown = [row for row in rows if any(k in row["scores"] for k in present)]
    width = 0.8 / max(1, len(shown))
    figure, axis = plt.subplots(figsize=(max(8, 0.8 * len(present)), 4.8))
    for i, row in enumerate(shown):
        xs = [j + i * width for j, k in enumerate(present) if k in row["scores"]]
        ys = [row["scores"][k] for k in present if k in row["scores"]]
        axis.bar(xs, ys, width=width, label=f"{row['system']} ({row['kind']})")
    axis.set_xticks([j + width * (len(shown) - 1) / 2 for j in range(len(present))])
    axis.set_xticklabels(present, rotation=40, ha="right", fontsize=8)
    axis.set_ylabel("Pearson r / accuracy / F1")
    axis.axhline(0, color="black", linewidth=0.6)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis.set_title("AEB: measured here and published")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def interval_cell(interval: dict[str, float] | None) -> str:
    return "–" if not interval else f"{interval['low']:.3f}–{interval['high']:.3f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"
