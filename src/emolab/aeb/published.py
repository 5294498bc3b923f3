"""The published AEB rows (EmoLLMs paper), kept as data with their source: ``published.json``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def published() -> dict[str, Any]:
    """``{"source": ..., "notes": [...], "rows": [{"system", "setting", "table", "scores"}]}``."""
    text = (resources.files("emolab.aeb") / "published.json").read_text(encoding="utf-8")
    return json.loads(text)


def published_rows() -> list[dict[str, Any]]:
    return list(published()["rows"])
