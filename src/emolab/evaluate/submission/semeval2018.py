"""SemEval-2018 Task 1 (English) submission files from emolab predictions.

The organisers' scorer (github.com/felipebravom/SemEval_2018_Task_1_Eval) wants one file per
gold file, laid out like it: same header, same number of lines, rows matched by ID. So each
file is written from the gold file itself (its ID, Tweet and Affect Dimension columns, in its
order) with the predictions in the label columns. Unreadable predictions are written as the
values emolab's evaluation imputes, which are the scorer's own (E-c all zeros, scores 0.5,
classes 0), so emolab's figures and the scorer's figures of the written file are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emolab.data.paths import resolve_data_dir
from emolab.data.reading import iter_lines
from emolab.data.records import TaskKind

# The layout of the files is defined once, in the loader.
from emolab.data.semeval import EI_EMOTIONS, SPLITS, ec_file, ei_file, valence_file
from emolab.errors import DataFormatError, EmolabError
from emolab.evaluate.predictions import PredictionRow
from emolab.evaluate.submission.report import SubmissionFile, SubmissionReport

# data set -> (split -> [(official file name, gold file, dimension)])
_Files = Callable[[Path, str], list[tuple[str, Path, str | None]]]
_FILES: dict[str, _Files] = {
    "semeval-ec": lambda d, s: [("E-C_en_pred.txt", ec_file(d, s), None)],
    "semeval-ei-reg": lambda d, s: [(f"EI-reg_en_{e}_pred.txt", ei_file(d, "EI-reg", e, s), e)
                                    for e in EI_EMOTIONS],
    "semeval-ei-oc": lambda d, s: [(f"EI-oc_en_{e}_pred.txt", ei_file(d, "EI-oc", e, s), e)
                                   for e in EI_EMOTIONS],
    "semeval-v-reg": lambda d, s: [("V-reg_en_pred.txt", valence_file(d, "reg", s), "valence")],
    "semeval-v-oc": lambda d, s: [("V-oc_en_pred.txt", valence_file(d, "oc", s), "valence")],
}
_KINDS = {"semeval-ec": TaskKind.MULTI_LABEL, "semeval-ei-reg": TaskKind.REGRESSION,
          "semeval-ei-oc": TaskKind.ORDINAL, "semeval-v-reg": TaskKind.REGRESSION,
          "semeval-v-oc": TaskKind.ORDINAL}


@dataclass
class _Gold:
    name: str  # the official predictions file name
    path: Path
    dimension: str | None
    header: str
    rows: list[list[str]]

    def key(self, cells: list[str]) -> str:
        # EI files share tweet ids across emotions, so emolab's EI ids are TWEETID:emotion.
        return f"{cells[0]}:{self.dimension}" if self.dimension in EI_EMOTIONS else cells[0]


def write_semeval2018(rows: list[PredictionRow], out_dir: Path, *,
                      data_dir: Path | str | None) -> SubmissionReport:
    """Write the official predictions files of every SemEval-2018 data set in ``rows``.

    Every file is checked before any is written: a row id in no split, or a gold tweet without
    a prediction (the scorer needs all of them), fails the whole export.
    """
    data_dir = resolve_data_dir(data_dir)
    groups: dict[str, list[PredictionRow]] = {}
    for row in rows:
        if row.dataset not in _FILES:
            raise EmolabError(f"row {row.id!r}: data set {row.dataset!r} is not a SemEval-2018 "
                              f"Task 1 data set ({', '.join(_FILES)})")
        groups.setdefault(row.dataset, []).append(row)
    pending: list[tuple[list[str], SubmissionFile]] = []
    for dataset, group in groups.items():
        split, golds = _find_split(dataset, group, data_dir)
        by_id = _by_id(dataset, group)
        _require_all(dataset, split, golds, by_id)
        for gold in golds:
            lines, imputed = _lines(dataset, split, gold, by_id, data_dir)
            pending.append((lines, SubmissionFile(Path(out_dir) / gold.name, dataset, split,
                                                  len(gold.rows), imputed)))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    report = SubmissionReport()
    for lines, written in pending:
        with written.path.open("w", encoding="utf-8", newline="\n") as out:
            out.write("".join(line + "\n" for line in lines))
        report.files.append(written)
    return report


def _read_gold(name: str, path: Path, dimension: str | None) -> _Gold:
    lines = iter_lines(path)  # drops the BOM and CR of the release files
    _, header = next(lines)
    width, rows = len(header.split("\t")), []
    for number, line in lines:
        rows.append(line.split("\t"))
        if len(rows[-1]) != width:
            raise DataFormatError(path, f"{len(rows[-1])} fields where {width} were expected",
                                  line=number)
    return _Gold(name, path, dimension, header, rows)


def _find_split(dataset: str, rows: list[PredictionRow], data_dir: Path
                ) -> tuple[str, list[_Gold]]:
    ids = {row.id for row in rows}
    found, tried = [], []
    for split in SPLITS:
        files = _FILES[dataset](data_dir, split)
        if not all(path.is_file() for _, path, _ in files):
            tried.append(f"{split}: no gold file")
            continue
        golds = [_read_gold(*entry) for entry in files]
        outside = ids - {gold.key(cells) for gold in golds for cells in gold.rows}
        if outside:
            tried.append(f"{split}: {len(outside):,} ids not in it, e.g. {min(outside)!r}")
        else:
            found.append((split, golds))
    if len(found) != 1:
        why = "; ".join(tried) if not found else f"ids fit {', '.join(s for s, _ in found)}"
        raise EmolabError(f"{dataset}: no single split holds all {len(ids):,} prediction ids "
                          f"({why}); export the predictions of one split of {data_dir}")
    return found[0]


def _by_id(dataset: str, rows: list[PredictionRow]) -> dict[str, PredictionRow]:
    by_id: dict[str, PredictionRow] = {}
    for row in rows:
        if row.id in by_id:  # two predictions files of the same data set
            raise EmolabError(f"{dataset}: id {row.id!r} has two predictions")
        by_id[row.id] = row
    return by_id


def _require_all(dataset: str, split: str, golds: list[_Gold],
                 by_id: dict[str, PredictionRow]) -> None:
    total = sum(len(gold.rows) for gold in golds)
    missing = total - len(by_id)  # every row id is in the split (checked by _find_split)
    if missing:
        what = "tweets" if len(golds) == 1 else "tweet-emotion pairs"
        raise EmolabError(f"{dataset} {split}: {missing:,} of {total:,} {what} have no "
                          "prediction (a --limit run?); the official scorer needs every one")


def _imputed_value(dataset: str, dimension: str) -> float:
    # The same value emolab's evaluation imputes (the task's scale), so both score alike.
    from emolab.data import get_dataset
    from emolab.tasks import get_family

    family = get_family(get_dataset(dataset).answer_task)
    return family.task(dimension if len(family.dimensions) > 1 else None).scale.imputed


def _class_texts(dataset: str, dimension: str, split: str, data_dir: Path) -> dict[int, str]:
    """``k -> "k: description"`` as the gold files write class k: this split's file first,
    then the other splits' (a class may be missing from one split)."""
    texts: dict[int, str] = {}
    for other in sorted(SPLITS, key=lambda s: s != split):
        for name, path, dim in _FILES[dataset](data_dir, other):
            if dim != dimension or not path.is_file():
                continue
            for cells in _read_gold(name, path, dim).rows:
                text = cells[3].strip()
                try:
                    texts.setdefault(int(text.split(":", 1)[0]), text)
                except ValueError:
                    raise DataFormatError(path, f"expected 'K: description', got {text!r}",
                                          field="Intensity Class") from None
    return texts


