"""Schema adherence of raw model outputs: how many keep the answer format, and how the rest fail.

Every share is over all rows of the file (a row without raw output fails every check), so a
model cannot look adherent by failing quietly. Checks, from the loosest to the strictest:

- ``json_object``: the raw text is one JSON object (nothing around it);
- ``fields_present``: the three answer keys are there, with usable types;
- ``labels_in_set``: every label is in the label set;
- ``prominent_listed``: the most prominent emotion is among the listed ones;
- ``key_order``: the answer keys come in the required order (explanation first);
- ``schema_valid``: the raw text validates against the answer schema unchanged;
- ``usable``: a lenient reader gets a valid answer out of it (what `emolab evaluate` scores).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from emolab.classify.parsing import (
    INVALID_JSON,
    LABEL_OUTSIDE_SET,
    MISSING_FIELD,
    PROMINENT_NOT_LISTED,
    extract_object,
    parse_answer,
)
from emolab.data.records import TaskKind
from emolab.errors import EmolabError
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.runner import resolve_task
from emolab.labels import LabelSet
from emolab.schemas import ANSWER_KEYS

CHECKS = ("json_object", "fields_present", "labels_in_set", "prominent_listed", "key_order",
          "schema_valid", "usable")
EXAMPLES_PER_KIND = 3


def _whole_object(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def check_output(raw: str | None, label_set: LabelSet) -> tuple[dict[str, bool], str | None]:
    """Each check's verdict for one raw output, and the failure kind of the lenient reader."""
    if raw is None:
        return dict.fromkeys(CHECKS, False), "no raw output"
    result = parse_answer(raw, label_set)
    obj = extract_object(raw)
    keys = [key for key in (obj or {}) if key in ANSWER_KEYS]
    kind = result.kind
    fields = obj is not None and kind != MISSING_FIELD and kind != INVALID_JSON
    verdict = {
        "json_object": _whole_object(raw.strip()) is not None,
        "fields_present": fields,
        "labels_in_set": fields and kind != LABEL_OUTSIDE_SET,
        "prominent_listed": fields and kind not in (LABEL_OUTSIDE_SET, PROMINENT_NOT_LISTED),
        "key_order": keys == list(ANSWER_KEYS),
        "schema_valid": result.schema_valid,
        "usable": result.ok,
    }
    return verdict, kind


def adherence_rows(rows: list[PredictionRow], label_set: LabelSet) -> dict[str, Any]:
    counts = dict.fromkeys(CHECKS, 0)
    examples: dict[str, list[dict[str, str]]] = defaultdict(list)
    kinds: dict[str, int] = defaultdict(int)
    for row in rows:
        verdict, kind = check_output(row.raw, label_set)
        for check, ok in verdict.items():
            counts[check] += ok
        if not verdict["key_order"] and kind is None:
            kind = "keys out of order"
        if kind:
            kinds[kind] += 1
            if len(examples[kind]) < EXAMPLES_PER_KIND:
                raw = row.raw or ""
                examples[kind].append({"id": row.id, "raw": raw[:300] + ("…" if len(raw) > 300
                                                                          else "")})
    n = len(rows)
    return {
        "rows": n,
        "shares": {check: counts[check] / n for check in CHECKS},
        "counts": counts,
        "failures_by_kind": dict(kinds),
        "examples": dict(examples),
    }


def adherence_file(path: str | Path, *, labels: list[str] | None = None) -> dict[str, Any]:
    rows = read_predictions(path)
    task, label_names, dataset = resolve_task(rows, Path(path), None, labels)
    if task not in (TaskKind.MULTI_LABEL, TaskKind.SINGLE_LABEL):
        raise EmolabError(f"adherence checks the answer schema of classification outputs; "
                          f"{path} is {task.value}")
    label_set = LabelSet(dataset or "custom", dict.fromkeys(label_names, ""))
    report = adherence_rows(rows, label_set)
    constrained = {row.model_extra.get("constrained") for row in rows if row.model_extra}
    report.update(file=str(path), dataset=dataset,
                  constrained=next(iter(constrained)) if len(constrained) == 1 else None)
    return report
