"""AEB-1: the SemEval-2018 test sets as EmoLLMs prompted them (``emollms_aeb/aeb1/``).

Each file holds one row per SemEval test-gold row, in the same order (EI: anger, fear, joy,
sadness), with the whole EmoLLMs instruction and the gold in EmoLLMs' answer format, but no id.
The loader aligns the rows with the SemEval test files: ids, texts and gold come from SemEval,
the instruction is kept in ``meta["instruction"]``; a row whose tweet or emotion differs from
its SemEval counterpart is reported, so the two files can never be silently misaligned.
"""

from __future__ import annotations

import re
from pathlib import Path

from emolab.data.reading import iter_jsonl
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.data.semeval import (
    CITATION as SEMEVAL_CITATION,
)
from emolab.data.semeval import (
    EI_CLASSES,
    EI_EMOTIONS,
    V_CLASSES,
    _ei_loader,
    _valence_loader,
    load_ec,
)
from emolab.errors import DataFormatError
from emolab.labels import SEMEVAL_EC

ROOT = Path("emollms_aeb") / "aeb1"
_PROMPT = re.compile(r"Tweet: (?P<text>.*?)\s*(?:Emotion E: (?P<emotion>\w+)\.\s*)?"
                     r"(?:Intensity Score|Intensity Class|This tweet contains emotions):\s*$",
                     re.DOTALL)


def _same_text(a: str, b: str) -> bool:
    # EmoLLMs' prompts add ". " after the tweet; whitespace runs differ in a few rows.
    return " ".join(a.split()).rstrip(". ") == " ".join(b.split()).rstrip(". ")


def _aligned(file: str, semeval_loader):
    def load(data_dir: Path, split: str) -> list[Example]:
        path = data_dir / ROOT / file
        gold_rows = semeval_loader(data_dir, "test")
        rows: list[Example] = []
        for line, obj in iter_jsonl(path, required=("instruction", "output")):
            if len(rows) >= len(gold_rows):
                raise DataFormatError(path, f"more rows than the {len(gold_rows)} SemEval "
                                      "test rows", line=line)
            gold = gold_rows[len(rows)]
            match = _PROMPT.search(obj["instruction"])
            if match is None or not _same_text(match.group("text"), gold.text):
                raise DataFormatError(path, f"its tweet is not that of SemEval test row "
                                      f"{gold.id}", line=line, field="instruction")
            emotion = match.group("emotion")
            if emotion is not None and emotion not in gold.scores:
                raise DataFormatError(path, f"asks about {emotion!r}, SemEval row {gold.id} "
                                      f"about {next(iter(gold.scores))!r}", line=line,
                                      field="instruction")
            rows.append(Example(id=gold.id, text=gold.text, labels=gold.labels,
                                scores=gold.scores,
                                meta={**gold.meta, "instruction": obj["instruction"],
                                      "emollms_gold": str(obj["output"])}))
        if len(rows) != len(gold_rows):
            raise DataFormatError(path, f"{len(rows)} rows, the SemEval test set has "
                                  f"{len(gold_rows)}")
        return rows

    return load


def _register(name: str, file: str, loader, task: TaskKind, answer_task: str,
              description: str, count: int, **extra) -> None:
    register(DatasetInfo(
        name=name, task=task, splits=("test",), loader=_aligned(file, loader),
        description=description, official_counts={"test": count}, source=str(ROOT),
        citation=SEMEVAL_CITATION, answer_task=answer_task, **extra,
    ))


_register("emollms-aeb1-ec", "E-c.json", load_ec, TaskKind.MULTI_LABEL, "semeval-ec",
          "AEB-1 E-c: SemEval-2018 E-c test with EmoLLMs' prompts", 3259, label_set=SEMEVAL_EC)
_register("emollms-aeb1-ei-reg", "EI-reg.json", _ei_loader("EI-reg"), TaskKind.REGRESSION,
          "ei-reg", "AEB-1 EI-reg: SemEval-2018 EI-reg test with EmoLLMs' prompts", 4068,
          dimensions=EI_EMOTIONS)
_register("emollms-aeb1-ei-oc", "EI-oc.json", _ei_loader("EI-oc"), TaskKind.ORDINAL, "ei-oc",
          "AEB-1 EI-oc: SemEval-2018 EI-oc test with EmoLLMs' prompts", 4068,
          dimensions=EI_EMOTIONS, classes=EI_CLASSES)
_register("emollms-aeb1-v-reg", "V-reg.json", _valence_loader("reg"), TaskKind.REGRESSION,
          "v-reg", "AEB-1 V-reg: SemEval-2018 V-reg test with EmoLLMs' prompts", 937,
          dimensions=("valence",))
_register("emollms-aeb1-v-oc", "V-oc.json", _valence_loader("oc"), TaskKind.ORDINAL, "v-oc",
          "AEB-1 V-oc: SemEval-2018 V-oc test with EmoLLMs' prompts", 937,
          dimensions=("valence",), classes=V_CLASSES)
