"""The scorer on hand-made answers, and on small result files in EmoBench's layout."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.emobench.official import score_official
from emolab.emobench.scorer import Asked, score


def _eu(item: str, order: int, emotion: tuple, cause: tuple, *, gold=(0, 1), category="c1"):
    common = dict(task="EU", item=item, order=order, n_choices=4, category=category,
                  subcategory=f"{category}-sub")
    return [Asked(question="emotion", gold=gold[0], readings=emotion, **common),
            Asked(question="cause", gold=gold[1], readings=cause, **common)]


def test_eu_both_right_emotion_only_cause_only() -> None:
    asked = (_eu("1", 0, (0, 0, None), (1, 2, 1))  # both right (votes 0 and 1)
             + _eu("2", 0, (0, 1, 1), (1, 1, 1))  # emotion wrong
             + _eu("3", 0, (None, None, None), (3, 3, 1), category="c2")  # nothing right
             + _eu("4", 0, (2, 0, 0), (1, None, None), category="c2"))  # both right
    f = score(asked)["EU"]
    assert f["accuracy"] == 50.0
    assert f["emotion_accuracy"] == 50.0 and f["cause_accuracy"] == 75.0
    assert f["by_category"] == {"c1": {"accuracy": 50.0, "n": 2}, "c2": {"accuracy": 50.0, "n": 2}}
    assert set(f["by_subcategory"]) == {"c1-sub", "c2-sub"}
    assert f["parse_failures"] == {"answers": 24, "unreadable": 6, "rate": 25.0}
    assert f["positions"]["emotion"]["chosen"] == {"a": 2, "b": 1, "c": 0, "d": 0}
    assert f["positions"]["emotion"]["unreadable"] == 1
    assert f["positions"]["emotion"]["gold"]["a"] == 4
    assert [row["model"] for row in f["published"]][:2] == ["GPT-4", "GPT-3.5"]
    assert f["published"][0]["accuracy"] == 59.75


def test_accuracy_is_the_mean_over_orders() -> None:
    asked = _eu("1", 0, (0,), (1,)) + _eu("1", 1, (3,), (1,)) + _eu("2", 0, (0,), (1,)) + \
        _eu("2", 1, (0,), (1,))
    f = score(asked)["EU"]
    assert f["by_order"] == {"0": 100.0, "1": 50.0}
    assert f["accuracy"] == 75.0 and f["items"] == 2 and f["orders"] == 2


def _write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _ea_file(path, answers_per_row, preds_per_row):
    header = ["Choices", "Label"] + [c for i in range(1, 4) for c in (f"Res {i}", f"Pred {i}")]
    rows = []
    for answers, preds in zip(answers_per_row, preds_per_row, strict=True):
        rows.append([str(["Stay", "Leave", "Talk"]), "2"]
                    + [x for pair in zip(answers, preds, strict=True) for x in pair])
    _write_csv(path, header, rows)


@pytest.fixture
def results_dir(tmp_path):
    root = tmp_path / "official_results"
    # Original order: the official parser missed "Option C" (-1); emolab reads it.
    _ea_file(root / "EA" / "m" / "m-en.csv",
             [["(c) Talk", "Option C", "(a) Stay"], ["Leave", "b", "(b) Leave"]],
             [[2, -1, 0], [1, 1, 1]])
    _ea_file(root / "EA" / "m" / "m-en1.csv",
             [["Talk", "c", "nothing"], ["(c)", "(c) Talk", "??"]],
             [[2, 2, -1], [2, 2, -1]])
    eu_header = ["Emo Choices", "Emo Label", "Cause Choices", "Cause Label"] + [
        c for i in (1, 2) for c in (f"Emo Res {i}", f"Emo Pred {i}", f"Cause Res {i}",
                                    f"Cause Pred {i}")]
    _write_csv(root / "EU" / "m" / "m-en_cot.csv", eu_header, [
        [str(["Joy", "Fear"]), "0", str(["rain", "sun", "snow"]), "1",
         "Thinking about (b)...\n\n(a) Joy", "0", "b", "1", "(a)", "0", "(b) sun", "1"],
        [str(["Joy", "Fear"]), "1", str(["rain", "sun", "snow"]), "2",
         "(a) Joy", "0", "(c) snow", "2", "Joy", "0", "c", "2"],
    ])
    return root


def test_official_files_read_from_raw_answers(results_dir) -> None:
    figures = score_official(results_dir)
    ea = figures["m"]["en"]["EA"]
    # Original: row 1 votes c (right), row 2 votes b (wrong label c): 50%; permutation: both
    # right: 100%; mean 75.
    assert ea["by_order"] == {"0": 50.0, "1": 100.0}
    assert ea["accuracy"] == 75.0
    assert ea["official_parser_accuracy"] == 75.0
    assert ea["agreement"] == pytest.approx(100 * 11 / 12, abs=0.01)  # "Option C" read anew
    assert ea["parse_failures"]["unreadable"] == 2
    assert ea["files"] == ["m-en.csv", "m-en1.csv"] and ea["published"] is None
    eu = figures["m"]["en_cot"]["EU"]
    assert eu["accuracy"] == 50.0 and eu["emotion_accuracy"] == 50.0
    assert eu["cause_accuracy"] == 100.0


def test_score_cli_official_json(results_dir) -> None:
    result = CliRunner().invoke(app, ["emobench", "score", "--official-results",
                                      str(results_dir), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["m"]["en"]["EA"]["accuracy"] == 75.0


@pytest.mark.data
def test_official_gpt4_files_within_a_point_of_the_paper(real_data_dir) -> None:
    root = real_data_dir / "emobench" / "official_results"
    result = CliRunner().invoke(app, ["emobench", "score", "--official-results", str(root),
                                      "--json"])
    assert result.exit_code == 0, result.output
    gpt4 = json.loads(result.output)["gpt-4"]
    paper = {("en", "EU"): 59.75, ("en", "EA"): 75.50, ("en_cot", "EU"): 58.25,
             ("en_cot", "EA"): 75.88}
    for (variant, task), figure in paper.items():
        ours = gpt4[variant][task]
        assert abs(ours["accuracy"] - figure) <= 1.0, (variant, task, ours["accuracy"])
        assert ours["published"] == figure
        # The official parser's own readings, scored by emolab, give the paper's figure exactly:
        # the scoring (votes, both-right, mean over orders) is the same; only reading differs.
        assert ours["official_parser_accuracy"] == pytest.approx(figure, abs=0.005)
        assert ours["orders"] == 4 and ours["items"] == 200
