"""Pictures of a sweep: score curves per layer, confusion matrices, and one HTML page.

matplotlib runs headless (Agg) and is imported inside each function.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

METRIC_NAMES = {"accuracy": "accuracy", "jaccard": "Jaccard accuracy", "f1_macro": "macro-F1",
                "f1_micro": "micro-F1"}
PROBE_COLOURS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(runs: Mapping[str, Sequence[dict]], path: Path, *, metrics: Sequence[str],
                baseline: Mapping[str, float] | None = None, x: str = "layer",
                title: str = "") -> Path:
    """One panel per metric; per run and probe a solid line (real labels) and a dotted line
    (control task); the majority baseline as a grey dashed line.

    ``runs`` maps a legend prefix (a model name, "with keywords", ...) to sweep rows; runs after
    the first are drawn dashed-dotted so two runs of the same probe stay apart.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4.2), squeeze=False)
    probes = sorted({r["probe"] for rows in runs.values() for r in rows})
    for ax, metric in zip(axes[0], metrics, strict=True):
        for run_index, (run, rows) in enumerate(runs.items()):
            style = "-" if run_index == 0 else "-."
            for probe_index, probe in enumerate(probes):
                mine = sorted((r for r in rows if r["probe"] == probe), key=lambda r: r[x])
                if not mine:
                    continue
                colour = PROBE_COLOURS[(probe_index + 2 * run_index) % len(PROBE_COLOURS)]
                prefix = f"{run}: " if run else ""
                xs = [r[x] for r in mine]
                ax.plot(xs, [r[metric] for r in mine], style, marker="o", markersize=3,
                        color=colour, label=f"{prefix}{probe}")
                if f"control_{metric}" in mine[0]:
                    ax.plot(xs, [r[f"control_{metric}"] for r in mine], ":", color=colour,
                            alpha=0.7, label=f"{prefix}{probe} control")
        if baseline and metric in baseline:
            ax.axhline(baseline[metric], color="grey", linestyle="--", label="majority baseline")
        ax.set_xlabel("relative depth (layer / layers)" if x == "relative_depth" else "layer")
        ax.set_ylabel(METRIC_NAMES.get(metric, metric))
        ax.grid(alpha=0.3)
    # One legend for all panels, beside them, so it never hides a curve.
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_confusion(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str], path: Path, *,
                   title: str = "") -> Path:
    """Single-label: rows = gold, columns = predicted, shares per gold row with counts.
    Multi-label: one row per label with its TN / FP / FN / TP counts."""
    plt = _pyplot()
    if y_true.ndim == 1:
        n = len(labels)
        counts = np.zeros((n, n), dtype=int)
        np.add.at(counts, (y_true, y_pred), 1)
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        columns, rows = list(labels), list(labels)
        xlabel, ylabel = "predicted", "gold"
    else:
        t, p = y_true.astype(bool), y_pred.astype(bool)
        counts = np.stack([(~t & ~p).sum(0), (~t & p).sum(0), (t & ~p).sum(0), (t & p).sum(0)],
                          axis=1)
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        columns, rows = ["TN", "FP", "FN", "TP"], list(labels)
        xlabel, ylabel = "outcome", "label"
    size = max(4.0, 0.45 * len(rows) + 2)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.5 * len(columns) + 3), size))
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    for (i, j), value in np.ndenumerate(counts):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=6,
                color="white" if shares[i, j] > 0.6 else "black")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    def cell(value) -> str:
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        return f"<td>{html.escape(text)}</td>"

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(r.get(c, "")) for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(path: Path, *, title: str, facts: Mapping[str, object], images: Sequence[str],
               tables: Mapping[str, tuple[Sequence[dict], Sequence[str]]]) -> Path:
    """A self-contained page: facts, images (file names beside the page), result tables.
    Every piece of text is escaped: model paths and labels come from users."""
    facts_html = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                         for k, v in facts.items())
    images_html = "".join(f'<p><img src="{html.escape(name, quote=True)}" '
                          f'alt="{html.escape(name, quote=True)}"></p>' for name in images)
    tables_html = "".join(f"<h2>{html.escape(name)}</h2>{_table(rows, cols)}"
                          for name, (rows, cols) in tables.items())
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 6px;font-size:0.85em;text-align:right}}
img{{max-width:100%}}</style></head>
<body><h1>{html.escape(title)}</h1><table>{facts_html}</table>{images_html}{tables_html}
</body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
    return Path(path)
