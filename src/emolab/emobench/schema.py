"""The constrained answer of a local backend: a letter among the offered ones.

``{"answer": "b"}``, or ``{"reasoning": "...", "answer": "b"}`` with ``--cot`` (reasoning first,
so it is written before the model commits). The one-prompt EU question answers with
``emotion`` and ``cause`` keys instead of ``answer``. The reasoning is bounded so that a small
model cannot loop inside the string until the token limit cuts the JSON.
"""

from __future__ import annotations

from typing import Any

from emolab.emobench.parser import LETTERS

DEFAULT_REASONING_CHARS = 400


def letters(n_choices: int) -> list[str]:
    if not 2 <= n_choices <= len(LETTERS):
        raise ValueError(f"need 2 to {len(LETTERS)} choices, not {n_choices}")
    return list(LETTERS[:n_choices])


def answer_schema(choice_counts: dict[str, int], *, cot: bool,
                  reasoning_chars: int = DEFAULT_REASONING_CHARS) -> dict[str, Any]:
    """A JSON Schema whose keys are ``choice_counts``' (e.g. ``{"answer": 4}``), each an enum of
    letters, after a bounded ``reasoning`` string when ``cot``."""
    properties: dict[str, Any] = {}
    if cot:
        properties["reasoning"] = {"type": "string", "minLength": 1,
                                   "maxLength": reasoning_chars}
    for key, n in choice_counts.items():
        properties[key] = {"type": "string", "enum": letters(n)}
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def token_budget(n_answers: int, *, cot: bool, reasoning_chars: int = DEFAULT_REASONING_CHARS
                 ) -> int:
    """Tokens enough for any answer the schema allows (a token may be a single byte, a
    character up to four bytes), so that no constrained answer is cut."""
    return (4 * reasoning_chars if cot else 0) + 16 * n_answers + 16
