"""EmoBench items: the shipped data (through ``emolab.data``) or a JSONL file in EmoBench's own
item format (the field names of ``EU.jsonl`` / ``EA.jsonl``), so that generated items can be
evaluated the same way.

EU rows: ``qid, language, coarse_category, finegrained_category, scenario, subject,
emotion_choices, emotion_label, cause_choices, cause_label``. EA rows: ``qid, language,
category, question type, scenario, subject, choices, label``. A label is the text of the right
choice (or its index). A row with ``emotion_choices`` is EU, one with ``choices`` EA. Rows are
checked by ``emolab.data.emobench.check_row``, the loader of the shipped files, so both kinds of
file meet the same rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError

TASKS = ("EU", "EA")
LANGUAGES = ("en", "zh")


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


def item_from_row(path: Path, line: int, row: Any) -> Item:
    """One item of an EmoBench-format file; errors name the file, the line and the field."""
    from emolab.data.emobench import check_row

    task, checked = check_row(path, line, row)
    questions = tuple(Question(name, tuple(choices), answer) for name, choices, answer in checked)
    category, sub = (("coarse_category", "finegrained_category") if task == "EU"
                     else ("category", "question type"))
    return Item(id=f"{row['language']}-{row['qid']}", task=task, language=row["language"],
                scenario=row["scenario"], subject=row["subject"], questions=questions,
                category=str(row[category]), subcategory=str(row[sub]))


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
