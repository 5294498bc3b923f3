"""Figures of the report, rendered by matplotlib (Agg) to PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return buffer.getvalue()


def per_label_bars(series: dict[str, dict[str, float]], *, title: str) -> bytes:
    """Grouped horizontal bars: one group per label, one bar per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(next(iter(series.values())))
    height = 0.8 / len(series)
    figure, axis = plt.subplots(figsize=(7, 0.35 * len(labels) * max(1, len(series)) + 1))
    for i, (name, values) in enumerate(series.items()):
        positions = np.arange(len(labels)) + i * height
        axis.barh(positions, [values.get(label, 0.0) for label in labels], height=height,
                  label=name)
    axis.set_yticks(np.arange(len(labels)) + height * (len(series) - 1) / 2, labels)
    axis.invert_yaxis()
    axis.set_xlim(0, 1)
    axis.set_xlabel("F1")
    axis.set_title(title)
    if len(series) > 1:
        axis.legend(loc="lower right")
    return _png(figure)


def matrix(counts: np.ndarray, rows: Sequence[str], columns: Sequence[str], *, title: str,
           xlabel: str, ylabel: str) -> bytes:
    """A heat map with the count in each cell (confusion or co-occurrence)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = max(4, 0.45 * max(len(rows), len(columns)) + 2)
    figure, axis = plt.subplots(figsize=(size, size))
    axis.imshow(counts, cmap="Blues")
    axis.set_xticks(range(len(columns)), columns, rotation=60, ha="right")
    axis.set_yticks(range(len(rows)), rows)
    peak = counts.max() if counts.size else 0
    for (r, c), value in np.ndenumerate(counts):
        if value:
            axis.text(c, r, str(int(value)), ha="center", va="center", fontsize=7,
                      color="white" if value > peak / 2 else "black")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    return _png(figure)
