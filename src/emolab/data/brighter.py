"""SemEval-2025 Task 11 "Bridging the Gap in Text-Based Emotion Detection" (BRIGHTER data).

Three tracks, each a data set whose language is chosen as ``brighter-a:deu`` (``--language``;
English by default, ``all`` for every language at once):

- ``brighter-a``: which of anger, disgust, fear, joy, sadness, surprise a text conveys
  (multi-label, 28 languages). Each language has the columns its annotators used: English has
  no disgust, Afrikaans no surprise; a row of zeros is a text without emotion.
- ``brighter-b``: how intensely, 0-3 per emotion (11 languages; Romanian has no train split).
  One ``Example`` per text and emotion, ``ID:emotion``, as SemEval-2018 EI.
- ``brighter-c``: track A's question in 32 languages, dev and test only: a system answers a
  language it was not trained on.

Files: ``semeval2025_task11/track_{a,b,c}/{train,dev,test}/<lang>.csv`` (``id,text,<emotion
columns>``, quoted texts with commas and newlines). Quirk handled here: every label cell of
``track_a/test/eng.csv`` is empty; the same texts are labelled in ``track_c/test/eng.csv``, and
their labels stand in (matched by text; ``meta["gold_from"]`` says so).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from emolab.data.reading import iter_csv
from emolab.data.records import Example, TaskKind
from emolab.data.registry import ALL_LANGUAGES, DatasetInfo, register
from emolab.errors import DataFormatError
from emolab.labels import BRIGHTER, BRIGHTER_NO_DISGUST, BRIGHTER_NO_SURPRISE, LabelSet

ROOT = Path("semeval2025_task11")
CITATION = (
    "Muhammad et al. (2025). BRIGHTER: BRIdging the Gap in Human-Annotated Textual Emotion "
    "Recognition Datasets for 28 Languages (arXiv 2502.11926); Muhammad et al. (2025). "
    "SemEval-2025 Task 11: Bridging the Gap in Text-Based Emotion Detection. CC BY 4.0."
)
LANGUAGE_NAMES = {
    "afr": "Afrikaans", "amh": "Amharic", "arq": "Algerian Arabic", "ary": "Moroccan Arabic",
    "chn": "Chinese", "deu": "German", "eng": "English", "esp": "Spanish", "hau": "Hausa",
    "hin": "Hindi", "ibo": "Igbo", "ind": "Indonesian", "jav": "Javanese",
    "kin": "Kinyarwanda", "mar": "Marathi", "orm": "Oromo", "pcm": "Nigerian Pidgin",
    "ptbr": "Brazilian Portuguese", "ptmz": "Mozambican Portuguese", "ron": "Romanian",
    "rus": "Russian", "som": "Somali", "sun": "Sundanese", "swa": "Swahili", "swe": "Swedish",
    "tat": "Tatar", "tir": "Tigrinya", "ukr": "Ukrainian", "vmw": "Emakhuwa", "xho": "isiXhosa",
    "yor": "Yoruba", "zul": "isiZulu",
}
_LABEL_SETS = {"eng": BRIGHTER_NO_DISGUST, "afr": BRIGHTER_NO_SURPRISE}
INTENSITY_CLASSES = (0, 1, 2, 3)

# The release's row counts (texts) per language: train / dev / test; None: no such split.
_COUNTS_A = """afr 1222 98 1065, amh 3549 592 1774, arq 901 100 902, ary 1608 267 812,
chn 2642 200 2642, deu 2603 200 2604, eng 2764 115 2765, esp 1996 184 1695, hau 2145 356 1080,
hin 2556 100 1010, ibo 2880 479 1444, kin 2451 407 1231, mar 2415 100 1000, orm 3442 574 1721,
pcm 3728 620 1870, ptbr 2226 200 2226, ptmz 1546 257 776, ron 1241 123 1119, rus 2679 199 1000,
som 3392 566 1696, sun 924 199 926, swa 3307 551 1656, swe 1187 200 1188, tat 1000 200 1000,
tir 3681 614 1840, ukr 2466 249 2234, vmw 1551 258 777, yor 2992 497 1500"""
_COUNTS_B = """amh 3549 592 1774, arq 901 100 902, chn 2642 200 2642, deu 2603 200 2604,
eng 2763 115 2765, esp 1996 184 1695, hau 2145 356 1080, ptbr 2226 200 2226, ron - 123 1119,
rus 2220 343 650, ukr 2466 249 2234"""
_COUNTS_C = """afr - 98 1065, amh - 592 1774, arq - 100 902, ary - 267 812, chn - 200 2642,
deu - 200 2604, eng - 116 2767, esp - 184 1695, hau - 356 1080, hin - 100 1010, ibo - 479 1444,
ind - 156 851, jav - 151 837, kin - 407 1231, mar - 100 1000, orm - 574 1721, pcm - 620 1870,
ptbr - 200 2226, ptmz - 257 776, ron - 123 1119, rus - 199 1000, som - 566 1696, sun - 199 926,
swa - 551 1656, swe - 200 1188, tat - 200 1000, tir - 614 1840, ukr - 249 2234, vmw - 258 777,
xho - 682 1594, yor - 497 1500, zul - 875 2047"""


def _counts(table: str) -> dict[str, dict[str, int]]:
    counts = {}
    for entry in table.replace("\n", " ").split(","):
        language, *numbers = entry.split()
        counts[language] = {split: int(n) for split, n in zip(("train", "dev", "test"), numbers,
                                                               strict=True) if n != "-"}
    return counts


COUNTS = {"a": _counts(_COUNTS_A), "b": _counts(_COUNTS_B), "c": _counts(_COUNTS_C)}


def label_set_of(language: str) -> LabelSet:
    """The label set of a language's columns (all six emotions, but for English and
    Afrikaans)."""
    return _LABEL_SETS.get(language, BRIGHTER)


def track_file(data_dir: Path, track: str, split: str, language: str) -> Path:
    return data_dir / ROOT / f"track_{track}" / split / f"{language}.csv"


def _read(path: Path, emotions: tuple[str, ...], values: tuple[str, ...]
          ) -> list[tuple[int, dict[str, str], dict[str, str]]]:
    """``(line, row, label cells)`` of a track file; every cell is one of ``values``, or every
    label cell of the file is empty (a test split released without gold)."""
    rows = [(line, row, {e: row[e].strip() for e in emotions})
            for line, row in iter_csv(path, required=("id", "text", *emotions))]
    if all(not cell for _, _, cells in rows for cell in cells.values()):
        return [(line, row, {}) for line, row, _ in rows]
    for line, _, cells in rows:
        for emotion, cell in cells.items():
            if cell not in values:
                raise DataFormatError(path, f"expected one of {', '.join(values)}, got "
                                      f"{cell!r}", line=line, field=emotion)
    return rows


def _gold_by_text(data_dir: Path, split: str, language: str, emotions: tuple[str, ...],
                  unlabelled: Path) -> dict[str, dict[str, str]]:
    """Track C's labels by text, standing in for a track A split released without gold."""
    source = track_file(data_dir, "c", split, language)
    if not source.is_file():
        raise DataFormatError(unlabelled, f"every label cell is empty and {source} (whose "
                              "labels stand in) is missing")
    return {row["text"]: cells for _, row, cells in _read(source, emotions, ("0", "1"))}


