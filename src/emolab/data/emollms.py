"""The parts of the EmoLLMs benchmark (Liu et al., KDD 2024) that are public: AEB test components
and the examples of the AAID instruction data.

AEB files are JSON Lines with ``instruction`` (the task definition with the text embedded after
``Text: ``), ``input`` and ``output`` (the gold answer). The text is cut out of the instruction;
the whole instruction is kept in ``meta["instruction"]`` so the original prompt can be replayed.
The merged AEB and its SemEval-2018 part are not public; rebuild the latter from ``semeval-*``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from emolab.data.reading import iter_jsonl, parse_number
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.data.semeval import parse_ordinal_class
from emolab.errors import DataFormatError
from emolab.labels import GOEMOTIONS_EKMAN

ROOT = Path("emollms_aeb")
CITATION = ("Liu et al. (2024). EmoLLMs: A Series of Emotional Large Language Models and "
            "Annotation Tools for Comprehensive Affective Analysis. KDD. MIT licence; the "
            "underlying data sets keep their own terms.")
TEXT = re.compile(
    r"Text: (?P<text>.*?)\s*(?:Sentiment score|Sentiment Class|Intensity Class|Intensity Score"
    r"|This tweet contains emotions):\s*$",
    re.DOTALL,
)


def _text(path: Path, line: int, instruction: str) -> str:
    match = TEXT.search(instruction)
    if not match:
        raise DataFormatError(path, "no 'Text: ...' followed by an answer cue", line=line,
                              field="instruction")
    return match.group("text")


def _aeb_loader(file: str, build, describe=None):
    """``describe(path, line, index, instruction) -> meta`` adds what a row's place or
    instruction says (the VADER source, the EmoBank dimension)."""
    def load(data_dir: Path, split: str) -> list[Example]:
        path = data_dir / ROOT / "data-split" / file
        rows = []
        for line, obj in iter_jsonl(path, required=("instruction", "output")):
            text = _text(path, line, obj["instruction"])
            meta = {"instruction": obj["instruction"]}
            if describe is not None:
                meta.update(describe(path, line, len(rows), obj["instruction"]))
            labels, scores = build(path, line, obj["output"], meta.get("dimension"))
            rows.append(Example(id=f"{path.stem}-{len(rows)}", text=text, labels=labels,
                                scores=scores, meta=meta))
        return rows

    return load


# vader_test holds the four VADER sets as consecutive blocks of 1,000 rows (MANIFEST.md).
VADER_SOURCES = ("amazon", "movies", "nyt", "tweets")
VADER_BLOCK = 1000
_EMOBANK_DIMENSION = re.compile(r"Determine the (valence|arousal|dominance) intensity")


def _vader_source(path: Path, line: int, index: int, instruction: str) -> dict[str, Any]:
    block = index // VADER_BLOCK
    if block >= len(VADER_SOURCES):
        raise DataFormatError(path, f"more than {VADER_BLOCK * len(VADER_SOURCES)} rows: the "
                              "four VADER blocks are not where they should be", line=line)
    return {"source": VADER_SOURCES[block]}


def _emobank_dimension(path: Path, line: int, index: int, instruction: str) -> dict[str, Any]:
    match = _EMOBANK_DIMENSION.search(instruction)
    if not match:
        raise DataFormatError(path, "names none of valence, arousal, dominance", line=line,
                              field="instruction")
    return {"dimension": match.group(1)}


def _score(dimension: str | None, low: float, high: float):
    """A gold number of ``dimension`` (None: the row's own, from its instruction)."""
    def build(path: Path, line: int, output: Any, row_dimension: str | None = None):
        value = parse_number(path, line, "output", str(output))
        if not low <= value <= high:
            raise DataFormatError(path, f"{value:g} is outside [{low:g}, {high:g}]", line=line,
                                  field="output")
        return (), {dimension or row_dimension or "score": value}

    return build


def _ordinal(dimension: str, classes: tuple[int, ...]):
    def build(path: Path, line: int, output: Any, row_dimension: str | None = None):
        try:
            value = parse_ordinal_class(path, line, str(output), classes)
        except DataFormatError as err:
            raise DataFormatError(path, err.reason, line=line, field="output") from None
        return (), {dimension: value}

    return build


def _ekman_labels(path: Path, line: int, output: Any, row_dimension: str | None = None):
    labels = [part.strip() for part in str(output).rstrip(".").split(",") if part.strip()]
    for label in labels:
        if label not in GOEMOTIONS_EKMAN:
            raise DataFormatError(path, f"label {label!r} is not in the label set",
                                  line=line, field="output")
    return tuple(label for label in GOEMOTIONS_EKMAN.labels if label in labels), {}


def _load_aaid(data_dir: Path, split: str) -> list[Example]:
    """AAID examples: train/dev in ShareGPT ``conversations``, test in alpaca format."""
    path = data_dir / ROOT / "examples" / f"{split}.json"
    rows = []
    for line, obj in iter_jsonl(path):
        if "conversations" in obj:
            turns = obj["conversations"]
            try:
                prompt = next(t["value"] for t in turns if t["from"] == "human")
                answer = next(t["value"] for t in turns if t["from"] in ("gpt", "assistant"))
            except (StopIteration, KeyError, TypeError):
                raise DataFormatError(path, "expected a human turn and an assistant turn",
                                      line=line, field="conversations") from None
            example_id = str(obj.get("id", f"{split}-{len(rows)}"))
        elif "instruction" in obj and "output" in obj:
            prompt = obj["instruction"] + (obj.get("input") or "")
            answer = str(obj["output"])
            example_id = f"aaid-{split}-{len(rows)}"
        else:
            raise DataFormatError(path, "missing (neither conversations nor instruction/output)",
                                  line=line, field="conversations")
        rows.append(Example(id=example_id, text=prompt, meta={"answer": answer}))
    return rows


def _register(name: str, file: str, task: TaskKind, build, description: str, count: int,
              describe=None, **extra) -> None:
    register(DatasetInfo(
        name=name, task=task, splits=("test",), loader=_aeb_loader(file, build, describe),
        description=description, official_counts={"test": count},
        source=str(ROOT / "data-split"), citation=CITATION, **extra,
    ))


_register("emollms-sst", "SST_test.json", TaskKind.REGRESSION, _score("sentiment", 0, 1),
          "EmoLLMs AEB: SST sentiment score 0-1", 2210, dimensions=("sentiment",),
          answer_task="sst")
_register("emollms-sst5", "sst5_test.json", TaskKind.ORDINAL,
          _ordinal("sentiment", (0, 1, 2, 3, 4)), "EmoLLMs AEB: SST-5 sentiment class 0-4", 2210,
          dimensions=("sentiment",), classes=(0, 1, 2, 3, 4), answer_task="sst5")
_register("emollms-tdt", "TDT.json", TaskKind.ORDINAL, _ordinal("sentiment", (-1, 0, 1)),
          "EmoLLMs AEB: TDT sentiment class -1..1", 692, dimensions=("sentiment",),
          classes=(-1, 0, 1), answer_task="tdt")
_register("emollms-emobank", "emobank_test.json", TaskKind.REGRESSION, _score(None, 1, 5),
          "EmoLLMs AEB: EmoBank valence, arousal, dominance 1-5 (1,000 rows each)", 3000,
          dimensions=("valence", "arousal", "dominance"), answer_task="emobank",
          describe=_emobank_dimension)
_register("emollms-vader", "vader_test.json", TaskKind.REGRESSION, _score("sentiment", -4, 4),
          "EmoLLMs AEB: the four VADER sets (Amazon, movies, NYT, tweets), sentiment -4..4",
          4000, dimensions=("sentiment",), answer_task="vader", describe=_vader_source)
_register("emollms-goemotions", "goemotion_test.json", TaskKind.MULTI_LABEL, _ekman_labels,
          "EmoLLMs AEB: GoEmotions test, Ekman 6 + neutral (multi-label)", 5427,
          label_set=GOEMOTIONS_EKMAN)
register(DatasetInfo(
    name="emollms-aaid-examples", task=TaskKind.INSTRUCTION, splits=("train", "dev", "test"),
    loader=_load_aaid, description="EmoLLMs AAID instruction-data examples (prompt -> answer)",
    official_counts={"train": 999, "dev": 199, "test": 39}, source=str(ROOT / "examples"),
    citation=CITATION,
))