def _number(dataset: str, row: PredictionRow) -> float:
    if isinstance(row.pred, bool) or not isinstance(row.pred, (int, float)):
        raise EmolabError(f"{dataset}: id {row.id!r}: expected a number, got {row.pred!r}")
    return float(row.pred)


def _writer(dataset: str, gold: _Gold, split: str, data_dir: Path
            ) -> Callable[[PredictionRow], tuple[list[str], bool]]:
    """The label cells of one prediction, and whether it was imputed."""
    kind = _KINDS[dataset]
    if kind is TaskKind.MULTI_LABEL:
        labels = gold.header.split("\t")[2:]  # the gold file's own column order

        def labels_of(row: PredictionRow) -> tuple[list[str], bool]:
            pred = [row.pred] if isinstance(row.pred, str) else row.pred
            # emolab scores a label outside the set as an unreadable answer; so does this file.
            if row.failed or not isinstance(pred, list) or any(p not in labels for p in pred):
                return ["0"] * len(labels), True
            return ["1" if label in pred else "0" for label in labels], False

        return labels_of
    fallback = _imputed_value(dataset, gold.dimension or "")
    if kind is TaskKind.REGRESSION:
        # repr round-trips: the scorer reads the very float emolab scored.
        return lambda row: ([repr(float(fallback if row.failed else _number(dataset, row)))],
                            row.failed)
    texts = _class_texts(dataset, gold.dimension or "", split, data_dir)

    def class_of(row: PredictionRow) -> tuple[list[str], bool]:
        k = round(fallback if row.failed else _number(dataset, row))  # emolab rounds too
        if k not in texts:
            raise EmolabError(f"{dataset}: id {row.id!r}: class {k} never appears in the "
                              f"{gold.dimension} gold files under {data_dir}")
        return [texts[k]], row.failed

    return class_of


def _lines(dataset: str, split: str, gold: _Gold, by_id: dict[str, PredictionRow],
           data_dir: Path) -> tuple[list[str], int]:
    cells_of = _writer(dataset, gold, split, data_dir)
    kept = 2 if _KINDS[dataset] is TaskKind.MULTI_LABEL else 3  # ID, Tweet (, Affect Dimension)
    lines, imputed = [gold.header], 0
    for cells in gold.rows:
        values, failed = cells_of(by_id[gold.key(cells)])
        imputed += failed
        lines.append("\t".join([*cells[:kept], *values]))
    return lines, imputed
