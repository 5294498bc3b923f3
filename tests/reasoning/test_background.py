"""A background shorter than its range is continued, not dropped (scripted writer)."""

from __future__ import annotations

import json
import random
import string

import pytest
from reason_scripted import Script, ScriptedBackend

from emolab.errors import EmolabError
from emolab.reasoning.agents import AgentFailure, Sampling
from emolab.reasoning.attributes import sample_plan
from emolab.reasoning.background import cut_at_sentence, fit, salvage
from emolab.reasoning.config import ReasonConfig
from emolab.reasoning.pipelines import PIPELINES, run_dialogue
from emolab.reasoning.run import generate
from emolab.reasoning.store import RunStore

PLAN = sample_plan(7, 0)


def prose(seed: object, n_words: int) -> str:
    """Sentences of ten made-up words (the last one shorter), each ending with a full stop."""
    rng = random.Random(str(seed))
    made_up = ["".join(rng.choice(string.ascii_lowercase) for _ in range(6))
               for _ in range(n_words)]
    return " ".join(" ".join(made_up[i:i + 10]) + "." for i in range(0, n_words, 10))


def n_words(text: str) -> int:
    return len(text.split())


class Writer(Script):
    """The writer's answers, in order: first the first part, then each continuation; an
    answer is a text (sent as JSON) or (raw, finish_reason)."""

    def __init__(self, first, *continuations) -> None:
        super().__init__()
        self.first, self.continuations = list(first), list(continuations)

    def answer(self, agent, messages, call):
        if agent not in ("background", "continuation"):
            return super().answer(agent, messages, call)
        queue = self.first if agent == "background" else self.continuations
        part = queue.pop(0) if len(queue) > 1 else queue[0]
        return part if isinstance(part, tuple) else json.dumps({agent: part})


def writer_calls(backend: ScriptedBackend) -> list[dict]:
    return [c for c in backend.calls if c["agent"] in ("background", "continuation")]


def test_a_short_background_is_continued_to_its_range_in_two_rounds():
    first, second, third = prose(1, 90), prose(2, 60), prose(3, 70)
    backend = ScriptedBackend(Writer([first], second, third))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert backend.agents()[:4] == ["background", "continuation", "continuation", "client"]
    assert dialogue.background == f"{first} {second} {third}"
    assert n_words(dialogue.background) == 220  # 200-400: no third round
    assert dialogue.log.background_rounds == 2 and dialogue.log.retries == 0
    asks = [c["messages"][-1]["content"] for c in writer_calls(backend)[1:]]
    assert first in asks[0] and "(90 words)" in asks[0] and "110 to 310 more words" in asks[0]
    assert f"{first} {second}" in asks[1] and "(150 words)" in asks[1]
    assert len({c["seed"] for c in writer_calls(backend)}) == 3
    assert dialogue.background in backend.calls[3]["messages"][0]["content"]  # the client's


def test_a_continuation_over_the_maximum_is_cut_at_a_sentence_end():
    first, long = prose(1, 150), prose(2, 300)  # 450 words joined
    dialogue = run_dialogue(ScriptedBackend(Writer([first], long)), PIPELINES["dialogue"],
                            PLAN, Sampling())
    assert dialogue.background == f"{first} {long}"[:len(dialogue.background)]
    assert n_words(dialogue.background) == 400 and dialogue.background.endswith(".")


def test_a_background_cut_by_the_token_cap_keeps_its_sentences_and_goes_on():
    sentences = prose(1, 120)
    raw = json.dumps({"background": sentences + " Then she was about to"})[:-2]
    assert raw.endswith("about to")  # an unterminated JSON string, as a token cap leaves it
    rest = prose(2, 100)
    backend = ScriptedBackend(Writer([(raw, "length")], rest))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert dialogue.background == f"{sentences} {rest}"
    assert dialogue.log.background_salvaged == 1 and dialogue.log.retries == 0
    ask = writer_calls(backend)[1]["messages"][-1]["content"]
    assert sentences in ask and "about to" not in ask


def test_the_same_text_not_cut_by_the_cap_is_invalid_and_asked_again():
    raw = json.dumps({"background": prose(1, 120)})[:-2]
    backend = ScriptedBackend(Writer([(raw, "stop"), prose(2, 250)]))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert dialogue.log.retries == 1 and dialogue.log.background_salvaged == 0
    assert dialogue.log.failures[0]["error"].startswith("invalid JSON")
    assert dialogue.background == prose(2, 250)


def test_a_continuation_that_repeats_the_text_is_asked_again():
    first, new = prose(1, 150), prose(2, 60)
    backend = ScriptedBackend(Writer([first], first, new))
    dialogue = run_dialogue(backend, PIPELINES["dialogue"], PLAN, Sampling())
    assert dialogue.background == f"{first} {new}"
    assert dialogue.log.background_rounds == 1 and dialogue.log.retries == 1
    assert dialogue.log.failures[0]["error"] == "continuation repeats the text so far"


@pytest.mark.parametrize(("pipeline", "rounds", "words"), [("concise", 1, 70),
                                                           ("dialogue", 3, None)])
