"""Score the result files EmoBench's authors saved, with emolab's own parser.

Layout: ``DIR/<EU|EA>/<model>/<model>-<lang>[_cot][1|2|3].csv``; the file without a digit is
the original choice order, 1–3 are permutations. EU columns: ``Emo Choices``, ``Cause Choices``
(Python list literals), ``Emo Label``, ``Cause Label`` (0-based), and per sample *i* the raw
answers ``Emo Res i`` / ``Cause Res i``. EA: ``Choices``, ``Label``, ``Res i``. The ``Pred i``
columns (the official parser's readings) are **not** used for the figures: the raw text is read
with ``parser.read_choice``, voted and averaged over the orders like any emolab run. The
official readings are only compared with ours (``agreement``) and scored the same way
(``official_parser_accuracy``), so a difference can be traced to reading or to scoring.
"""

from __future__ import annotations

import ast
import csv
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from emolab.emobench.parser import read_choice
from emolab.emobench.scorer import Asked, score_task
from emolab.errors import DataFormatError, EmolabError

_NAME = re.compile(r"^(?P<variant>.+?)(?P<order>[123])?$")
# (question, choices column, label column, answer column prefix) per task
COLUMNS = {"EU": (("emotion", "Emo Choices", "Emo Label", "Emo "),
                  ("cause", "Cause Choices", "Cause Label", "Cause ")),
           "EA": (("response", "Choices", "Label", ""),)}
# The paper's figures for the files it published (English).
PUBLISHED = {("gpt-4", "en"): {"EU": 59.75, "EA": 75.50},
             ("gpt-4", "en_cot"): {"EU": 58.25, "EA": 75.88}}


def _cell(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = row.get(column)
    if value is None:
        raise DataFormatError(path, "missing column", line=line, field=column)
    return value


def _choices(path: Path, line: int, row: dict[str, str], column: str) -> list[str]:
    try:
        value = ast.literal_eval(_cell(path, line, row, column))
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, list) or len(value) < 2:
        raise DataFormatError(path, "expected a list literal of two or more choices", line=line,
                              field=column)
    return [str(v) for v in value]


def _label(path: Path, line: int, row: dict[str, str], column: str, n: int) -> int:
    try:
        value = int(float(_cell(path, line, row, column)))
    except ValueError:
        value = -1
    if not 0 <= value < n:
        raise DataFormatError(path, f"expected a choice index below {n}", line=line, field=column)
    return value


def read_file(path: Path, task: str, order: int) -> tuple[list[Asked], list[Asked]]:
    """``Asked`` rows from the raw answers, and the same from the official ``Pred`` columns."""
    ours, theirs = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        samples = sorted({int(m.group(1)) for c in reader.fieldnames or []
                          if (m := re.search(r"Res (\d+)$", c))})
        if not samples:
            raise DataFormatError(path, "no 'Res N' columns of raw answers")
        for index, row in enumerate(reader):
            line = reader.line_num
            for question, choices_col, label_col, prefix in COLUMNS[task]:
                choices = _choices(path, line, row, choices_col)
                gold = _label(path, line, row, label_col, len(choices))
                raws = [_cell(path, line, row, f"{prefix}Res {i}") for i in samples]
                preds = []
                for i in samples:
                    cell = row.get(f"{prefix}Pred {i}", "")
                    value = int(float(cell)) if cell.strip() else -1
                    preds.append(value if 0 <= value < len(choices) else None)
                common = dict(task=task, item=str(index), order=order, question=question,
                              n_choices=len(choices), gold=gold)
                ours.append(Asked(**common, readings=tuple(read_choice(r, choices)
                                                           for r in raws)))
                theirs.append(Asked(**common, readings=tuple(preds)))
    return ours, theirs


def _eu_first(entry: tuple[tuple[str, str, str], list[Path]]) -> tuple[str, str, int]:
    (model, variant, task), _ = entry
    return model, variant, list(COLUMNS).index(task)


def score_official(root: str | Path) -> dict[str, Any]:
    """``{model: {variant: {"EU": figures, "EA": figures}}}``; a variant is e.g. ``en`` or
    ``en_cot``. Each task's figures add ``official_parser_accuracy``, ``agreement`` (percent of
    raw answers read as the official parser read them), ``files`` and ``published``."""
    root = Path(root)
    if not root.is_dir():
        raise EmolabError(f"{root}: no such folder (expected <EU|EA>/<model>/*.csv inside)")
    groups: dict[tuple[str, str, str], list[Path]] = defaultdict(list)
    for task in COLUMNS:
        for path in sorted((root / task).glob("*/*.csv")):
            model = path.parent.name
            variant = _NAME.match(path.stem.removeprefix(f"{model}-"))
            assert variant is not None
            groups[(model, variant.group("variant"), task)].append(path)
    if not groups:
        raise EmolabError(f"{root}: no result files (expected <EU|EA>/<model>/*.csv)")
    result: dict[str, Any] = defaultdict(dict)
    for (model, variant, task), paths in sorted(groups.items(), key=_eu_first):
        ours, theirs = [], []
        for path in paths:
            digit = _NAME.match(path.stem).group("order")  # type: ignore[union-attr]
            a, b = read_file(path, task, int(digit or 0))
            ours += a
            theirs += b
        figures = score_task(ours)
        figures["official_parser_accuracy"] = score_task(theirs)["accuracy"]
        pairs = [(x, y) for a, b in zip(ours, theirs, strict=True)
                 for x, y in zip(a.readings, b.readings, strict=True)]
        figures["agreement"] = round(100 * sum(x == y for x, y in pairs) / len(pairs), 2)
        figures["files"] = [p.name for p in paths]
        figures["published"] = PUBLISHED.get((model, variant), {}).get(task)
        result[model].setdefault(variant, {})[task] = figures
    return dict(result)
