"""A lenient, documented reader of multiple-choice answers: text in, a choice index or None.

Choices are shown as ``(a) …``, ``(b) …``. An answer is read by these rules, first from a JSON
object (the ``answer`` key, or the key asked for), then line by line **from the last line up**
(a reasoned answer ends with its conclusion); the first line that gives a reading wins:

1. the whole line is a letter: ``b``, ``(b)``, ``[B]``, ``b.``, ``B)``;
2. the line starts with a letter marker: ``(b) Delight``, ``b) Delight``, ``B. Delight``;
3. a keyword and a letter: ``Option B``, ``answer: (b)``, ``the answer is b.``, ``选项B``;
4. exactly one distinct ``(x)`` marker anywhere in the line (``I would choose (c).``);
5. the text of exactly one choice inside the line (when one matching choice is part of another,
   the longer one wins: "Anger" inside "Anger and Guilt").

A line that lists several letters (``a, d, f``; ``A & D``; ``conclusion: c & d.``) names no
single answer: reading stops there and the answer is unreadable, rather than falling back to
a letter mentioned earlier in the reasoning.

A letter beyond the offered choices reads as nothing. Text is NFKC-normalised first, so
full-width letters and brackets (``（Ｂ）``) read like ASCII ones. A bare lowercase ``a`` is
read only when it stands alone or is closed by punctuation, so that the article in "a good
idea" never reads as choice (a).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

LETTERS = "abcdefghijklmnopqrstuvwxyz"

_BARE = re.compile(r"^[(\[]?([a-z])[)\]]?[.:)]?$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:[(\[]([a-z])[)\]]|([a-z])[).:](?:\s|$))", re.IGNORECASE)
_KEYWORD = re.compile(r"(?i:option|choice|answer(?:\s+is)?|final\s+choice|选项|答案)"
                        r"\s*(?i:is\s*)?[:：\-]?\s*"
                        r"(?:[(\[]([a-zA-Z])[)\]]|([A-Z])\b|([a-z])(?=[\s.,;:!]*$|[.,;:!]))")
_SEVERAL = re.compile(r"(?:^|[:：]\s*)[(\[]?[a-z][)\]]?(?:\s*(?:,|&|and|or|/|和|、|或)\s*"
                      r"[(\[]?[a-z][)\]]?)+\s*[.!]?$", re.IGNORECASE)
_MARKER = re.compile(r"[(\[]([a-z])[)\]]", re.IGNORECASE)
_DECORATION = str.maketrans({c: " " for c in "*#>`_\"“”'‘’"})
_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL)


def letter(index: int) -> str:
    """The letter of a 0-based choice index: 0 -> "a"."""
    return LETTERS[index]


def _index(found: str | None, n_choices: int) -> int | None:
    if not found:
        return None
    i = LETTERS.index(found.lower())
    return i if i < n_choices else None


def _clean(line: str) -> str:
    line = line.translate(_DECORATION).strip()
    return line.lstrip("-•").strip()


def _by_choice_text(line: str, choices: Sequence[str]) -> int | None:
    folded = line.casefold()
    hits = [i for i, c in enumerate(choices)
            if (text := c.strip().rstrip(".").casefold()) and text in folded]
    hits = [i for i in hits if not any(
        j != i and choices[i].strip().rstrip(".").casefold() in choices[j].casefold()
        for j in hits)]
    return hits[0] if len(hits) == 1 else None


def read_line(line: str, choices: Sequence[str]) -> int | None:
    """The choice one line names (rules 1–5 of the module), or None."""
    line = _clean(line)
    if not line:
        return None
    n = len(choices)
    if m := _BARE.match(line):
        return _index(m.group(1), n)
    if m := _LEADING.match(line):
        found = _index(m.group(1) or m.group(2), n)
        if found is not None:
            return found
    for m in _KEYWORD.finditer(line):
        found = _index(m.group(1) or m.group(2) or m.group(3), n)
        if found is not None:
            return found
    markers = {_index(x, n) for x in _MARKER.findall(line)} - {None}
    if len(markers) == 1:
        return markers.pop()
    return _by_choice_text(line, choices)


def json_object(text: str) -> dict[str, Any] | None:
    """The JSON object of an answer: the whole text, a fenced block, or the outermost braces."""
    candidates = [text.strip()]
    candidates += _FENCE.findall(text)
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start:end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def read_choice(text: str | None, choices: Sequence[str], *, key: str = "answer") -> int | None:
    """The 0-based index of the choice ``text`` names, or None when it names none."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    obj = json_object(text)
    if obj is not None and isinstance(obj.get(key), str):
        found = read_line(obj[key], choices)
        if found is not None:
            return found
    for line in reversed(text.splitlines()):
        if _SEVERAL.search(_clean(line)):
            return None
        found = read_line(line, choices)
        if found is not None:
            return found
    return None


_PART = {
    "emotion": re.compile(r"^(?i:question\s*1|q1|answer\s*1|1[.):]|emotions?(?:\s*\(s\))?)"
                          r"\s*[:：\-]?\s*(.+)$"),
    "cause": re.compile(r"^(?i:question\s*2|q2|answer\s*2|2[.):]|causes?|reason)"
                        r"\s*[:：\-]?\s*(.+)$"),
}


def read_pair(text: str | None, emotion_choices: Sequence[str], cause_choices: Sequence[str]
              ) -> tuple[int | None, int | None]:
    """Both answers of the one-prompt EU question: a JSON object with ``emotion`` and ``cause``
    keys, else lines such as ``Emotion: (b)`` / ``Question 2: c`` / ``1. b``."""
    if not text:
        return None, None
    text = unicodedata.normalize("NFKC", text)
    obj = json_object(text) or {}
    found: dict[str, int | None] = {}
    for key, choices in (("emotion", emotion_choices), ("cause", cause_choices)):
        value = obj.get(key)
        found[key] = read_line(value, choices) if isinstance(value, str) else None
    for line in reversed(text.splitlines()):
        cleaned = _clean(line)
        for key, choices in (("emotion", emotion_choices), ("cause", cause_choices)):
            if found[key] is None and (m := _PART[key].match(cleaned)):
                found[key] = read_line(m.group(1), choices)
    return found["emotion"], found["cause"]
