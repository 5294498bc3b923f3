"""DAIR AI "emotion" (CARER, Saravia et al. 2018), split configuration: 16,000 / 2,000 / 2,000.

Lines are ``text;label``. The widely shared copy adds a ``text;label_name`` header line that the
original files do not have; both forms load. The label is after the *last* semicolon.
Example ids are ``dair-SPLIT-INDEX`` with the 0-based row index of the Hugging Face release.
"""

from __future__ import annotations

from pathlib import Path

from emolab.data.reading import iter_lines, require_label
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.errors import DataFormatError
from emolab.labels import DAIR_EMOTION

ROOT = Path("dair_emotion")
FILES = {"train": "train.txt", "validation": "val.txt", "test": "test.txt"}
HEADERS = {"text;label", "text;label_name"}


def load(data_dir: Path, split: str) -> list[Example]:
    path = data_dir / ROOT / FILES[split]
    rows = []
    for line, content in iter_lines(path):
        if line == 1 and content.strip() in HEADERS:
            continue
        text, sep, label = content.rpartition(";")
        if not sep:
            raise DataFormatError(path, "line is truncated: no ';' before the label",
                                  line=line, field="label")
        label = require_label(path, line, "label", label.strip(), DAIR_EMOTION.labels)
        rows.append(Example(id=f"dair-{split}-{len(rows)}", text=text, labels=(label,)))
    return rows


register(DatasetInfo(
    name="dair-emotion", task=TaskKind.SINGLE_LABEL, splits=tuple(FILES), loader=load,
    description="DAIR AI emotion (CARER): English tweets, one of 6 emotions",
    label_set=DAIR_EMOTION, official_counts={"train": 16000, "validation": 2000, "test": 2000},
    source=str(ROOT),
    citation="Saravia et al. (2018). CARER: Contextualized Affect Representations for Emotion "
             "Recognition. EMNLP. Educational and research use only.",
))