def _label_rows(data_dir: Path, track: str, split: str, language: str) -> list[Example]:
    label_set = label_set_of(language)
    emotions = label_set.scored
    path = track_file(data_dir, track, split, language)
    rows = _read(path, emotions, ("0", "1"))
    meta = {"language": language, "answer_task": label_set.name}
    stand_in = None
    if rows and not rows[0][2]:
        stand_in = _gold_by_text(data_dir, split, language, emotions, path)
        meta["gold_from"] = f"track_c/{split}/{language}.csv"
    examples = []
    for line, row, cells in rows:
        if stand_in is not None:
            if row["text"] not in stand_in:
                raise DataFormatError(path, "no gold: this text is not in "
                                      f"{meta['gold_from']}", line=line, field="text")
            cells = stand_in[row["text"]]
        labels = tuple(e for e in emotions if cells[e] == "1")
        examples.append(Example(id=row["id"], text=row["text"], labels=labels, meta=dict(meta)))
    return examples


def _intensity_rows(data_dir: Path, split: str, language: str) -> list[Example]:
    emotions = label_set_of(language).scored
    path = track_file(data_dir, "b", split, language)
    rows = _read(path, emotions, tuple(map(str, INTENSITY_CLASSES)))
    if rows and not rows[0][2]:
        raise DataFormatError(path, "every intensity cell is empty: this split has no gold")
    return [Example(id=f"{row['id']}:{e}", text=row["text"], scores={e: int(cells[e])},
                    meta={"text_id": row["id"], "dimension": e, "language": language})
            for _, row, cells in rows for e in emotions]


