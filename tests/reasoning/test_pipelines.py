"""Control flow of the agents: who is called when, and what each one sees."""

from __future__ import annotations

import pytest
from reason_scripted import Script, ScriptedBackend

from emolab.reasoning.agents import AgentFailure, Sampling
from emolab.reasoning.attributes import sample_plan
from emolab.reasoning.pipelines import PIPELINES, run_dialogue

PLAN = sample_plan(7, 0)


def supervisor_turns(backend: ScriptedBackend) -> list[int]:
    """After how many turns each supervisor call came."""
    turns, out = 0, []
    for call in backend.calls:
        if call["agent"] in ("client", "therapist"):
            turns += 1
        elif call["agent"] == "supervisor":
            out.append(turns)
    return out


def test_supervisor_called_every_two_turns_and_dialogue_runs_to_the_limit():
    backend = ScriptedBackend(Script(verdict=lambda turn: False))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert len(dialogue.turns) == 14
    assert supervisor_turns(backend) == [2, 4, 6, 8, 10, 12]
    assert [v["after_turn"] for v in dialogue.verdicts] == [2, 4, 6, 8, 10, 12]
    assert not dialogue.stopped_by_supervisor
    assert [t["role"] for t in dialogue.turns] == ["client", "therapist"] * 7


def test_supervisor_stops_the_dialogue_but_not_before_the_minimum():
    backend = ScriptedBackend(Script(verdict=lambda turn: True))  # satisfied from turn 2 on
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert len(dialogue.turns) == 4
    assert supervisor_turns(backend) == [2, 4]
    assert dialogue.stopped_by_supervisor


def test_supervisor_stops_when_it_becomes_satisfied():
    backend = ScriptedBackend(Script(verdict=lambda turn: turn >= 8))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert len(dialogue.turns) == 8
    assert supervisor_turns(backend) == [2, 4, 6, 8]


def test_each_side_sees_the_whole_conversation():
    backend = ScriptedBackend()
    dialogue = run_dialogue(backend, PIPELINES["concise"], PLAN, Sampling())
    client_calls = [c for c in backend.calls if c["agent"] == "client"]
    therapist_calls = [c for c in backend.calls if c["agent"] == "therapist"]
    # The last client call sees every therapist turn before it, as the other side ('user').
    last = client_calls[-1]["messages"]
    therapist_words = [t["text"] for t in dialogue.turns if t["role"] == "therapist"][:-1]
    heard = [m["content"] for m in last if m["role"] == "user"]
    assert all(words in heard for words in therapist_words) and therapist_words
    own = [m["content"] for m in last if m["role"] == "assistant"]
    assert [t["text"] for t in dialogue.turns if t["role"] == "client"][:-1] == own
    assert last[-1]["role"] == "user"
    # The therapist hears the client the same way.
    heard = [m["content"] for m in therapist_calls[-1]["messages"] if m["role"] == "user"]
    assert [t["text"] for t in dialogue.turns if t["role"] == "client"] == heard
    assert dialogue.background in client_calls[0]["messages"][0]["content"]


def test_concise_has_five_rounds_and_no_supervisor():
    backend = ScriptedBackend(Script(verdict=lambda turn: True))
    dialogue = run_dialogue(backend, PIPELINES["concise"], PLAN, Sampling())
    assert len(dialogue.turns) == 10
    assert "supervisor" not in backend.agents()
    assert dialogue.verdicts == []


class BrokenBackground(Script):
    def __init__(self, good_after: int | None) -> None:
        super().__init__()
        self.good_after, self.tries = good_after, 0

    def answer(self, agent, messages, call):
        if agent == "background":
            self.tries += 1
            if self.good_after is None or self.tries <= self.good_after:
                return '{"background": " "}' if self.tries % 2 else "not json"
        return super().answer(agent, messages, call)


def test_retries_are_bounded_then_the_agent_fails():
    backend = ScriptedBackend(BrokenBackground(good_after=None))
    with pytest.raises(AgentFailure) as caught:
        run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling(retries=2))
    assert backend.agents() == ["background"] * 3
    assert caught.value.agent == "background" and caught.value.attempts == 3
    seeds = [c["seed"] for c in backend.calls]
    assert len(set(seeds)) == 3  # each attempt samples anew


def test_a_retry_can_rescue_the_dialogue():
    backend = ScriptedBackend(BrokenBackground(good_after=2))
    dialogue = run_dialogue(backend, PIPELINES["concise"], PLAN, Sampling(retries=2))
    assert dialogue.log.retries == 2 and len(dialogue.turns) == 10
    assert dialogue.log.failures[0]["error"] == "field 'background' is empty"
    assert dialogue.log.failures[1]["error"].startswith("invalid JSON")
    assert backend.agents()[:4] == ["background"] * 3 + ["client"]
