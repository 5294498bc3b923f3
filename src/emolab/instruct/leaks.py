"""Keep every dev and test text out of training data: by id and by normalised text.

The held-out texts are read from every split but ``train`` of every data set that has a task
(and EmoBench's items), whichever folder the user has; a data set that is not on disk is
listed as unchecked instead of silently passing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from emolab.data import list_datasets, load
from emolab.data.paths import resolve_data_dir
from emolab.errors import DataNotFoundError

_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def normalise(text: str) -> str:
    """Case, Unicode form, whitespace and leading / trailing punctuation do not make a text new."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _EDGE.sub("", _SPACE.sub(" ", folded).strip())


@dataclass
class HeldOut:
    ids: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)  # normalised text -> "dataset/split"
    checked: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    @classmethod
    def collect(cls, data_dir: str | None) -> HeldOut:
        held = cls()
        root = resolve_data_dir(data_dir)
        for info in list_datasets():
            if info.answer_task is None and not info.name.startswith("emobench"):
                continue
            if info.source and not (root / info.source).exists():
                held.unchecked += [f"{info.name}/{s}" for s in info.splits
                                   if s not in ("train", "all")]
                continue
            for split in info.splits:
                if split in ("train", "all"):
                    continue
                name = f"{info.name}/{split}"
                try:
                    rows = load(info.name, split, data_dir=data_dir)
                except DataNotFoundError:
                    held.unchecked.append(name)
                    continue
                held.checked.append(name)
                for row in rows:
                    held.ids.add(row.id)
                    held.ids.add(str(row.meta.get("tweet_id", row.id)))
                    held.texts.setdefault(normalise(row.text), name)
        return held

    def leak(self, example_id: str, text: str, tweet_id: str | None = None) -> str | None:
        """Why this training row must go ("id in semeval-ec/dev"...), or None."""
        found = self.texts.get(normalise(text))
        if found is not None:
            return f"text in {found}"
        for key in (example_id, tweet_id):
            if key is not None and key in self.ids:
                return "id of a held-out row"
        return None