def _load(track: str, language: str):
    languages = tuple(COUNTS[track]) if language == ALL_LANGUAGES else (language,)

    def load(data_dir: Path, split: str) -> list[Example]:
        rows: list[Example] = []
        for code in languages:
            if split not in COUNTS[track][code]:
                continue  # "all": a language without this split (Romanian has no B train)
            rows += (_intensity_rows(data_dir, split, code) if track == "b"
                     else _label_rows(data_dir, track, split, code))
        return rows

    return load


def _variant(base: DatasetInfo, track: str):
    def build(language: str) -> DatasetInfo:
        every = language == ALL_LANGUAGES
        counts = COUNTS[track]
        chosen = tuple(counts) if every else (language,)
        splits = tuple(s for s in base.splits if any(s in counts[c] for c in chosen))
        emotions = BRIGHTER.scored if every else label_set_of(language).scored

        def rows_per_text(code: str) -> int:  # track B: a row per text and emotion
            return len(label_set_of(code).scored) if track == "b" else 1

        official = {s: sum(counts[c].get(s, 0) * rows_per_text(c) for c in chosen)
                    for s in splits}
        named = "every language" if every else LANGUAGE_NAMES[language]
        changes = dict(name=f"{base.name}:{language}", language=language, splits=splits,
                       loader=_load(track, language), official_counts=official,
                       description=f"{base.description}; {named}")
        if track == "b":
            changes["dimensions"] = emotions
        else:
            changes["label_set"] = BRIGHTER if every else label_set_of(language)
            changes["answer_task"] = changes["label_set"].name
        return replace(base, **changes)

    return build


def _register(track: str, **fields) -> None:
    base = DatasetInfo(languages=tuple(COUNTS[track]), default_language="eng",
                       source=str(ROOT / f"track_{track}"), citation=CITATION, **fields)
    register(replace(base, variant=_variant(base, track)))


_register("a", name="brighter-a", task=TaskKind.MULTI_LABEL, splits=("train", "dev", "test"),
          loader=_load("a", "eng"), label_set=BRIGHTER, official_metric="f1_macro",
          description="SemEval-2025 Task 11 track A: perceived emotions (multi-label)")
_register("b", name="brighter-b", task=TaskKind.ORDINAL, splits=("train", "dev", "test"),
          loader=_load("b", "eng"), answer_task="brighter-intensity",
          dimensions=BRIGHTER.scored, classes=INTENSITY_CLASSES, official_metric="pearson",
          description="SemEval-2025 Task 11 track B: emotion intensity 0-3, a row per text and "
                      "emotion")
_register("c", name="brighter-c", task=TaskKind.MULTI_LABEL, splits=("dev", "test"),
          loader=_load("c", "eng"), label_set=BRIGHTER, official_metric="f1_macro",
          description="SemEval-2025 Task 11 track C: track A in languages a system was not "
                      "trained on (dev and test only)")