def test_each_pipeline_continues_to_its_own_minimum(pipeline, rounds, words):
    backend = ScriptedBackend(Writer([prose(1, 40)], *[prose(i, 30) for i in range(2, 6)]))
    spec = PIPELINES[pipeline]
    if words is None:  # 40 + 3 x 30 = 130 < 200: the rounds are spent
        with pytest.raises(AgentFailure) as caught:
            run_dialogue(backend, spec, PLAN, Sampling())
        assert caught.value.agent == "background"
        assert caught.value.error == ("background of 130 words after 3 continuations, "
                                      "expected 200-400")
        assert n_words(caught.value.raw) == 130  # the text so far is kept with the failure
    else:
        dialogue = run_dialogue(backend, spec, PLAN, Sampling())
        assert n_words(dialogue.background) == words and dialogue.log.background_rounds == 1
        ask = writer_calls(backend)[1]["messages"][-1]["content"]
        assert "20 to 160 more words" in ask
    assert backend.agents().count("continuation") == rounds


def test_concise_cuts_at_its_own_maximum():
    backend = ScriptedBackend(Writer([prose(1, 40)], prose(2, 170)))
    dialogue = run_dialogue(backend, PIPELINES["concise"], PLAN, Sampling())
    assert n_words(dialogue.background) == 200 and dialogue.background.endswith(".")


def test_fit_and_salvage():
    text = prose(1, 45)  # sentences end at 10, 20, 30, 40, 45 words
    assert n_words(cut_at_sentence(text, 39)) == 30
    assert n_words(fit(text, 25, 39)) == 30
    assert fit(text, 35, 40) == cut_at_sentence(text, 40)
    assert fit(text, 35, 38) == text  # no cut keeps 35, but 45 <= 1.25 x 38: kept whole
    with pytest.raises(ValueError, match="no sentence end"):
        fit(text, 35, 30)
    cut = '{"background": "He said \\"no.\\" Then she left. And th\\u00'
    assert salvage(cut, "background") == 'He said "no." Then she left.'
    with pytest.raises(ValueError, match="before a sentence ended"):
        salvage('{"background": "Mia went to the', "background")
    with pytest.raises(ValueError, match="before the text began"):
        salvage('{"backgr', "background")


class ShortFirstDialogue(Writer):
    """Dialogue 0's writer stops at 20 words a part; later dialogues write enough at once."""

    def __init__(self) -> None:
        super().__init__([prose(0, 20)], prose(9, 20))
        self.dialogues = 0

    def answer(self, agent, messages, call):
        self.dialogues += agent == "background"
        if agent == "background" and self.dialogues > 1:
            return json.dumps({"background": prose(self.dialogues, 120)})
        return super().answer(agent, messages, call)


def test_spent_rounds_drop_the_dialogue_and_are_counted(tmp_path):
    store = RunStore(tmp_path / "run", create=True)
    cfg = ReasonConfig(pipeline="concise", n=2, seed=3, background_rounds=1)
    backend = ScriptedBackend(ShortFirstDialogue())
    report = generate(backend, cfg, store, test_items=[])
    assert report["dialogues"]["dropped_by_agent"] == {"background": 1}
    first = store.records[0]
    assert first["status"] == "dropped" and first["turns"] == []
    assert first["drop"]["error"] == ("background of 40 words after 1 continuations, "
                                      "expected 60-200")
    assert n_words(first["drop"]["raw"]) == 40
    assert first["background_rounds"] == 1 and first["calls"] == 2
    assert report["background"] == {"continued": 1, "rounds": 1, "salvaged": 0}
    assert report["items"]["kept"] == {"eu": 1, "ea": 1}
    assert backend.agents()[:3] == ["background", "continuation", "background"]


def test_a_rerun_resumes_continued_dialogues_and_refuses_other_rounds(tmp_path):
    folder = tmp_path / "run"

    def cfg(**overrides):
        return ReasonConfig(**{"pipeline": "concise", "n": 4, "seed": 3} | overrides)

    class Short(Script):  # every background needs one continuation of 30 words
        def answer(self, agent, messages, call):
            if agent == "background":
                return json.dumps({"background": prose(("bg", call), 40)})
            return super().answer(agent, messages, call)

    first = generate(ScriptedBackend(Short()), cfg(), RunStore(folder, create=True),
                     test_items=[])
    recorded = len(RunStore(folder).records)
    assert first["background"] == {"continued": recorded, "rounds": recorded, "salvaged": 0}
    again = ScriptedBackend(Short())
    second = generate(again, cfg(), RunStore(folder), test_items=[])
    assert again.calls == [] and second == first
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["report"]["background"]["rounds"] == recorded
    assert manifest["settings"]["background_rounds"] == 3
    with pytest.raises(EmolabError, match="background_rounds: 3 -> 1"):
        generate(ScriptedBackend(Short()), cfg(background_rounds=1), RunStore(folder),
                 test_items=[])


def test_background_rounds_must_not_be_negative():
    with pytest.raises(EmolabError, match="background_rounds"):
        ReasonConfig(background_rounds=-1)
