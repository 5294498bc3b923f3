"""GoEmotions (Demszky et al. 2020), simplified split: 28 labels, multi-label.

Rows are ``text <TAB> label ids <TAB> comment id`` with no header; label ids index into
``emotions.txt`` (0 = admiration ... 27 = neutral) and may be comma-separated.
``goemotions-ekman`` maps the 27 emotions to Ekman's six with ``ekman_mapping.json``
(neutral stays neutral).
"""

from __future__ import annotations

import json
from pathlib import Path

from emolab.data.reading import iter_delimited, iter_lines
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.errors import DataFormatError
from emolab.labels import GOEMOTIONS, GOEMOTIONS_EKMAN

ROOT = Path("goemotions")
SPLITS = ("train", "dev", "test")
COUNTS = {"train": 43410, "dev": 5426, "test": 5427}
CITATION = ("Demszky et al. (2020). GoEmotions: A Dataset of Fine-Grained Emotions. ACL. "
            "Apache-2.0.")


def _check_label_file(data_dir: Path) -> None:
    """The ids in the TSV files mean nothing without emotions.txt: make sure ours agrees."""
    path = data_dir / ROOT / "emotions.txt"
    if not path.is_file():
        return
    names = [text.strip() for _, text in iter_lines(path)]
    if tuple(names) != GOEMOTIONS.labels:
        raise DataFormatError(path, "label list differs from the GoEmotions release "
                              f"({len(names)} labels; expected admiration ... neutral, 28)")


def _parse_ids(path: Path, line: int, value: str) -> tuple[str, ...]:
    labels = []
    for part in value.split(","):
        try:
            index = int(part)
        except ValueError:
            raise DataFormatError(path, f"expected label ids like '3,27', got {value!r}",
                                  line=line, field="label_ids") from None
        if not 0 <= index < len(GOEMOTIONS):
            raise DataFormatError(path, f"label id {index} is outside 0-{len(GOEMOTIONS) - 1}",
                                  line=line, field="label_ids")
        labels.append(GOEMOTIONS.labels[index])
    return tuple(labels)


def load(data_dir: Path, split: str) -> list[Example]:
    _check_label_file(data_dir)
    path = data_dir / ROOT / f"{split}.tsv"
    return [
        Example(id=row["comment_id"], text=row["text"],
                labels=_parse_ids(path, line, row["label_ids"]))
        for line, row in iter_delimited(path, sep="\t", columns=("text", "label_ids", "comment_id"))
    ]


def ekman_mapping(data_dir: Path) -> dict[str, str]:
    """fine label -> Ekman label, from the release's ekman_mapping.json."""
    path = data_dir / ROOT / "ekman_mapping.json"
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFormatError(path, "missing; it ships with GoEmotions (goemotions/data/)") from None
    except json.JSONDecodeError as err:
        raise DataFormatError(path, f"not valid JSON ({err.msg})", line=err.lineno) from None
    mapping = {"neutral": "neutral"}
    for ekman, fine_labels in groups.items():
        if ekman not in GOEMOTIONS_EKMAN:
            raise DataFormatError(path, f"unknown Ekman label {ekman!r}", field=ekman)
        for fine in fine_labels:
            mapping[fine] = ekman
    missing = [label for label in GOEMOTIONS.labels if label not in mapping]
    if missing:
        raise DataFormatError(path, f"no Ekman group for {', '.join(missing)}")
    return mapping


def load_ekman(data_dir: Path, split: str) -> list[Example]:
    mapping = ekman_mapping(data_dir)
    rows = []
    for example in load(data_dir, split):
        grouped = {mapping[label] for label in example.labels}
        labels = tuple(label for label in GOEMOTIONS_EKMAN.labels if label in grouped)
        rows.append(Example(id=example.id, text=example.text, labels=labels,
                            meta={"fine_labels": list(example.labels)}))
    return rows


register(DatasetInfo(
    name="goemotions", task=TaskKind.MULTI_LABEL, splits=SPLITS, loader=load,
    description="GoEmotions: Reddit comments, any of 27 emotions or neutral (multi-label)",
    label_set=GOEMOTIONS, official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
register(DatasetInfo(
    name="goemotions-ekman", task=TaskKind.MULTI_LABEL, splits=SPLITS, loader=load_ekman,
    description="GoEmotions grouped into Ekman's 6 emotions + neutral (multi-label)",
    label_set=GOEMOTIONS_EKMAN, official_counts=COUNTS, source=str(ROOT), citation=CITATION,
))
