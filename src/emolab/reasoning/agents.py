"""The five agents: background writer, client, therapist, supervisor, extractor.

Each agent is a prompt and, where its answer has a structure, a JSON schema the backend
enforces while decoding. ``call_agent`` asks again (a bounded number of times, with a new seed)
when an answer cannot be used, and raises ``AgentFailure`` after the last attempt; the run
then drops that one dialogue and goes on. A background that is usable but too short is not
asked again but continued (see background.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emolab.backends.base import Backend, Message, SamplingParams
from emolab.errors import EmolabError
from emolab.reasoning.attributes import EA_CATEGORIES, EA_QUESTION_TYPES, EU_CATEGORIES, Plan

EU_DEFINITIONS = {
    "complex_emotions": "mixed feelings, an emotion that changes, or an unexpected emotion",
    "emotional_cues": "the emotion must be read from small signs: words, gestures, behaviour",
    "personal_beliefs_and_experiences": "the emotion depends on the person's own beliefs, "
                                        "values or past experiences",
    "perspective_taking": "the emotion depends on what the person knows or does not know, "
                          "which differs from what others know",
}
EA_DEFINITIONS = {
    "Personal-Self": "the person's own private problem",
    "Personal-Others": "a problem of someone close to the person",
    "Social-Self": "the person's own problem in a social or work setting",
    "Social-Others": "someone else's problem in a social or work setting",
}


class AgentFailure(EmolabError):
    """An agent gave no usable answer in any of its attempts."""

    def __init__(self, agent: str, attempts: int, error: str, raw: str) -> None:
        self.agent, self.attempts, self.error, self.raw = agent, attempts, error, raw
        super().__init__(f"{agent}: no usable answer in {attempts} attempts ({error})")


@dataclass
class CallLog:
    """What the agents of one dialogue did: attempts, retries, raw text of failed answers."""

    calls: int = 0
    retries: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    completion_tokens: int = 0
    background_rounds: int = 0  # times the background writer was asked to go on
    background_salvaged: int = 0  # background parts cut by the token cap and kept in part


@dataclass(frozen=True)
class Sampling:
    """Sampling of every agent call; each call gets its own seed, derived from the run seed."""

    temperature: float = 0.7
    top_p: float = 0.9
    retries: int = 2  # extra attempts after the first
    background_rounds: int = 3  # continuations of a background shorter than the minimum
    background_tokens: int = 700
    turn_tokens: int = 160
    supervisor_tokens: int = 200
    extract_tokens: int = 900
    scenario: str = "extractor"  # or "background": the background is the item's scenario


def call_seed(seed: int, *parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def call_agent(backend: Backend, agent: str, messages: list[Message], *, schema: dict | None,
               parse: Callable[[str], Any], sampling: Sampling, max_tokens: int,
               seed_parts: tuple, log: CallLog,
               parse_cut: Callable[[str], Any] | None = None) -> Any:
    """Generate, parse, and retry on an unusable answer; ``parse`` raises ValueError.
    ``parse_cut``, if given, reads instead an answer the token cap cut off (finish reason
    'length'), so that what it holds can be kept."""
    error, raw = "", ""
    attempts = sampling.retries + 1
    for attempt in range(attempts):
        params = SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p,
                                max_tokens=max_tokens, seed=call_seed(*seed_parts, attempt))
        log.calls += 1
        if attempt:
            log.retries += 1
        try:
            generation = backend.generate(messages, schema=schema, params=params)[0]
        except EmolabError as err:  # e.g. a prompt longer than the model's context
            error, raw = f"backend error: {err}", ""
            continue
        raw = generation.text
        log.completion_tokens += generation.completion_tokens or 0
        read = parse_cut if parse_cut and generation.finish_reason == "length" else parse
        try:
            return read(raw)
        except ValueError as err:
            error = str(err)
            log.failures.append({"agent": agent, "attempt": str(attempt), "error": error,
                                 "raw": raw[:2000]})
    raise AgentFailure(agent, attempts, error, raw)


# --- parsing -------------------------------------------------------------------------------

def parse_object(raw: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON object, with every property of the schema present, of the right kind, and
    strings not empty. Raises ValueError naming what is wrong."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"invalid JSON ({err.msg})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    kinds = {"string": str, "boolean": bool, "array": list, "integer": int}
    for key, spec in schema["properties"].items():
        if key not in obj:
            raise ValueError(f"missing field {key!r}")
        value = obj[key]
        if not isinstance(value, kinds[spec["type"]]):
            raise ValueError(f"field {key!r} is not a {spec['type']}")
        if isinstance(value, str):
            obj[key] = value = " ".join(value.split())
            if not value:
                raise ValueError(f"field {key!r} is empty")
        if "enum" in spec and value not in spec["enum"]:
            raise ValueError(f"field {key!r}: {value!r} is not allowed")
        if isinstance(value, list):
            obj[key] = [" ".join(str(v).split()) for v in value]
    return obj


_SPEAKER = re.compile(r"^\s*\**\s*(client|therapist|counsell?or|[A-Z][a-z]+)\s*\**\s*:\s*",
                      re.IGNORECASE)


def parse_utterance(raw: str) -> str:
    """One spoken turn: a leading 'Client:' or 'Name:' is dropped; empty text is unusable."""
    text = " ".join(raw.split())
    text = _SPEAKER.sub("", text, count=1).strip()
    if len(text.split()) < 2:
        raise ValueError("empty or one-word turn")
    return text


def words(text: str) -> int:
    return len(text.split())


# --- schemas -------------------------------------------------------------------------------

def _obj(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


STR = {"type": "string"}
BOOL = {"type": "boolean"}


def _choices(low: int, high: int) -> dict[str, Any]:
    return {"type": "array", "items": STR, "minItems": low, "maxItems": high}


BACKGROUND_SCHEMA = _obj(background=STR)
CONTINUATION_SCHEMA = _obj(continuation=STR)
VERDICT_FIELDS = ("scenario_clear", "emotions_present", "causes_present", "dilemma_present",
                  "rich_enough")
SUPERVISOR_SCHEMA = _obj(comment=STR, **{name: BOOL for name in VERDICT_FIELDS})
# The extractor names the right answer and the wrong ones apart; the choices are assembled
# from them (items.assemble), so a label is one of its choices by construction. Subject and
# question are not asked for: the subject is the client, and EmoBench's runner words the
# question itself.
EU_SCHEMA = _obj(scenario=STR, category={"type": "string", "enum": list(EU_CATEGORIES)},
                 explanation=STR, emotion=STR, other_emotions=_choices(3, 5),
                 cause=STR, other_causes=_choices(3, 3))
EA_SCHEMA = _obj(scenario=STR,
                 question_type={"type": "string", "enum": list(EA_QUESTION_TYPES)},
                 category={"type": "string", "enum": list(EA_CATEGORIES)},
                 explanation=STR, best=STR, others=_choices(3, 3))
# The same without a scenario, when the background is the scenario (--scenario background).
EU_SCHEMA_NO_SCENARIO = _obj(**{k: v for k, v in EU_SCHEMA["properties"].items()
                                if k != "scenario"})
EA_SCHEMA_NO_SCENARIO = _obj(**{k: v for k, v in EA_SCHEMA["properties"].items()
                                if k != "scenario"})


def extractor_schema(kind: str, *, with_scenario: bool) -> dict[str, Any]:
    if kind == "eu":
        return EU_SCHEMA if with_scenario else EU_SCHEMA_NO_SCENARIO
    return EA_SCHEMA if with_scenario else EA_SCHEMA_NO_SCENARIO


# --- prompts -------------------------------------------------------------------------------

def _writer_messages(plan: Plan, task: str) -> list[Message]:
    return [
        {"role": "system", "content": "You write realistic background stories for role-played "
                                      "counselling sessions. Answer with JSON."},
        {"role": "user", "content": f"Client: {plan.persona.describe()}.\n"
                                    f"{plan.scenario.describe()}\n\n{task}"},
    ]


def _contents(name: str) -> str:
    return (f"what happened, who was involved, what {name} did and what {name} is unsure "
            "about now")


def background_messages(plan: Plan, low: int, high: int) -> list[Message]:
    return _writer_messages(plan, (
        f"Write the background in the third person, {low} to {high} words: "
        f"{_contents(plan.persona.name)}. " 'Answer as {"background": "..."}.'))


def continuation_messages(plan: Plan, low: int, high: int, so_far: str) -> list[Message]:
    """Ask for the next part of a background that is still too short."""
    have = words(so_far)
    return _writer_messages(plan, (
        f"The background so far ({have} words):\n{so_far}\n\n"
        f"Continue the same story in the third person from where it stops, "
        f"{max(low - have, 1)} to {high - have} more words. Do not repeat it or start again; "
        f"add what is still missing of {_contents(plan.persona.name)}. "
        'Answer as {"continuation": "..."}.'))


def transcript(turns: list[dict[str, str]]) -> str:
    return "\n".join(f"{t['role'].capitalize()}: {t['text']}" for t in turns)


OPENING = "Hello, thank you for coming. What would you like to talk about today?"


def _conversation(turns: list[dict[str, str]], me: str) -> list[Message]:
    """The whole conversation seen by ``me``: my turns are 'assistant', the other's 'user'.
    The therapist's fixed opening line comes first, so every view ends with the other's turn."""
    opening = {"role": "therapist", "text": OPENING}
    return [{"role": "assistant" if t["role"] == me else "user", "content": t["text"]}
            for t in [opening, *turns]]


def client_messages(plan: Plan, background: str, turns: list[dict[str, str]]) -> list[Message]:
    p, s = plan.persona, plan.scenario
    system = (f"You are {p.describe()}. You are talking with a counsellor.\n"
              f"Your situation: {background}\n"
              f"Speak as {p.name}, in the first person, in a {s.communication_style} way, one to "
              "three sentences. Answer what the counsellor just said. Write only your words.")
    return [{"role": "system", "content": system}, *_conversation(turns, "client")]


def therapist_messages(plan: Plan, turns: list[dict[str, str]]) -> list[Message]:
    system = (f"You are an empathetic counsellor talking with {plan.persona.name}. Help "
              f"{plan.persona.name} say what they feel, why they feel it, and what they could "
              "do. One to three sentences; ask one question at a time. Write only your words.")
    return [{"role": "system", "content": system}, *_conversation(turns, "therapist")]


def supervisor_messages(background: str, turns: list[dict[str, str]]) -> list[Message]:
    return [
        {"role": "system", "content": "You supervise counselling role-plays that will become "
                                      "test questions about emotions. Answer with JSON."},
        {"role": "user", "content": (
            f"Background:\n{background}\n\nConversation so far:\n{transcript(turns)}\n\n"
            "Judge the conversation so far. scenario_clear: the situation is clear. "
            "emotions_present: the client's emotions show. causes_present: their causes are "
            "said. dilemma_present: the client faces a choice about what to do. rich_enough: "
            "there is enough to write a question on emotions and one on what to do. "
            "Write a short comment first, then true or false for each.")},
    ]


# What the extractor is told about each answer field. A small model copies these words into
# its answer ("3 other options that are less effective"); validate.py rejects such items.
EXTRACTOR_HINTS = {
    "eu": {"emotion": "the right emotion",
           "other_emotions": "3 to 5 other emotions that do not fit as well",
           "cause": "the right cause", "other_causes": "3 other causes that do not fit"},
    "ea": {"best": "the most effective option",
           "others": "3 other options that are less effective"},
}


def extractor_messages(kind: str, plan: Plan, background: str,
                       turns: list[dict[str, str]], *, with_scenario: bool = True
                       ) -> list[Message]:
    name = plan.persona.name
    context = f"Background:\n{background}\n\nCounselling conversation:\n{transcript(turns)}\n\n"
    if not with_scenario:  # the background is the scenario
        scenario = ""
    elif kind == "eu":
        scenario = (f"scenario: 50 to 200 words in the third person about {name}, telling the "
                    f"events but never naming {name}'s emotion. ")
    else:
        scenario = f"scenario: 50 to 200 words in the third person about {name}'s situation. "
    hints = EXTRACTOR_HINTS[kind]
    fields = " ".join(f"{field}: {hint}." for field, hint in hints.items())
    if kind == "eu":
        area = plan.scenario.eu_area
        task = (f"Write one multiple-choice item that tests understanding of emotions, "
                f"category {area} ({EU_DEFINITIONS[area]}). {scenario}explanation: why "
                f"{name} feels the right emotion and for which cause, naming both. {fields}")
    else:
        area = plan.scenario.ea_area
        task = (f"Write one multiple-choice item that tests handling emotions well, category "
                f"{area} ({EA_DEFINITIONS[area]}). {scenario}question_type: Action (what "
                f"{name} should do) or Response (what {name} should say). explanation: why "
                f"the best option is the most effective, naming it. {fields}")
    return [{"role": "system", "content": "You turn counselling conversations into test items "
                                          "about emotional intelligence. Answer with JSON."},
            {"role": "user", "content": context + task}]
