"""`emolab evaluate` on predictions files: metrics by task, failures counted, clear errors."""

from __future__ import annotations

import json

import pytest
from scipy.stats import pearsonr
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.errors import DataFormatError
from emolab.evaluate.runner import evaluate_file


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_multi_label_failure_is_read_as_no_emotion_and_counted(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "1", "dataset": "semeval-ec", "gold": ["joy", "love"], "pred": ["joy"],
         "raw": "{...}", "error": None},
        {"id": "2", "dataset": "semeval-ec", "gold": [], "pred": None, "raw": "garbage",
         "error": "invalid JSON: Expecting value"},
        {"id": "3", "dataset": "semeval-ec", "gold": ["anger"], "pred": ["anger", "boredom"]},
    ])
    report = evaluate_file(path)
    # As the official E-c scorer reads the all-zeros row written for a failure: row 1: 1/2;
    # row 2: failed -> no emotion, which matches its empty gold: 1; row 3: an out-of-set label
    # -> failed -> no emotion against anger: 0. The failures are counted apart.
    assert report["metrics"]["jaccard"] == pytest.approx(1.5 / 3)
    assert report["metrics"]["f1_micro"] == pytest.approx(2 * 1 / (2 * 1 + 0 + 2))
    assert report["failed"] == 2 and report["failure_rate"] == pytest.approx(2 / 3)
    assert report["failures_by_kind"] == {"invalid JSON": 1, "label outside the set": 1}
    assert set(report["per_label_f1"]) == {"anger", "anticipation", "disgust", "fear", "joy",
                                           "love", "optimism", "pessimism", "sadness",
                                           "surprise", "trust"}


def test_single_label_with_own_label_set(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "a", "task": "single_label", "gold": "pos", "pred": "pos"},
        {"id": "b", "task": "single_label", "gold": "neg", "pred": None, "error": "missing field"},
    ])
    report = evaluate_file(path, labels=["pos", "neg"])
    assert report["metrics"]["accuracy"] == 0.5
    assert report["metrics"]["recall_macro"] == 0.5


def test_regression_by_dimension_and_imputation(tmp_path):
    rows = [{"id": str(i), "dataset": "semeval-ei-reg", "dimension": dim, "gold": g, "pred": p}
            for i, (dim, g, p) in enumerate([("anger", 0.1, 0.2), ("anger", 0.6, 0.7),
                                             ("anger", 0.9, 1.0), ("joy", 0.2, 0.3),
                                             ("joy", 0.6, None), ("joy", 0.8, 0.9)])]
    report = evaluate_file(write_jsonl(tmp_path / "p.jsonl", rows))
    assert set(report["by_dimension"]) == {"anger", "joy"}
    assert report["by_dimension"]["anger"]["pearson"] == pytest.approx(1.0)
    # the unreadable joy row is imputed with 0.5, the official scorer's value
    assert report["by_dimension"]["joy"]["pearson"] == pytest.approx(
        pearsonr([0.2, 0.6, 0.8], [0.3, 0.5, 0.9])[0])
    assert report["metrics"]["pearson"] == pytest.approx(
        (1.0 + report["by_dimension"]["joy"]["pearson"]) / 2)
    assert report["failed"] == 1


def test_multiple_choice_by_category(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "1", "dataset": "emobench-eu", "category": "cues", "gold": ["Joy", "c"],
         "pred": ["Joy", "c"]},
        {"id": "2", "dataset": "emobench-eu", "category": "beliefs", "gold": ["Joy", "c"],
         "pred": ["Joy", "d"]},
    ])
    report = evaluate_file(path)
    assert report["metrics"]["accuracy"] == 0.5
    assert report["by_category"]["cues"]["accuracy"] == 1.0


@pytest.mark.parametrize(("content", "line", "field", "message"), [
    ('{"id": "1", "dataset": "semeval-ec", "gold": ["joy"], "pred": ["joy"]}\n{"id": "2", "gol',
     2, None, "truncated"),
    ('{"id": "1", "dataset": "semeval-ec", "pred": ["joy"]}\n', 1, "gold", "missing"),
    ('{"id": "1", "dataset": "semeval-ec", "gold": ["glee"], "pred": ["joy"]}\n', 1, "gold",
     "not in the label set"),
    ('{"id": "1", "dataset": "semeval-ec", "gold": [], "pred": []}\n' * 2, 2, "id", "already"),
    ('{"id": "1", "dataset": "semeval-ec", "gold": {"x": 1}}\n', 1, "gold", ""),
])
def test_bad_predictions_files(tmp_path, content, line, field, message):
    path = tmp_path / "p.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        evaluate_file(path)
    assert err.value.line == line and err.value.field == field
    assert message in str(err.value) and str(path) in str(err.value)


def test_empty_and_non_utf8_predictions(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(DataFormatError, match="empty"):
        evaluate_file(tmp_path / "empty.jsonl")
    (tmp_path / "latin.jsonl").write_bytes(b'{"id": "caf\xe9", "gold": []}\n')
    with pytest.raises(DataFormatError, match="UTF-8"):
        evaluate_file(tmp_path / "latin.jsonl")


def test_cli_table_and_json(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "1", "dataset": "dair-emotion", "gold": "joy", "pred": "joy"},
        {"id": "2", "dataset": "dair-emotion", "gold": "fear", "pred": None, "error": "invalid JSON"},
    ])
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["metrics"]["accuracy"] == 0.5 and report["failure_rate"] == 0.5
    table = runner.invoke(app, ["evaluate", str(path)])
    assert "accuracy" in table.output and "1 of 2 rows unreadable" in table.output
