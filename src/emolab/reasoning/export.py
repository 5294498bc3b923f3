"""Kept items out of a run folder, in two formats.

``trl``: one row per item with TRL's ``messages`` (system, user, assistant). The user turn
holds the scenario, the question(s) and the lettered options; the assistant turn is a JSON
object with ``reasoning`` first (the extractor's explanation) and then ``answer``: the text of
the correct option (EA), or ``{"emotion": ..., "cause": ...}`` (EU).

``emobench``: EmoBench's own fields (``EU.jsonl``: qid, language, coarse_category,
finegrained_category, scenario, subject, emotion_choices, emotion_label, cause_choices,
cause_label; ``EA.jsonl``: qid, language, category, question type, scenario, subject, choices,
label), so an EmoBench runner evaluates generated items as it does the test set. Generated
items have no fine-grained EU category: the coarse one is repeated there.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

FORMATS = ("trl", "emobench")
SYSTEM = ("You answer multiple-choice questions about emotions. Reason first, then answer "
          'with JSON: {"reasoning": "...", "answer": ...}.')


def _options(choices: list[str]) -> str:
    return "\n".join(f"{string.ascii_uppercase[i]}. {c}" for i, c in enumerate(choices))


def trl_row(item: dict[str, Any]) -> dict[str, Any]:
    if item["kind"] == "eu":
        cause_question = f"Why would {item['subject']} feel this way?"
        prompt = (f"Scenario: {item['scenario']}\n\nQuestion 1: {item['question']}\n"
                  f"{_options(item['emotion_choices'])}\n\nQuestion 2: {cause_question}\n"
                  f"{_options(item['cause_choices'])}\n\nAnswer with the text of the right "
                  'option of each question: {"emotion": ..., "cause": ...}.')
        answer: Any = {"emotion": item["emotion_label"], "cause": item["cause_label"]}
    else:
        prompt = (f"Scenario: {item['scenario']}\n\nQuestion: {item['question']}\n"
                  f"{_options(item['choices'])}\n\nAnswer with the text of the most effective "
                  "option.")
        answer = item["label"]
    reply = json.dumps({"reasoning": item["explanation"], "answer": answer}, ensure_ascii=False)
    return {"id": item["id"], "kind": item["kind"], "category": item["category"],
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": prompt},
                         {"role": "assistant", "content": reply}]}


def emobench_row(item: dict[str, Any]) -> dict[str, Any]:
    if item["kind"] == "eu":
        return {"qid": item["id"], "language": "en", "coarse_category": item["category"],
                "finegrained_category": item["category"], "scenario": item["scenario"],
                "subject": item["subject"], "emotion_choices": item["emotion_choices"],
                "emotion_label": item["emotion_label"], "cause_choices": item["cause_choices"],
                "cause_label": item["cause_label"]}
    return {"qid": item["id"], "language": "en", "category": item["category"],
            "question type": item["question_type"], "scenario": item["scenario"],
            "subject": item["subject"], "choices": item["choices"], "label": item["label"]}


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def export(items: list[dict[str, Any]], out: str | Path, *, fmt: str,
           kind: str | None = None) -> dict[str, int]:
    """Write ``items``; returns rows written per file. ``emobench`` with ``out`` ending in
    .jsonl writes one kind (``kind``, or the only one present); otherwise ``out`` is a folder
    that receives EU.jsonl and EA.jsonl."""
    if fmt not in FORMATS:
        raise EmolabError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if kind is not None:
        items = [i for i in items if i["kind"] == kind]
    out = Path(out)
    if fmt == "trl":
        _write(out, [trl_row(i) for i in items])
        return {str(out): len(items)}
    kinds = sorted({i["kind"] for i in items})
    if out.suffix == ".jsonl":
        if len(kinds) > 1:
            raise EmolabError("EU and EA items need separate files: give --kind eu|ea, or an "
                              "--out folder that receives EU.jsonl and EA.jsonl")
        _write(out, [emobench_row(i) for i in items])
        return {str(out): len(items)}
    written = {}
    for k in ("eu", "ea"):
        rows = [emobench_row(i) for i in items if i["kind"] == k]
        if rows:
            path = out / f"{k.upper()}.jsonl"
            _write(path, rows)
            written[str(path)] = len(rows)
    return written
