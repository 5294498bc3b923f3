"""EmoBench (Sabour et al., ACL 2024): emotional understanding (EU) and application (EA).

Multiple choice. EU asks two questions about a scenario (the subject's emotion and its cause);
an item is correct only when both are answered correctly. EA asks for the most effective
response or action. Items come in English and Chinese; the split picks the language
(``en``, ``zh``) or both (``all``). Example ``labels`` hold the correct choice of each
question, in the order of ``meta["questions"]``.
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


def _question(path: Path, line: int, obj: dict[str, Any], name: str, choices_key: str,
              label_key: str) -> tuple[dict[str, Any], str]:
    choices = obj[choices_key]
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise DataFormatError(path, "expected a list of strings", line=line, field=choices_key)
    answer = obj[label_key]
    if answer not in choices:
        raise DataFormatError(path, f"{answer!r} is not one of the choices", line=line,
                              field=label_key)
    return {"name": name, "choices": choices}, answer


def _loader(file: str, build):
    def load(data_dir: Path, split: str) -> list[Example]:
        path = data_dir / ROOT / file
        rows = []
        for line, obj in iter_jsonl(path, required=("qid", "language", "scenario", "subject")):
            if split != "all" and obj["language"] != split:
                continue
            questions, answers, meta = build(path, line, obj)
            meta.update(questions=questions, subject=obj["subject"], language=obj["language"])
            rows.append(Example(id=f"{obj['language']}-{obj['qid']}", text=obj["scenario"],
                                labels=tuple(answers), meta=meta))
        return rows

    return load


def _eu_item(path: Path, line: int, obj: dict[str, Any]):
    for key in ("coarse_category", "finegrained_category", "emotion_choices", "emotion_label",
                "cause_choices", "cause_label"):
        if key not in obj:
            raise DataFormatError(path, "missing", line=line, field=key)
    emotion, emotion_answer = _question(path, line, obj, "emotion", "emotion_choices",
                                        "emotion_label")
    cause, cause_answer = _question(path, line, obj, "cause", "cause_choices", "cause_label")
    meta = {"category": obj["coarse_category"], "subcategory": obj["finegrained_category"]}
    return [emotion, cause], [emotion_answer, cause_answer], meta


def _ea_item(path: Path, line: int, obj: dict[str, Any]):
    for key in ("category", "question type", "choices", "label"):
        if key not in obj:
            raise DataFormatError(path, "missing", line=line, field=key)
    response, answer = _question(path, line, obj, "response", "choices", "label")
    meta = {"category": obj["category"], "question_type": obj["question type"]}
    return [response], [answer], meta


register(DatasetInfo(
    name="emobench-eu", task=TaskKind.MULTIPLE_CHOICE, splits=SPLITS,
    loader=_loader("EU.jsonl", _eu_item),
    description="EmoBench emotional understanding: emotion + cause multiple choice, by category",
    official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
register(DatasetInfo(
    name="emobench-ea", task=TaskKind.MULTIPLE_CHOICE, splits=SPLITS,
    loader=_loader("EA.jsonl", _ea_item),
    description="EmoBench emotional application: best response or action, by category",
    official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
