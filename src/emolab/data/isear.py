"""ISEAR (Scherer & Wallbott 1994): 7,666 situations, one of 7 emotions.

The export is ``|``-separated with a header of 42 names and a trailing empty field. 163 texts
contain ``|`` themselves, so rows are split positionally: the first 40 fields, the last two
(``STATE`` and the empty one), and everything between them joined back as the text ``SIT``.
The original line breaks appear as ``á``; they become spaces. Placeholder non-answers such as
``[ No response.]`` are kept and flagged with ``meta["placeholder"]``.

ISEAR has no official split; ``train`` / ``dev`` / ``test`` are a fixed 80/10/10 partition by a
hash of the row key (MYKEY), so they never change between runs or machines.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from emolab.data.reading import iter_lines, require_label
from emolab.data.records import Example, TaskKind
from emolab.data.registry import DatasetInfo, register
from emolab.errors import DataFormatError
from emolab.labels import ISEAR

PATH = Path("isear") / "isear.csv"
LEADING = 40  # ID ... MYKEY
TRAILING = 2  # STATE, and the empty field after the final '|'
PLACEHOLDER = re.compile(r"^\W*(no response|not applicable|none|nothing|blank)\W*$", re.IGNORECASE)


def hash_split(key: str) -> str:
    bucket = int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def load(data_dir: Path, split: str) -> list[Example]:
    path = data_dir / PATH
    lines = iter_lines(path)
    header_line, header = next(lines)
    names = header.split("|")
    for position, name in ((36, "Field1"), (39, "MYKEY"), (40, "SIT")):
        if len(names) <= position or names[position] != name:
            raise DataFormatError(path, f"missing column at position {position + 1}",
                                  line=header_line, field=name)
    rows = []
    for line, content in lines:
        fields = content.split("|")
        if len(fields) < LEADING + 1 + TRAILING:
            raise DataFormatError(path, f"line is truncated: {len(fields)} of "
                                  f"{LEADING + 1 + TRAILING} fields", line=line,
                                  field=names[min(len(fields), len(names) - 1)])
        key = fields[39]
        if split != "all" and hash_split(key) != split:
            continue
        label = require_label(path, line, "Field1", fields[36].strip(), ISEAR.labels)
        text = "|".join(fields[LEADING:-TRAILING]).replace("á", " ")
        text = " ".join(text.split())
        meta = {"subject": fields[0], "country": fields[2]}
        if PLACEHOLDER.match(text.strip("[]. ")):
            meta["placeholder"] = True
        rows.append(Example(id=key, text=text, labels=(label,), meta=meta))
    return rows


register(DatasetInfo(
    name="isear", task=TaskKind.SINGLE_LABEL, splits=("all", "train", "dev", "test"), loader=load,
    description="ISEAR: described emotional situations, one of 7 emotions (splits by hash)",
    label_set=ISEAR, official_counts={"all": 7666}, source=str(PATH.parent),
    citation="Scherer & Wallbott (1994). Evidence for universality and cultural variation of "
             "differential emotion response patterning. Research use only.",
))
