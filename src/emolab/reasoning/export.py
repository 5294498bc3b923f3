"""Kept items out of a run folder, in two formats.

``trl``: one row per item with TRL's ``messages`` (system, user, assistant). The user turn
holds the scenario, the question(s) and the lettered options; the assistant turn is a JSON
object with ``reasoning`` first (the extractor's explanation) and then ``answer``: the text of
the correct option (EA), or ``{"emotion": ..., "cause": ...}`` (EU).

``trl`` with ``prompts="emobench"``: the same items asked exactly as ``emolab emobench run
--cot`` asks them (``emolab.emobench.prompts``: EU in two steps, the emotion and then the cause
of the right emotion, so an EU item gives two rows; EA one row), the choices in a seeded
order, and the reply the runner's schema expects: ``{"reasoning": <explanation>, "answer":
<letter>}``. A model trained on these rows is evaluated by the EmoBench runner on the prompt
it was trained with; the seeded order keeps it from learning a favourite position.

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
PROMPTS = ("plain", "emobench")
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


def emobench_prompt_rows(item: dict[str, Any], seed: int = 0) -> list[dict[str, Any]]:
    import random

    from emolab.emobench.items import item_from_row
    from emolab.emobench.parser import letter
    from emolab.emobench.prompts import cause_messages, ea_messages, emotion_messages

    bench_item = item_from_row(Path("generated"), 0, emobench_row(item))
    rng = random.Random(f"{seed}-{item['id']}")
    rows = []
    for question in bench_item.questions:
        order = list(range(len(question.choices)))
        rng.shuffle(order)
        choices = [question.choices[i] for i in order]
        if question.name == "emotion":
            messages = emotion_messages(bench_item, choices, cot=True, structured=True)
        elif question.name == "cause":
            right = bench_item.questions[0].choices[bench_item.questions[0].answer]
            messages = cause_messages(bench_item, choices, right, cot=True, structured=True)
        else:
            messages = ea_messages(bench_item, choices, cot=True, structured=True)
        reply = json.dumps({"reasoning": item["explanation"],
                            "answer": letter(order.index(question.answer))}, ensure_ascii=False)
        rows.append({"id": f"{item['id']}-{question.name}", "kind": item["kind"],
                     "category": item["category"],
                     "messages": [*messages, {"role": "assistant", "content": reply}]})
    return rows


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
           kind: str | None = None, prompts: str = "plain", seed: int = 0) -> dict[str, int]:
    """Write ``items``; returns rows written per file. ``emobench`` with ``out`` ending in
    .jsonl writes one kind (``kind``, or the only one present); otherwise ``out`` is a folder
    that receives EU.jsonl and EA.jsonl. ``prompts`` (trl only): ``plain`` or ``emobench``
    (the EmoBench runner's prompts, choices shuffled with ``seed``)."""
    if fmt not in FORMATS:
        raise EmolabError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if prompts not in PROMPTS:
        raise EmolabError(f"unknown prompts {prompts!r}; choose one of: {', '.join(PROMPTS)}")
    if prompts != "plain" and fmt != "trl":
        raise EmolabError("--prompts applies to --format trl only")
    if kind is not None:
        items = [i for i in items if i["kind"] == kind]
    out = Path(out)
    if fmt == "trl":
        rows = ([trl_row(i) for i in items] if prompts == "plain"
                else [row for i in items for row in emobench_prompt_rows(i, seed)])
        _write(out, rows)
        return {str(out): len(rows)}
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
