"""The background of a dialogue, written in parts until it reaches its word range.

Small models stop early: asked once for 200 words, SmolLM2-135M writes about 25. So a usable
but short background is kept as the text so far, and the writer is asked (``Sampling.
background_rounds`` times at most) for the next part of the same story; the parts are joined
until the range is reached. A part the token cap cut off keeps its complete sentences. A text
over the maximum is cut at the last sentence end within it, if that still meets the minimum.
Each part is one ``call_agent`` call, so an unusable part (invalid JSON, nothing new, too long
to cut) is retried like any other answer; a background still short after the last round drops
the dialogue, counted under the background agent.
"""

from __future__ import annotations

import json
import re

from emolab.backends.base import Backend
from emolab.reasoning import agents
from emolab.reasoning.agents import AgentFailure, CallLog, Sampling
from emolab.reasoning.attributes import Plan

SLACK = 1.25  # a text a little over the maximum, with no sentence end to cut at, is kept
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``; the last one may lack its end."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append(text[start:match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    return [s for s in [*out, rest] if s]


def complete_sentences(text: str) -> str:
    """``text`` up to its last sentence end ('' if no sentence ends)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return text[:ends[-1]].strip() if ends else ""


def cut_at_sentence(text: str, max_words: int) -> str:
    """The longest start of ``text`` that ends a sentence and has at most ``max_words``."""
    kept: list[str] = []
    for sentence in sentences(complete_sentences(text)):
        if agents.words(" ".join([*kept, sentence])) > max_words:
            break
        kept.append(sentence)
    return " ".join(kept)


def fit(text: str, low: int, high: int) -> str:
    """``text`` within ``high`` words: cut at a sentence end if the cut keeps ``low`` words;
    a little over ``high`` is kept whole when no such cut exists. Raises ValueError."""
    n = agents.words(text)
    if n <= high:
        return text
    cut = cut_at_sentence(text, high)
    if agents.words(cut) >= low:
        return cut
    if n <= high * SLACK:
        return text
    raise ValueError(f"background of {n} words, expected {low}-{high}, with no sentence end "
                     "to cut at")


def salvage(raw: str, key: str) -> str:
    """The complete sentences of the one string field of an answer cut off inside it
    (``{"key": "text...``). Raises ValueError when there is none."""
    start = re.match(r'\s*\{\s*"' + re.escape(key) + r'"\s*:\s*"', raw)
    if not start:
        raise ValueError("cut by the token cap before the text began")
    body = raw[start.end():].rstrip()
    for end in range(len(body), max(len(body) - 8, -1), -1):  # a cut escape is at most \uXXX
        try:
            text = json.loads(f'"{body[:end]}"')
            break
        except json.JSONDecodeError:
            continue
    else:
        raise ValueError("cut by the token cap in unreadable JSON")
    text = complete_sentences(" ".join(text.split()))
    if not text:
        raise ValueError("cut by the token cap before a sentence ended")
    return text


def _new_part(so_far: str, part: str) -> str:
    """The sentences of ``part`` that ``so_far`` does not already hold (small models repeat)."""
    seen = so_far.lower()
    new = [s for s in sentences(part) if s.lower() not in seen]
    if not new:
        raise ValueError("continuation repeats the text so far")
    return " ".join(new)


def _part(backend: Backend, plan: Plan, low: int, high: int, so_far: str, sampling: Sampling,
          log: CallLog, round_: int) -> str:
    """The background after one more part: the first part when ``so_far`` is empty."""
    schema = agents.CONTINUATION_SCHEMA if so_far else agents.BACKGROUND_SCHEMA
    (key,) = schema["properties"]

    def read(part: str) -> str:
        joined = f"{so_far} {_new_part(so_far, part)}" if so_far else part
        return fit(joined, low, high)

    def parse(raw: str) -> str:
        return read(agents.parse_object(raw, schema)[key])

    def parse_cut(raw: str) -> str:
        try:  # the cap may fall just after the closing brace
            return parse(raw)
        except ValueError:
            text = read(salvage(raw, key))
        log.background_salvaged += 1
        return text

    if so_far:
        messages = agents.continuation_messages(plan, low, high, so_far)
        seed_parts: tuple = (plan.seed, plan.index, "background", "continue", round_)
    else:
        messages = agents.background_messages(plan, low, high)
        seed_parts = (plan.seed, plan.index, "background")
    return agents.call_agent(backend, "background", messages, schema=schema, parse=parse,
                             parse_cut=parse_cut, sampling=sampling,
                             max_tokens=sampling.background_tokens, seed_parts=seed_parts,
                             log=log)


def write_background(backend: Backend, plan: Plan, words_range: tuple[int, int],
                     sampling: Sampling, log: CallLog) -> str:
    """A background of ``words_range`` words; raises ``AgentFailure`` when a part gets no
    usable answer or the rounds are spent before the minimum is reached."""
    low, high = words_range
    text = _part(backend, plan, low, high, "", sampling, log, 0)
    for round_ in range(1, sampling.background_rounds + 1):
        if agents.words(text) >= low:
            break
        log.background_rounds += 1
        text = _part(backend, plan, low, high, text, sampling, log, round_)
    n = agents.words(text)
    if n < low:
        rounds = sampling.background_rounds
        raise AgentFailure("background", rounds + 1, f"background of {n} words after "
                           f"{rounds} continuations, expected {low}-{high}", text)
    return text
