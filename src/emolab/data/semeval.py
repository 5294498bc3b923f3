"""SemEval-2018 Task 1 "Affect in Tweets", English: E-c, EI-reg, EI-oc, V-reg, V-oc.

Files keep the organisers' all-data layout under ``semeval2018_task1/English/``. They use CRLF
line endings and some test-gold files start with a byte-order mark; ``reading`` handles both.
EI files share tweet ids across the four emotions, so EI example ids are ``TWEETID:emotion``
(the tweet id alone is kept in ``meta["tweet_id"]``).
"""

from __future__ import annotations

from pathlib import Path

from emolab.data.reading import iter_delimited, parse_number
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.errors import DataFormatError
from emolab.labels import SEMEVAL_EC

ROOT = Path("semeval2018_task1") / "English"
EI_EMOTIONS = ("anger", "fear", "joy", "sadness")
CITATION = (
    "Mohammad, Bravo-Marquez, Salameh, Kiritchenko (2018). SemEval-2018 Task 1: Affect in Tweets. "
    "Data terms: do not redistribute (https://competitions.codalab.org/competitions/17751)."
)

_SPLIT_DIRS = {"train": "training", "dev": "development", "test": "test-gold"}


def ec_file(data_dir: Path, split: str) -> Path:
    suffix = {"train": "train", "dev": "dev", "test": "test-gold"}[split]
    return data_dir / ROOT / "E-c" / f"2018-E-c-En-{suffix}.txt"


def ei_file(data_dir: Path, kind: str, emotion: str, split: str) -> Path:
    # Training files lack the "2018-" prefix in the official release.
    prefix = "" if split == "train" else "2018-"
    suffix = {"train": "train", "dev": "dev", "test": "test-gold"}[split]
    return data_dir / ROOT / kind / _SPLIT_DIRS[split] / f"{prefix}{kind}-En-{emotion}-{suffix}.txt"


def valence_file(data_dir: Path, kind: str, split: str) -> Path:
    suffix = {"train": "train", "dev": "dev", "test": "test-gold"}[split]
    folder = {"reg": "V-reg", "oc": "V-oc"}[kind]
    return data_dir / ROOT / folder / f"2018-Valence-{kind}-En-{suffix}.txt"


def load_ec(data_dir: Path, split: str) -> list[Example]:
    path = ec_file(data_dir, split)
    rows = []
    for line, row in iter_delimited(path, sep="\t", required=("ID", "Tweet", *SEMEVAL_EC.labels)):
        gold = []
        for label in SEMEVAL_EC.labels:
            flag = row[label].strip()
            if flag not in ("0", "1"):
                raise DataFormatError(path, f"expected 0 or 1, got {flag!r}", line=line, field=label)
            if flag == "1":
                gold.append(label)
        rows.append(Example(id=row["ID"], text=row["Tweet"], labels=tuple(gold)))
    return rows


def parse_ordinal_class(path: Path, line: int, value: str, classes: tuple[int, ...]) -> int:
    """``"2: moderate amount of anger can be inferred"`` -> 2, checked against ``classes``."""
    head = value.split(":", 1)[0].strip()
    try:
        number = int(head)
    except ValueError:
        raise DataFormatError(path, f"expected 'K: description', got {value!r}",
                              line=line, field="Intensity Class") from None
    if number not in classes:
        raise DataFormatError(path, f"class {number} is not one of {list(classes)}",
                              line=line, field="Intensity Class")
    return number


def _load_intensity(path: Path, dimension: str, *, ordinal: bool, classes: tuple[int, ...],
                    composite_id: bool) -> list[Example]:
    column = "Intensity Class" if ordinal else "Intensity Score"
    rows = []
    for line, row in iter_delimited(path, sep="\t",
                                    required=("ID", "Tweet", "Affect Dimension", column)):
        if row["Affect Dimension"].strip() != dimension:
            raise DataFormatError(path, f"expected {dimension!r}, got {row['Affect Dimension']!r}",
                                  line=line, field="Affect Dimension")
        meta = {"tweet_id": row["ID"], "dimension": dimension}
        if ordinal:
            value: float = parse_ordinal_class(path, line, row[column], classes)
            meta["class_text"] = row[column].strip()
        else:
            value = parse_number(path, line, column, row[column])
        example_id = f"{row['ID']}:{dimension}" if composite_id else row["ID"]
        rows.append(Example(id=example_id, text=row["Tweet"], scores={dimension: value}, meta=meta))
    return rows


def _ei_loader(kind: str):
    ordinal = kind == "EI-oc"

    def load(data_dir: Path, split: str) -> list[Example]:
        rows: list[Example] = []
        for emotion in EI_EMOTIONS:
            rows += _load_intensity(ei_file(data_dir, kind, emotion, split), emotion,
                                    ordinal=ordinal, classes=EI_CLASSES, composite_id=True)
        return rows

    return load


def _valence_loader(kind: str):
    def load(data_dir: Path, split: str) -> list[Example]:
        return _load_intensity(valence_file(data_dir, kind, split), "valence",
                               ordinal=kind == "oc", classes=V_CLASSES, composite_id=False)

    return load


EI_CLASSES = (0, 1, 2, 3)
V_CLASSES = (-3, -2, -1, 0, 1, 2, 3)
SPLITS = ("train", "dev", "test")
EI_COUNTS = {"train": 7102, "dev": 1464, "test": 4068}  # sums of the four emotions
V_COUNTS = {"train": 1181, "dev": 449, "test": 937}

register(DatasetInfo(
    name="semeval-ec", task=TaskKind.MULTI_LABEL, splits=SPLITS, loader=load_ec,
    description="SemEval-2018 Task 1 E-c: tweets, any of 11 emotions (multi-label)",
    label_set=SEMEVAL_EC, official_counts={"train": 6838, "dev": 886, "test": 3259},
    source=str(ROOT / "E-c"), citation=CITATION,
))
register(DatasetInfo(
    name="semeval-ei-reg", answer_task="ei-reg",
    task=TaskKind.REGRESSION, splits=SPLITS, loader=_ei_loader("EI-reg"),
    description="SemEval-2018 Task 1 EI-reg: intensity 0-1 of anger, fear, joy, sadness",
    dimensions=EI_EMOTIONS, official_counts=EI_COUNTS, source=str(ROOT / "EI-reg"),
    citation=CITATION,
))
register(DatasetInfo(
    name="semeval-ei-oc", answer_task="ei-oc",
    task=TaskKind.ORDINAL, splits=SPLITS, loader=_ei_loader("EI-oc"),
    description="SemEval-2018 Task 1 EI-oc: intensity class 0-3 of anger, fear, joy, sadness",
    dimensions=EI_EMOTIONS, classes=EI_CLASSES, official_counts=EI_COUNTS,
    source=str(ROOT / "EI-oc"), citation=CITATION,
))
register(DatasetInfo(
    name="semeval-v-reg", answer_task="v-reg",
    task=TaskKind.REGRESSION, splits=SPLITS, loader=_valence_loader("reg"),
    description="SemEval-2018 Task 1 V-reg: valence 0-1",
    dimensions=("valence",), official_counts=V_COUNTS, source=str(ROOT / "V-reg"),
    citation=CITATION,
))
register(DatasetInfo(
    name="semeval-v-oc", answer_task="v-oc",
    task=TaskKind.ORDINAL, splits=SPLITS, loader=_valence_loader("oc"),
    description="SemEval-2018 Task 1 V-oc: valence class -3..3",
    dimensions=("valence",), classes=V_CLASSES, official_counts=V_COUNTS,
    source=str(ROOT / "V-oc"), citation=CITATION,
))
