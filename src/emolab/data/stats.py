"""Row counts and label distributions of a loaded split."""

from __future__ import annotations

from collections import Counter
from statistics import fmean, pstdev
from typing import Any

from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo


def split_stats(info: DatasetInfo, rows: list[Example]) -> dict[str, Any]:
    """``{"rows": N, "labels": {...}}`` plus what fits the task (empty rows, score ranges)."""
    stats: dict[str, Any] = {"dataset": info.name, "task": info.task.value, "rows": len(rows)}
    if info.task in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL):
        counts = Counter(label for row in rows for label in row.labels)
        stats["labels"] = {label: counts.get(label, 0) for label in info.scored_labels}
        if info.task is TaskKind.MULTI_LABEL:
            stats["empty_rows"] = sum(1 for row in rows if not row.labels)
            stats["multi_label_rows"] = sum(1 for row in rows if len(row.labels) > 1)
    elif info.task is TaskKind.ORDINAL:
        stats["labels"] = {
            dim: {str(c): sum(1 for r in rows if r.scores.get(dim) == c) for c in info.classes}
            for dim in info.dimensions
        }
    elif info.task is TaskKind.REGRESSION:
        stats["labels"] = {}
        for dim in info.dimensions:
            values = [row.scores[dim] for row in rows if dim in row.scores]
            stats["labels"][dim] = (
                {"count": len(values), "mean": round(fmean(values), 4),
                 "std": round(pstdev(values), 4), "min": min(values), "max": max(values)}
                if values else {"count": 0}
            )
    elif info.task is TaskKind.MULTIPLE_CHOICE:
        stats["labels"] = dict(sorted(Counter(row.meta.get("category", "") for row in rows).items()))
    else:
        prefixes = Counter(row.id.rsplit("-", 1)[0] for row in rows)
        stats["labels"] = dict(prefixes.most_common())
    return stats
