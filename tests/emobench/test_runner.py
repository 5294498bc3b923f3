"""The runner with a scripted backend: prompts, permutations mapped back, retries, resume."""

from __future__ import annotations

import json

import pytest
from emobench_support import FakeBackend, ea_row, eu_row, shown_choices, write_items

from emolab.emobench.config import EmoBenchConfig
from emolab.emobench.items import read_items
from emolab.emobench.runner import Runner, read_rows
from emolab.emobench.scorer import asked_from_run, score
from emolab.errors import EmolabError


@pytest.fixture
def items_file(tmp_path):
    return write_items(tmp_path / "items.jsonl", [eu_row(i) for i in range(1, 5)]
                       + [ea_row(i) for i in range(1, 5)])


def _run(tmp_path, items_file, backend, **settings):
    cfg = EmoBenchConfig(items=str(items_file), **settings)
    items = [i for i in read_items(items_file) if i.task in cfg.tasks]
    runner = Runner(backend, cfg, structured=settings.get("constrain", True))
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "answers.jsonl"
    runner.run(items, out)
    rows = read_rows(out)
    return runner, rows, score(asked_from_run({(i.task, i.id): i for i in items}, rows))


def test_oracle_scores_100_in_every_order(tmp_path, items_file) -> None:
    backend = FakeBackend(f"oracle:{items_file}")
    _, rows, figures = _run(tmp_path, items_file, backend, permutations=3)
    assert len(rows) == 8 * 4
    assert figures["EU"]["accuracy"] == figures["EA"]["accuracy"] == 100.0
    assert figures["EU"]["by_order"] == {str(k): 100.0 for k in range(4)}
    assert figures["EU"]["parse_failures"]["rate"] == 0.0
    # The same item is shown in four different orders.
    orders = {tuple(r["orders"]["emotion"]) for r in rows
              if r["item"] == "en-1" and r["task"] == "EU"}
    assert len(orders) == 4


def test_always_first_shows_position_bias(tmp_path, items_file) -> None:
    _, rows, figures = _run(tmp_path, items_file, FakeBackend("first"), permutations=1,
                            constrain=False)
    ea = figures["EA"]
    assert ea["positions"]["response"]["chosen"]["a"] == ea["units"]
    gold_a = ea["positions"]["response"]["gold"]["a"]
    assert ea["accuracy"] == pytest.approx(100 * gold_a / ea["units"])
    assert all(r["samples"][0]["response"]["raw"].startswith("(a) ") for r in rows
               if r["task"] == "EA")


def test_two_step_names_the_chosen_emotion(tmp_path, items_file) -> None:
    backend = FakeBackend("first")
    _run(tmp_path, items_file, backend, task="EU")
    emotion_call, cause_call = backend.calls[:2]
    first_emotion = shown_choices(emotion_call["messages"])[0][1]
    assert f"feel {first_emotion} in this situation" in cause_call["messages"][-1]["content"]
    assert emotion_call["schema"]["properties"]["answer"]["enum"] == ["a", "b", "c", "d"]
    assert "reasoning" not in emotion_call["schema"]["properties"]


def test_joint_mode_and_cot_schema(tmp_path, items_file) -> None:
    backend = FakeBackend(f"oracle:{items_file}")
    _, _, figures = _run(tmp_path, items_file, backend, task="EU", eu_mode="joint", cot=True)
    assert len(backend.calls) == 4  # one prompt per item
    assert list(backend.calls[0]["schema"]["properties"]) == ["reasoning", "emotion", "cause"]
    assert figures["EU"]["accuracy"] == 100.0
    assert figures["EU"]["emotion_accuracy"] == figures["EU"]["cause_accuracy"] == 100.0


def test_backend_errors_are_retried_with_the_same_prompt(tmp_path, items_file, monkeypatch
                                                         ) -> None:
    monkeypatch.setattr("emolab.emobench.runner.time.sleep", lambda s: None)
    backend = FakeBackend("first", fail_first=2)
    _run(tmp_path, items_file, backend, task="EA", retries=2)
    assert backend.calls[0]["messages"] == backend.calls[1]["messages"] == \
        backend.calls[2]["messages"]
    backend = FakeBackend("first", fail_first=3)
    with pytest.raises(EmolabError, match="failed 3 times with the same prompt"):
        _run(tmp_path / "again", items_file, backend, task="EA", retries=2)


def test_unreadable_answers_are_retried_only_when_sampling(tmp_path, items_file) -> None:
    garbage = FakeBackend("garbage")
    _, _, figures = _run(tmp_path, items_file, garbage, task="EA", retries=2, constrain=False)
    assert len(garbage.calls) == 4  # greedy: the same prompt would give the same text
    assert figures["EA"]["parse_failures"]["rate"] == 100.0
    script = ["nothing", "still nothing", "(b) whatever"] + ["(a)"] * 20
    sampled = FakeBackend("first", script=script)
    _, rows, _ = _run(tmp_path / "s", items_file, sampled, task="EA", retries=2,
                      constrain=False, temperature=0.7)
    first = rows[0]["samples"][0]["response"]
    assert first["read"] == 1 and first["retried"] == ["nothing", "still nothing"]
    assert sampled.calls[0]["messages"] == sampled.calls[2]["messages"]


def test_resume_skips_done_units_and_repairs_a_torn_line(tmp_path, items_file) -> None:
    cfg = EmoBenchConfig(items=str(items_file), task="EA")
    items = [i for i in read_items(items_file) if i.task == "EA"]
    out = tmp_path / "answers.jsonl"
    first = FakeBackend("first")
    assert Runner(first, cfg, structured=True).run(items[:2], out) == 2
    with out.open("a") as handle:
        handle.write('{"task": "EA", "item": "en-3", "ord')  # a kill in mid-write
    again = FakeBackend("first")
    assert Runner(again, cfg, structured=True).run(items, out) == 2
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["item"] for r in rows] == ["en-1", "en-2", "en-3", "en-4"]
    assert len(again.calls) == 2


def test_samples_need_sampling() -> None:
    with pytest.raises(EmolabError, match="needs --temperature above 0"):
        EmoBenchConfig(samples=5)
    with pytest.raises(EmolabError, match="eu_mode"):
        EmoBenchConfig(eu_mode="both")
