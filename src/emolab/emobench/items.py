"""EmoBench items: the shipped data (through ``emolab.data``) or a JSONL file in EmoBench's own
item format (the field names of ``EU.jsonl`` / ``EA.jsonl``), so that generated items can be
evaluated the same way.

EU rows: ``qid, language, coarse_category, finegrained_category, scenario, subject,
emotion_choices, emotion_label, cause_choices, cause_label``. EA rows: ``qid, language,
category, question type, scenario, subject, choices, label``. A label is the text of the right
choice. A row with ``emotion_choices`` is EU, one with ``choices`` EA.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError

TASKS = ("EU", "EA")
LANGUAGES = ("en", "zh")
EU_FIELDS = ("qid", "language", "coarse_category", "finegrained_category", "scenario", "subject",
             "emotion_choices", "emotion_label", "cause_choices", "cause_label")
EA_FIELDS = ("qid", "language", "category", "question type", "scenario", "subject", "choices",
             "label")
MAX_CHOICES = 26  # one letter each


@dataclass(frozen=True)
class Question:
    name: str  # "emotion", "cause" (EU) or "response" (EA)
    choices: tuple[str, ...]
    answer: int  # index of the right choice


@dataclass(frozen=True)
class Item:
    id: str  # "<language>-<qid>"
    task: str  # "EU" or "EA"
    language: str
    scenario: str
    subject: str
    questions: tuple[Question, ...]
    category: str
    subcategory: str  # EU: the fine-grained category; EA: the question type (Action/Response)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def question_type(self) -> str:
        """EA: "action" or "response", as the question words it."""
        return self.subcategory.lower()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Item:
        questions = tuple(Question(q["name"], tuple(q["choices"]), q["answer"])
                          for q in row["questions"])
        return cls(**{**row, "questions": questions})


def from_examples(examples: list, task: str) -> list[Item]:
    """Items from the rows of the ``emobench-eu`` / ``emobench-ea`` loaders."""
    items = []
    for ex in examples:
        meta = ex.meta
        questions = tuple(Question(q["name"], tuple(q["choices"]), q["choices"].index(answer))
                          for q, answer in zip(meta["questions"], ex.labels, strict=True))
        sub = meta["subcategory"] if task == "EU" else meta["question_type"]
        items.append(Item(id=ex.id, task=task, language=meta["language"], scenario=ex.text,
                          subject=meta["subject"], questions=questions,
                          category=meta["category"], subcategory=sub))
    return items


def load_items(task: str, language: str = "en", *, data_dir: str | Path | None = None
               ) -> list[Item]:
    """The shipped EmoBench items of one task, in ``language`` (en, zh or all)."""
    from emolab.data import load

    return from_examples(load(f"emobench-{task.lower()}", language, data_dir=data_dir), task)


def _question(path: Path, line: int, row: dict[str, Any], name: str, choices_key: str,
              label_key: str) -> Question:
    choices = row[choices_key]
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise DataFormatError(path, "expected a list of non-empty strings", line=line,
                              field=choices_key)
    if len(choices) < 2:
        raise DataFormatError(path, f"a question needs at least two choices, got {len(choices)}",
                              line=line, field=choices_key)
    if len(choices) > MAX_CHOICES:
        raise DataFormatError(path, f"at most {MAX_CHOICES} choices (one letter each), got "
                              f"{len(choices)}", line=line, field=choices_key)
    if len(set(choices)) != len(choices):
        raise DataFormatError(path, "two choices have the same text", line=line, field=choices_key)
    label = row[label_key]
    if isinstance(label, int) and not isinstance(label, bool):
        if not 0 <= label < len(choices):
            raise DataFormatError(path, f"index {label} is outside the {len(choices)} choices",
                                  line=line, field=label_key)
        return Question(name, tuple(choices), label)
    if label not in choices:
        raise DataFormatError(path, f"{label!r} is not one of the choices", line=line,
                              field=label_key)
    return Question(name, tuple(choices), choices.index(label))


def item_from_row(path: Path, line: int, row: Any) -> Item:
    """One item of an EmoBench-format file; errors name the file, the line and the field."""
    if not isinstance(row, dict):
        raise DataFormatError(path, "expected a JSON object", line=line)
    task = "EU" if "emotion_choices" in row else "EA" if "choices" in row else None
    if task is None:
        raise DataFormatError(path, "missing (an EU row has emotion_choices, an EA row choices)",
                              line=line, field="emotion_choices")
    for key in EU_FIELDS if task == "EU" else EA_FIELDS:
        if key not in row:
            raise DataFormatError(path, "missing", line=line, field=key)
    for key in ("scenario", "subject", "language"):
        if not isinstance(row[key], str) or not row[key].strip():
            raise DataFormatError(path, "expected a non-empty string", line=line, field=key)
    common = dict(id=f"{row['language']}-{row['qid']}", task=task, language=row["language"],
                  scenario=row["scenario"], subject=row["subject"])
    if task == "EU":
        questions = (_question(path, line, row, "emotion", "emotion_choices", "emotion_label"),
                     _question(path, line, row, "cause", "cause_choices", "cause_label"))
        return Item(**common, questions=questions, category=str(row["coarse_category"]),
                    subcategory=str(row["finegrained_category"]))
    if str(row["question type"]).lower() not in ("action", "response"):
        raise DataFormatError(path, f"expected Action or Response, not {row['question type']!r}",
                              line=line, field="question type")
    return Item(**common, questions=(_question(path, line, row, "response", "choices", "label"),),
                category=str(row["category"]), subcategory=str(row["question type"]))


def read_items(path: str | Path) -> list[Item]:
    """Every item of an EmoBench-format JSONL file (EU and EA rows may be mixed)."""
    from emolab.data.reading import iter_jsonl

    path = Path(path)
    items: list[Item] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in iter_jsonl(path):
        item = item_from_row(path, line, row)
        key = (item.task, item.id)
        if key in seen:
            raise DataFormatError(path, f"{item.task} item {item.id} is also on line "
                                  f"{seen[key]}", line=line, field="qid")
        seen[key] = line
        items.append(item)
    if not items:
        raise DataFormatError(path, "no items")
    return items
