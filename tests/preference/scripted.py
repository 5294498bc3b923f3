"""A scripted backend: it answers from a list, so the pair logic can be tested exactly.

The real model is exercised in test_pairs_real.py; here the point is the bookkeeping.
"""

from __future__ import annotations

import json
from typing import Any

from emolab.backends.base import Backend, Generation, SamplingParams


def answer(labels: list[str], prominent: str | None = None, explanation: str = "the words") -> str:
    return json.dumps({"explanation": explanation, "most_prominent_emotion": prominent or labels[0],
                       "multiple_emotions_present": labels})


class ScriptedBackend(Backend):
    name = "scripted"
    supports_schema = True

    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.model_id = "scripted-model"
        self.calls: list[dict[str, Any]] = []

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        self.calls.append({"messages": messages, "schema": schema, "n": params.n})
        return [Generation(self.script.pop(0), "stop") for _ in range(params.n)]

