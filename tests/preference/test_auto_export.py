"""Automatic decisions, agreement and export formats."""

from __future__ import annotations

import json

import pytest
from scripted import answer

from emolab.preference.agreement import agreement_report, cohen_kappa
from emolab.preference.auto import settle
from emolab.preference.export import export
from emolab.preference.store import PairStore, Response

MESSAGES = [{"role": "system", "content": "sys"}, {"role": "user", "content": "Text: t"}]


def add(store, example_id, correct, *, status="kept", explanations=("short", "a longer one")):
    responses = [Response(slot, answer(["joy"], explanation=explanations[slot]),
                          json.loads(answer(["joy"], explanation=explanations[slot])), None, ok,
                          rationalized=status == "rationalized" and slot == 0)
                 for slot, ok in enumerate(correct)]
    return store.add_item(example_id=example_id, dataset="dair-emotion", text="t", gold=["joy"],
                          messages=MESSAGES, status=status, responses=responses)


@pytest.fixture
def store(tmp_path):
    with PairStore(tmp_path, create=True) as s:
        yield s


def test_auto_chooses_correct_then_tie_rule(store):
    one = add(store, "one", [False, True])
    both = add(store, "both", [True, True])
    rat = add(store, "rat", [True, False], status="rationalized")
    sources = settle(store, tie_rule="shorter")
    assert sources == {"auto-correct": 2, "auto-tie": 1}
    assert store.decision(one)["chosen_slot"] == 1
    assert store.decision(both)["chosen_slot"] == 0  # "short" is the shorter explanation
    assert "tie rule: shorter" in store.decision(both)["rule"]
    assert store.decision(rat)["rule"].startswith("rationalized")


def test_auto_never_overrides_people(store):
    item = add(store, "x", [True, True])
    a1, a2 = (store.user_by_token(store.add_user(n, "annotator")) for n in ("a1", "a2"))
    store.save_choice(item, a1, 1)
    store.save_choice(item, a2, 1)
    settle(store)
    assert store.decision(item)["source"] == "human-agreement"
    assert store.decision(item)["chosen_slot"] == 1


def test_judge_ratings_decide_when_both_correct(store, scripted):
    item = add(store, "x", [True, True])
    judge = scripted([json.dumps({"clarity": 3, "helpfulness": 3, "verbosity": 3, "overall": 2}),
                      json.dumps({"clarity": 4, "helpfulness": 4, "verbosity": 4, "overall": 5})])
    assert settle(store, judge=judge) == {"auto-judge": 1}
    assert store.decision(item)["chosen_slot"] == 1
    rated = {(r["slot"], r["user"]) for r in store.all_ratings()}
    assert rated == {(0, "judge:scripted-model"), (1, "judge:scripted-model")}


def test_trl_and_openai_exports_with_split(store, tmp_path):
    for i in range(10):
        add(store, f"e{i}", [True, False])
    settle(store)
    summary = export(store, tmp_path / "out" / "pairs.jsonl", fmt="trl", validation=0.2, seed=1)
    assert summary["exported"] == 10
    train = [json.loads(line) for line in (tmp_path / "out" / "pairs.train.jsonl").open()]
    val = [json.loads(line) for line in (tmp_path / "out" / "pairs.validation.jsonl").open()]
    assert (len(train), len(val)) == (8, 2)
    assert {r["id"] for r in train}.isdisjoint({r["id"] for r in val})
    row = train[0]
    assert row["prompt"] == MESSAGES
    assert row["chosen"][0]["role"] == "assistant"
    assert json.loads(row["chosen"][0]["content"])["explanation"] == "short"
    export(store, tmp_path / "oa.jsonl", fmt="openai")
    first = json.loads((tmp_path / "oa.jsonl").open().readline())
    assert set(first) == {"input", "preferred_output", "non_preferred_output"}
    assert first["input"]["messages"] == MESSAGES


def test_trl_rows_load_in_trl(store, tmp_path):
    datasets = pytest.importorskip("datasets")
    add(store, "e", [True, False])
    settle(store)
    export(store, tmp_path / "p.parquet", fmt="trl")
    loaded = datasets.load_dataset("parquet", data_files=str(tmp_path / "p.parquet"))["train"]
    from trl.data_utils import is_conversational

    assert is_conversational(loaded[0])


def test_table_export_with_ratings_and_fix(store, tmp_path):
    item = add(store, "e", [True, True])
    a1, a2 = (store.user_by_token(store.add_user(n, "annotator")) for n in ("a1", "a2"))
    store.save_rating(item, a1.id, 0, {"correctness": 5, "overall": 4})
    store.save_rating(item, a2.id, 0, {"correctness": 4, "overall": 4})
    fixed = {"explanation": "fixed", "most_prominent_emotion": "joy",
             "multiple_emotions_present": ["joy"]}
    store.save_choice(item, a1, 0, fixed)
    store.save_choice(item, a2, 0)
    export(store, tmp_path / "t.jsonl", fmt="table")
    row = json.loads((tmp_path / "t.jsonl").read_text())
    assert row["ratings_1"] == [4.5, None, None, None, 4.0]
    assert row["fixed"] == "yes" and row["chosen"] == 1


def test_undecided_pairs_are_counted_not_exported(store, tmp_path):
    add(store, "e", [True, True])
    summary = export(store, tmp_path / "p.jsonl", fmt="trl")
    assert summary == {**summary, "exported": 0, "undecided": 1}


def test_agreement_kappa_and_alpha(store):
    users = [store.user_by_token(store.add_user(n, "annotator")) for n in ("a1", "a2")]
    choices = [(0, 0), (1, 1), (0, 1), (1, 1), (0, 0)]
    for i, (c1, c2) in enumerate(choices):
        item = add(store, f"e{i}", [True, True])
        store.save_choice(item, users[0], c1)
        store.save_choice(item, users[1], c2)
        for slot in (0, 1):
            store.save_rating(item, users[0].id, slot, {"clarity": 1 + i % 5, "overall": 3})
            store.save_rating(item, users[1].id, slot, {"clarity": 1 + i % 5, "overall": 3})
    report = agreement_report(store)
    (pair,) = report["pairs"]
    assert pair["items"] == 5 and pair["chosen_agreement"] == 0.8
    assert pair["chosen_kappa"] == pytest.approx(cohen_kappa([c for c, _ in choices],
                                                             [c for _, c in choices]))
    assert pair["alpha_ordinal"]["clarity"] == pytest.approx(1.0)
    assert pair["alpha_ordinal"]["overall"] is None  # no variation: alpha is undefined


def test_cohen_kappa_matches_scikit_learn():
    from sklearn.metrics import cohen_kappa_score

    a, b = [0, 1, 1, 0, 1, 0, 0, 1], [0, 1, 0, 0, 1, 1, 0, 1]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_cli_auto_then_export(store, tmp_path):
    from typer.testing import CliRunner

    from emolab.cli.main import app

    add(store, "e1", [True, False])
    add(store, "e2", [True, True])
    runner = CliRunner()
    settled = runner.invoke(app, ["pairs", "auto", str(store.project)])
    assert settled.exit_code == 0, settled.output
    assert "auto-correct: 1" in settled.output and "auto-tie: 1" in settled.output
    out = tmp_path / "trl.jsonl"
    exported = runner.invoke(app, ["pairs", "export", str(store.project), "--format", "trl",
                                   "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["exported"] == 2
    assert len(out.read_text().splitlines()) == 2
