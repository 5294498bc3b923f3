"""Fixtures of the EmoBench tests: items in EmoBench's own format, and a scripted backend.

``FakeBackend`` reads the lettered choices out of the prompt and answers by a policy:
``first`` (always the first shown choice), ``oracle:<items.jsonl>`` (the right choice, found by
its text), ``garbage`` (nothing readable), or a list of texts to hand out in turn.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from emolab.backends.base import Backend, Generation, SamplingParams

EMOTIONS = ["Delight", "Anger", "Embarrassment", "Pride"]


def eu_row(qid: int, **changes: Any) -> dict[str, Any]:
    row = {"qid": str(qid), "language": "en", "coarse_category": "complex_emotions",
           "finegrained_category": "emotion_transition" if qid % 2 else "mixed_emotions",
           "scenario": f"Scenario {qid}: Dorea's cake fell, then her daughter praised it.",
           "subject": "Dorea", "emotion_choices": EMOTIONS, "emotion_label": EMOTIONS[qid % 4],
           "cause_choices": [f"Cause {qid}-{j}" for j in range(4)],
           "cause_label": f"Cause {qid}-{(qid + 1) % 4}"}
    row.update(changes)
    return row


def ea_row(qid: int, **changes: Any) -> dict[str, Any]:
    choices = [f"Action {qid}-{j}" for j in range(4)]
    row = {"qid": str(qid), "language": "en",
           "category": "Personal-Self" if qid % 2 else "Social-Others",
           "question type": "Action" if qid % 2 else "Response",
           "scenario": f"Scenario {qid}: Sam lost his job.", "subject": "Sam",
           "choices": choices, "label": choices[qid % 4]}
    row.update(changes)
    return row


def write_items(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


_CHOICE = re.compile(r"^\(([a-z])\) (.+)$", re.MULTILINE)


def shown_choices(messages: list[dict[str, str]]) -> list[tuple[str, str]]:
    return _CHOICE.findall(messages[-1]["content"])


class FakeBackend(Backend):
    name = "fake"
    supports_schema = True

    def __init__(self, model: str = "first", *, fail_first: int = 0,
                 script: list[str] | None = None, **_: Any) -> None:
        self.model_id = f"fake-{model.split(':')[0]}"
        self.policy = model
        self.gold: dict[str, set[str]] = {}  # scenario -> the right choices of its item
        if model.startswith("oracle:"):
            for line in Path(model.removeprefix("oracle:")).read_text().splitlines():
                row = json.loads(line)
                self.gold[row["scenario"]] = {row.get(k) for k in
                                              ("emotion_label", "cause_label", "label")}
        self.fail_first = fail_first
        self.script = list(script or [])
        self.calls: list[dict[str, Any]] = []

    def _letter(self, choices: list[tuple[str, str]], prompt: str) -> str:
        if self.policy.startswith("oracle:"):
            gold = next(g for scenario, g in self.gold.items() if scenario in prompt)
            return next(letter for letter, text in choices if text in gold)
        return choices[0][0]

    def _answer(self, messages, schema) -> str:
        if self.script:
            return self.script.pop(0)
        if self.policy == "garbage":
            return "I cannot tell."
        choices, prompt = shown_choices(messages), messages[-1]["content"]
        if "Question 2" in messages[-1]["content"]:  # the joint question: JSON either way
            emotion, cause = choices[:len(EMOTIONS)], choices[len(EMOTIONS):]
            return json.dumps({"emotion": self._letter(emotion, prompt),
                               "cause": self._letter(cause, prompt)})
        letter = self._letter(choices, prompt)
        if schema is not None:
            return json.dumps({"answer": letter})
        return f"({letter}) {dict(choices)[letter]}"

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        self.calls.append({"messages": messages, "schema": schema, "params": params})
        if self.fail_first > 0:
            self.fail_first -= 1
            raise ConnectionError("server hiccup")
        return [Generation(self._answer(messages, schema), "stop") for _ in range(params.n)]
