"""Generated items in one flat row per item, close to EmoBench's own fields.

EU (emotional understanding): ``scenario, subject, question, emotion_choices, emotion_label,
cause_choices, cause_label, category`` (one of EmoBench's EU coarse categories),
``explanation``. EA (emotional application): ``scenario, subject, question, question_type,
choices, label, category`` (Personal-Self, Personal-Others, Social-Self, Social-Others),
``explanation``. Both carry ``id``, ``kind``, ``dialogue`` (the index of the dialogue they
come from) and ``seed``.
"""

from __future__ import annotations

import random
from typing import Any

KINDS = ("eu", "ea")
CONTENT_FIELDS = {
    "eu": ("scenario", "subject", "question", "emotion_choices", "emotion_label",
           "cause_choices", "cause_label", "category", "explanation"),
    "ea": ("scenario", "subject", "question", "question_type", "choices", "label", "category",
           "explanation"),
}
# (choices field, label field) of each question of an item.
QUESTIONS = {"eu": (("emotion_choices", "emotion_label"), ("cause_choices", "cause_label")),
             "ea": (("choices", "label"),)}


def item_id(seed: int, dialogue: int, kind: str) -> str:
    """Unique within a run and stable across reruns: one dialogue index gives one item per kind."""
    return f"s{seed}-d{dialogue:06d}-{kind}"


def make_item(kind: str, extracted: dict[str, Any], *, seed: int, dialogue: int) -> dict[str, Any]:
    row: dict[str, Any] = {"id": item_id(seed, dialogue, kind), "kind": kind}
    row.update({name: extracted.get(name) for name in CONTENT_FIELDS[kind]})
    row.update(dialogue=dialogue, seed=seed)
    return row


def answer_texts(item: dict[str, Any]) -> list[str]:
    return [item.get(label) or "" for _, label in QUESTIONS[item["kind"]]]


def _shuffled(right: str, others: list[str], rng: random.Random) -> list[str]:
    choices = [right, *others]
    rng.shuffle(choices)
    return choices


def assemble(kind: str, extracted: dict[str, Any], *, subject: str, seed: int,
             dialogue: int) -> dict[str, Any]:
    """The item's fields from the extractor's answer (``agents.EU_SCHEMA`` / ``EA_SCHEMA``):
    each right answer joins its wrong ones in an order seeded by the run and the dialogue, so
    the label is one of the choices by construction and its position carries no signal."""
    from emolab.emobench.prompts import question_text

    rng = random.Random(f"{seed}-{dialogue}-{kind}")
    fields = {"scenario": extracted["scenario"], "subject": subject,
              "category": extracted["category"], "explanation": extracted["explanation"]}
    if kind == "eu":
        return {**fields, "question": question_text("EU", subject),
                "emotion_choices": _shuffled(extracted["emotion"], extracted["other_emotions"],
                                             rng),
                "emotion_label": extracted["emotion"],
                "cause_choices": _shuffled(extracted["cause"], extracted["other_causes"], rng),
                "cause_label": extracted["cause"]}
    kind_of_question = extracted["question_type"]
    return {**fields, "question": question_text("EA", subject, question_type=kind_of_question),
            "question_type": kind_of_question,
            "choices": _shuffled(extracted["best"], extracted["others"], rng),
            "label": extracted["best"]}
