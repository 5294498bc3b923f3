"""A scripted backend for the reasoning pipeline: it answers each agent from a rule, so the
control flow (who is called when, with what) can be checked exactly.

``Script`` decides the answer of each agent (a text, or ``(text, finish_reason)`` to play a
cut-off answer); ``ScriptedBackend`` records every call with the agent it was addressed to
(read from the schema or the system prompt; a background writer asked to go on is
"continuation").
"""

from __future__ import annotations

import json
import random
import string
import time
from typing import Any

from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.reasoning import agents
from emolab.reasoning.attributes import EA_CATEGORIES, EU_CATEGORIES


def agent_of(messages: list[dict[str, str]], schema: dict | None) -> str:
    if schema is agents.BACKGROUND_SCHEMA:
        return "background"
    if schema is agents.CONTINUATION_SCHEMA:
        return "continuation"
    if schema is agents.SUPERVISOR_SCHEMA:
        return "supervisor"
    if schema in (agents.EU_SCHEMA, agents.EU_SCHEMA_NO_SCENARIO):
        return "extractor_eu"
    if schema in (agents.EA_SCHEMA, agents.EA_SCHEMA_NO_SCENARIO):
        return "extractor_ea"
    return "therapist" if "counsellor talking with" in messages[0]["content"] else "client"


def gibberish(seed: object, n_words: int) -> str:
    """Words no other call shares, so scenarios are never near-duplicates by accident."""
    rng = random.Random(str(seed))
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(7))
                    for _ in range(n_words))


def eu_item(scenario: str, category: str = "complex_emotions") -> dict[str, Any]:
    return {"scenario": scenario, "subject": "Mia", "question": "What does Mia feel?",
            "emotion_choices": ["Delight", "Anger", "Embarrassment", "Pride"],
            "cause_choices": ["She won the race", "The weather changed", "Her phone broke",
                              "A friend moved away"],
            "category": category,
            "explanation": "Mia feels pride because she won the race after months of effort.",
            "emotion_label": "Pride", "cause_label": "She won the race"}


def ea_item(scenario: str, category: str = "Personal-Self") -> dict[str, Any]:
    return {"scenario": scenario, "subject": "Mia", "question": "What should Mia do?",
            "question_type": "Action",
            "choices": ["Talk to her sister openly", "Ignore the problem", "Shout at everyone",
                        "Quit her job"],
            "category": category,
            "explanation": "Talking to her sister openly is most effective: it addresses the "
                           "hurt directly.",
            "label": "Talk to her sister openly"}


def as_extractor_answer(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """An item in its own fields (``eu_item`` / ``ea_item``) as the extractor writes it: the
    right answer and the others apart (``agents.EU_SCHEMA`` / ``EA_SCHEMA``)."""
    common = {k: item[k] for k in ("scenario", "category", "explanation")}
    if kind == "eu":
        return {**common, "emotion": item["emotion_label"],
                "other_emotions": [c for c in item["emotion_choices"]
                                   if c != item["emotion_label"]],
                "cause": item["cause_label"],
                "other_causes": [c for c in item["cause_choices"] if c != item["cause_label"]]}
    return {**common, "question_type": item["question_type"], "best": item["label"],
            "others": [c for c in item["choices"] if c != item["label"]]}


class Script:
    """Default answers: valid everywhere, in the category asked for; the supervisor's verdict
    comes from ``verdict(turn)``; ``categories`` may force an item kind's category."""

    def __init__(self, *, verdict=lambda turn: False, categories=None) -> None:
        self.verdict = verdict  # turn number -> bool for every verdict field
        self.categories = categories or {}
        self.count = 0

    def answer(self, agent: str, messages, call: int) -> str:
        if agent == "background":
            return json.dumps({"background": "Mia " + gibberish(("bg", call), 210)})
        if agent == "continuation":
            return json.dumps({"continuation": "Mia " + gibberish(("go on", call), 30) + "."})
        if agent in ("client", "therapist"):
            return f"{agent} says {gibberish((agent, call), 5)}"
        if agent == "supervisor":
            turn = messages[-1]["content"].count("\nClient:") + messages[-1]["content"].count(
                "\nTherapist:")
            ok = self.verdict(turn)
            return json.dumps({"comment": "fine", **dict.fromkeys(agents.VERDICT_FIELDS, ok)})
        kind = agent[-2:]
        scenario = "Mia " + gibberish((agent, call), 60)
        make = eu_item if kind == "eu" else ea_item
        asked = next(c for c in (EU_CATEGORIES if kind == "eu" else EA_CATEGORIES)
                     if f"category {c} " in messages[-1]["content"])
        extra = {"category": self.categories.get(kind, asked)}
        answer = as_extractor_answer(kind, {**make(scenario), **extra})
        if "scenario:" not in messages[-1]["content"]:  # the background is the scenario
            del answer["scenario"]
        return json.dumps(answer)


class ScriptedBackend(Backend):
    name = "scripted"
    supports_schema = True

    def __init__(self, script: Script | None = None, delay: float = 0.0) -> None:
        self.script = script or Script()
        self.delay = delay
        self.model_id = "scripted-model"
        self.calls: list[dict[str, Any]] = []

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        agent = agent_of(messages, schema)
        self.calls.append({"agent": agent, "messages": messages, "schema": schema,
                           "seed": params.seed})
        if self.delay:
            time.sleep(self.delay)
        answer = self.script.answer(agent, messages, len(self.calls))
        text, finish = answer if isinstance(answer, tuple) else (answer, "stop")
        return [Generation(text, finish)]

    def agents(self) -> list[str]:
        return [c["agent"] for c in self.calls]
