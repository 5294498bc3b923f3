"""EmoBench (Sabour et al., ACL 2024): emotional understanding (EU) and application (EA).

Multiple choice. EU asks two questions about a scenario (the subject's emotion and its cause);
an item is correct only when both are answered correctly. EA asks for the most effective
response or action. Items come in English and Chinese; the split picks the language
(``en``, ``zh``) or both (``all``). Example ``labels`` hold the correct choice of each
question, in the order of ``meta["questions"]``.

``check_row`` is the one check of a row in this format; ``emolab.emobench.items`` uses it too,
for item files in EmoBench's format that a user or a generator made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emolab.data.reading import iter_jsonl
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.errors import DataFormatError

ROOT = Path("emobench")
SPLITS = ("en", "zh", "all")
COUNTS = {"en": 200, "zh": 200, "all": 400}
CITATION = ("Sabour et al. (2024). EmoBench: Evaluating the Emotional Intelligence of Large "
            "Language Models. ACL. MIT licence.")
EU_FIELDS = ("qid", "language", "coarse_category", "finegrained_category", "scenario", "subject",
             "emotion_choices", "emotion_label", "cause_choices", "cause_label")
EA_FIELDS = ("qid", "language", "category", "question type", "scenario", "subject", "choices",
             "label")
# Per task: (question name, field of its choices, field of its answer).
QUESTIONS = {"EU": (("emotion", "emotion_choices", "emotion_label"),
                    ("cause", "cause_choices", "cause_label")),
             "EA": (("response", "choices", "label"),)}
MAX_CHOICES = 26  # one letter each


def _question(path: Path, line: int, row: dict[str, Any], choices_key: str,
              label_key: str) -> tuple[list[str], int]:
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
    if isinstance(label, int) and not isinstance(label, bool):  # an index, in generated files
        if not 0 <= label < len(choices):
            raise DataFormatError(path, f"index {label} is outside the {len(choices)} choices",
                                  line=line, field=label_key)
        return choices, label
    if label not in choices:
        raise DataFormatError(path, f"{label!r} is not one of the choices", line=line,
                              field=label_key)
    return choices, choices.index(label)


def check_row(path: Path, line: int, row: Any, task: str | None = None
              ) -> tuple[str, list[tuple[str, list[str], int]]]:
    """Check one row of an EmoBench-format file; errors name the file, the line and the field.

    ``task`` ("EU" or "EA") is the task of the file; without it a row with ``emotion_choices``
    is EU and one with ``choices`` EA. Returns the task and, per question, its name, choices
    and the index of the right choice (the label may be the choice's text or its index).
    """
    if not isinstance(row, dict):
        raise DataFormatError(path, "expected a JSON object", line=line)
    if task is None:
        task = "EU" if "emotion_choices" in row else "EA" if "choices" in row else None
        if task is None:
            raise DataFormatError(path, "missing (an EU row has emotion_choices, an EA row "
                                  "choices)", line=line, field="emotion_choices")
    for key in EU_FIELDS if task == "EU" else EA_FIELDS:
        if key not in row:
            raise DataFormatError(path, "missing", line=line, field=key)
    for key in ("scenario", "subject", "language"):
        if not isinstance(row[key], str) or not row[key].strip():
            raise DataFormatError(path, "expected a non-empty string", line=line, field=key)
    if task == "EA" and str(row["question type"]).lower() not in ("action", "response"):
        raise DataFormatError(path, f"expected Action or Response, not {row['question type']!r}",
                              line=line, field="question type")
    return task, [(name, *_question(path, line, row, choices_key, label_key))
                  for name, choices_key, label_key in QUESTIONS[task]]


def _loader(file: str, task: str):
    def load(data_dir: Path, split: str) -> list[Example]:
        path = data_dir / ROOT / file
        rows = []
        for line, obj in iter_jsonl(path):
            _, questions = check_row(path, line, obj, task)  # every row, whatever its language
            if split != "all" and obj["language"] != split:
                continue
            if task == "EU":
                meta = {"category": obj["coarse_category"],
                        "subcategory": obj["finegrained_category"]}
            else:
                meta = {"category": obj["category"], "question_type": obj["question type"]}
            meta.update(questions=[{"name": name, "choices": choices}
                                   for name, choices, _ in questions],
                        subject=obj["subject"], language=obj["language"])
            rows.append(Example(id=f"{obj['language']}-{obj['qid']}", text=obj["scenario"],
                                labels=tuple(choices[answer] for _, choices, answer in questions),
                                meta=meta))
        return rows

    return load


register(DatasetInfo(
    name="emobench-eu", task=TaskKind.MULTIPLE_CHOICE, splits=SPLITS,
    loader=_loader("EU.jsonl", "EU"),
    description="EmoBench emotional understanding: emotion + cause multiple choice, by category",
    official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
register(DatasetInfo(
    name="emobench-ea", task=TaskKind.MULTIPLE_CHOICE, splits=SPLITS,
    loader=_loader("EA.jsonl", "EA"),
    description="EmoBench emotional application: best response or action, by category",
    official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
