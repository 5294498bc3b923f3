"""The two ways of writing a dialogue.

``dialogue`` (the paper's pipeline): a background of 200-400 words (written in parts when the
writer stops early, see background.py), then client and therapist alternate, each seeing the
whole conversation; after every second turn the supervisor gives a structured verdict, and
once the minimum of turns is reached a verdict with every field true ends the dialogue;
otherwise it ends at the maximum. ``concise``: a shorter background and five
rounds (client + therapist), no supervisor. A turn is one utterance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emolab.backends.base import Backend
from emolab.errors import EmolabError
from emolab.reasoning import agents
from emolab.reasoning.agents import CallLog, Sampling
from emolab.reasoning.attributes import Plan
from emolab.reasoning.background import write_background
from emolab.reasoning.items import assemble


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    background_words: tuple[int, int]
    min_turns: int
    max_turns: int
    supervise_every: int | None  # turns between verdicts; None: no supervisor


PIPELINES = {
    "dialogue": PipelineSpec("dialogue", (200, 400), min_turns=4, max_turns=14,
                             supervise_every=2),
    "concise": PipelineSpec("concise", (60, 200), min_turns=10, max_turns=10,
                            supervise_every=None),
}


def get_pipeline(name: str) -> PipelineSpec:
    try:
        return PIPELINES[name]
    except KeyError:
        raise EmolabError(f"unknown pipeline {name!r}; choose one of: "
                          f"{', '.join(PIPELINES)}") from None


@dataclass
class Dialogue:
    plan: Plan
    pipeline: str
    background: str = ""
    turns: list[dict[str, str]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)  # each with "after_turn"
    stopped_by_supervisor: bool = False
    log: CallLog = field(default_factory=CallLog)


def _verdict(backend: Backend, dialogue: Dialogue, sampling: Sampling) -> dict[str, Any]:
    messages = agents.supervisor_messages(dialogue.background, dialogue.turns)
    verdict = agents.call_agent(
        backend, "supervisor", messages, schema=agents.SUPERVISOR_SCHEMA,
        parse=lambda raw: agents.parse_object(raw, agents.SUPERVISOR_SCHEMA), sampling=sampling,
        max_tokens=sampling.supervisor_tokens,
        seed_parts=(dialogue.plan.seed, dialogue.plan.index, "supervisor", len(dialogue.turns)),
        log=dialogue.log)
    return {"after_turn": len(dialogue.turns), **verdict}


def run_dialogue(backend: Backend, spec: PipelineSpec, plan: Plan, sampling: Sampling,
                 dialogue: Dialogue | None = None) -> Dialogue:
    """Write one dialogue (into ``dialogue`` if given, so that what was done before a failure
    is kept); raises ``AgentFailure`` when an agent gives up."""
    dialogue = dialogue or Dialogue(plan=plan, pipeline=spec.name)
    dialogue.background = write_background(backend, plan, spec.background_words, sampling,
                                           dialogue.log)
    while len(dialogue.turns) < spec.max_turns:
        role = "client" if len(dialogue.turns) % 2 == 0 else "therapist"
        messages = (agents.client_messages(plan, dialogue.background, dialogue.turns)
                    if role == "client" else agents.therapist_messages(plan, dialogue.turns))
        text = agents.call_agent(backend, role, messages, schema=None,
                                 parse=agents.parse_utterance, sampling=sampling,
                                 max_tokens=sampling.turn_tokens,
                                 seed_parts=(plan.seed, plan.index, role, len(dialogue.turns)),
                                 log=dialogue.log)
        dialogue.turns.append({"role": role, "text": text})
        every = spec.supervise_every
        if every and len(dialogue.turns) % every == 0 and len(dialogue.turns) < spec.max_turns:
            verdict = _verdict(backend, dialogue, sampling)
            dialogue.verdicts.append(verdict)
            if (len(dialogue.turns) >= spec.min_turns
                    and all(verdict[name] for name in agents.VERDICT_FIELDS)):
                dialogue.stopped_by_supervisor = True
                break
    return dialogue


def extract(backend: Backend, kind: str, dialogue: Dialogue, sampling: Sampling) -> dict[str, Any]:
    """The item of ``kind`` ('eu' or 'ea') the extractor writes, in the item's own fields
    (``items.assemble``; validated later)."""
    with_scenario = sampling.scenario == "extractor"
    schema = agents.extractor_schema(kind, with_scenario=with_scenario)
    plan = dialogue.plan
    answer = agents.call_agent(
        backend, f"extractor_{kind}",
        agents.extractor_messages(kind, plan, dialogue.background, dialogue.turns,
                                  with_scenario=with_scenario),
        schema=schema, parse=lambda raw: agents.parse_object(raw, schema), sampling=sampling,
        max_tokens=sampling.extract_tokens, seed_parts=(plan.seed, plan.index, "extract", kind),
        log=dialogue.log)
    if not with_scenario:
        answer["scenario"] = dialogue.background
    return assemble(kind, answer, subject=plan.persona.name, seed=plan.seed,
                    dialogue=plan.index)
