"""BRIGHTER from the command line: --language, official figures per language, submission
files; and one real run of the embedded model on German texts (slow)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emolab.cli.main import app

ROOT = "semeval2025_task11"
DEU = "id,text,anger,disgust,fear,joy,sadness,surprise\n"
ENG = "id,text,anger,fear,joy,sadness,surprise\n"


@pytest.fixture
def data(write, tmp_path):
    write(f"{ROOT}/track_a/dev/deu.csv",
          DEU + 'd1,"So ein Mist, schon wieder!",1,1,0,0,0,0\nd2,Wie schön!,0,0,0,1,0,0\n'
                "d3,Ein Tag.,0,0,0,0,0,0\n")
    write(f"{ROOT}/track_a/dev/eng.csv", ENG + "e1,I am scared,0,1,0,0,0\ne2,Hi,0,0,0,0,0\n")
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def predictions(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_data_stats_takes_a_language(data):
    out = run("data", "stats", "brighter-a", "--language", "deu", "--split", "dev",
              "--data-dir", str(data), "--json")
    stats = json.loads(out)
    assert stats["dataset"] == "brighter-a:deu" and stats["rows"] == 3
    assert stats["labels"]["disgust"] == 1 and "neutral" not in stats["labels"]


def test_evaluate_scores_each_language_and_averages(data, tmp_path):
    rows = [{"id": "d1", "gold": ["anger", "disgust"], "pred": ["anger"], "language": "deu"},
            {"id": "d2", "gold": ["joy"], "pred": ["joy"], "language": "deu"},
            {"id": "d3", "gold": [], "pred": [], "language": "deu"},
            {"id": "e1", "gold": ["fear"], "pred": None, "error": "invalid JSON: x",
             "language": "eng"},
            {"id": "e2", "gold": [], "pred": [], "language": "eng"}]
    path = predictions(tmp_path / "all.jsonl",
                       [{**r, "dataset": "brighter-a:all", "task": "multi_label"} for r in rows])
    report = json.loads(run("evaluate", str(path), "--json"))
    assert set(report["by_language"]) == {"deu", "eng"}
    # deu: anger 1, disgust 0, joy 1, others 0 -> 2/6; eng: all 0 -> 0
    assert report["by_language"]["deu"]["f1_macro"] == pytest.approx(2 / 6)
    assert report["official"]["value"] == pytest.approx((2 / 6 + 0) / 2)
    shown = run("evaluate", str(path))
    assert "official figure: f1_macro = 0.1667 (mean over languages)" in shown
    assert "1 of 5 rows unreadable" in shown


def test_export_submission_writes_the_official_files(data, tmp_path):
    rows = [{"id": "d1", "gold": ["anger", "disgust"], "pred": ["anger"]},
            {"id": "d2", "gold": ["joy"], "pred": None, "error": "invalid JSON: x"},
            {"id": "d3", "gold": [], "pred": ["sadness"]}]
    path = predictions(tmp_path / "deu.jsonl",
                       [{**r, "dataset": "brighter-a:deu", "task": "multi_label"} for r in rows])
    out = run("export", "submission", str(path), "--format", "semeval2025", "--out",
              str(tmp_path / "sub"), "--data-dir", str(data))
    assert "1 unreadable answers were written" in out
    written = (tmp_path / "sub" / "track_a" / "pred_deu.csv").read_text(encoding="utf-8")
    assert written == (DEU.replace(",text", "") + "d1,1,0,0,0,0,0\nd2,0,0,0,0,0,0\n"
                       "d3,0,0,0,0,1,0\n")


def test_export_submission_refuses_an_unknown_format(data, tmp_path):
    path = predictions(tmp_path / "p.jsonl", [{"id": "d1", "gold": [], "pred": []}])
    result = CliRunner().invoke(app, ["export", "submission", str(path), "--format", "kaggle",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "unknown submission format" in str(result.exception)


@pytest.mark.slow
def test_the_embedded_model_answers_german_texts_in_their_schema(data, tmp_path):
    out = tmp_path / "deu.jsonl"
    run("classify", "--dataset", "brighter-a", "--language", "deu", "--data-dir", str(data),
        "--out", str(out), "--threads", "2")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["d1", "d2", "d3"]
    assert {r["dataset"] for r in rows} == {"brighter-a:deu"}
    assert all(r["language"] == "deu" and r["error"] is None for r in rows)
    labels = {"anger", "disgust", "fear", "joy", "sadness", "surprise"}
    assert all(set(r["pred"]) <= labels for r in rows)  # "neutral" is read as no emotion
    report = json.loads(run("evaluate", str(out), "--json"))
    assert report["official"]["metric"] == "f1_macro" and report["rows"] == 3
