"""SemEval-2025 Task 11 (BRIGHTER) submission files from emolab predictions.

The organisers take one ``pred_<lang>.csv`` per track and language: the gold file's header
without its text column (``id`` first, then the language's emotion columns), its rows in its
order. They are written as ``OUT/track_a/pred_eng.csv`` and so on, the layout of the
organisers' sample submissions. Track A and C cells are 0/1, track B cells the class 0-3 (its
rows come from the per-emotion rows ``ID:emotion``). An unreadable answer is written as what the
scorer reads from an empty answer, zeros, the same value emolab's evaluation imputes, so emolab's
figures and the scorer's agree.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from emolab.data import get_dataset, load
from emolab.data.brighter import track_file
from emolab.data.paths import resolve_data_dir
from emolab.data.records import Example
from emolab.errors import DataNotFoundError, EmolabError
from emolab.evaluate.predictions import PredictionRow
from emolab.evaluate.submission.report import SubmissionFile, SubmissionReport

FAMILIES = ("brighter-a", "brighter-b", "brighter-c")


def _language_of(row: PredictionRow) -> str:
    family, _, language = (row.own_dataset or "").partition(":")
    if language == "all":
        raise EmolabError(f"{row.id}: a row of {row.dataset} names no language")
    # a bare name is its default language (a one-language data set has none)
    return f"{family}:{language or get_dataset(family).language or ''}"


def _text_id(row: PredictionRow) -> str:
    return row.id.rpartition(":")[0] if row.dimension else row.id


def _split_of(dataset: str, ids: set[str], data_dir: Path) -> tuple[str, list[Example]]:
    info = get_dataset(dataset)
    absent = []
    for split in info.splits:
        try:
            examples = load(dataset, split, data_dir=data_dir)
        except DataNotFoundError:
            absent.append(split)  # a copy of the data may hold only some splits
            continue
        if ids <= {e.id for e in examples}:
            return split, examples
    missing = f" (not in the data folder: {', '.join(absent)})" if absent else ""
    raise EmolabError(f"{dataset}: the predictions' ids are in no single split "
                      f"({', '.join(info.splits)}){missing}; was the file made from another "
                      "data set?")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    return ["id", *(name for name in header if name not in ("id", "text"))]


def _cells(dataset: str, rows: list[PredictionRow], examples: list[Example], split: str,
           columns: list[str]) -> tuple[dict[str, dict[str, int]], int]:
    """Every gold text's cells, in file order, and how many unreadable answers they hold."""
    by_id = {row.id: row for row in rows}
    missing = [e.id for e in examples if e.id not in by_id]
    if missing:
        raise EmolabError(f"{dataset} {split}: {len(missing):,} of {len(examples):,} rows have "
                          f"no prediction (first: {missing[0]}; a --limit run?); the scorer "
                          "needs every text")
    cells: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(columns, 0))
    imputed = 0
    for example in examples:
        row = by_id[example.id]
        cell = cells[example.meta.get("text_id", example.id)]
        # As emolab's evaluation reads it: a label outside the columns makes a row unreadable.
        labels = [] if row.failed or row.dimension else _as_list(row.pred)
        if row.failed or any(label not in cell for label in labels):
            imputed += 1
            continue  # zeros: what the scorer reads for no emotion
        if row.dimension:  # track B: one emotion's class
            cell[row.dimension] = int(row.pred)  # type: ignore[arg-type]
        for label in labels:
            cell[label] = 1
    return dict(cells), imputed


def _as_list(pred: object) -> list[str]:
    return [pred] if isinstance(pred, str) else list(pred)  # type: ignore[call-overload]


def write_semeval2025(rows: list[PredictionRow], out_dir: Path, *,
                      data_dir: Path | str | None) -> SubmissionReport:
    """Write ``pred_<lang>.csv`` for every track and language in ``rows``; every file is
    checked before any is written."""
    data_dir = resolve_data_dir(data_dir)
    groups: dict[str, list[PredictionRow]] = defaultdict(list)
    for row in rows:
        groups[_language_of(row)].append(row)
    planned = []
    for dataset, group in groups.items():
        family, _, language = dataset.partition(":")
        if family not in FAMILIES:
            raise EmolabError(f"{dataset}: not a SemEval-2025 Task 11 data set "
                              f"({', '.join(FAMILIES)})")
        split, examples = _split_of(dataset, {row.id for row in group}, data_dir)
        track = family[-1]
        columns = _header(track_file(data_dir, track, split, language))
        cells, imputed = _cells(dataset, group, examples, split, columns[1:])
        target = Path(out_dir) / f"track_{track}" / f"pred_{language}.csv"
        planned.append((target, columns, cells, SubmissionFile(target, dataset, split,
                                                               len(cells), imputed)))
    report = SubmissionReport()
    for target, columns, cells, entry in planned:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for text_id, values in cells.items():
                writer.writerow([text_id, *(values[c] for c in columns[1:])])
        report.files.append(entry)
    return report
