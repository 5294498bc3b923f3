"""``emolab demo``: the table's figures on known files, and the whole loop for real (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.demo.config import DemoConfig
from emolab.demo.table import measure, render_table
from emolab.errors import EmolabError
from emolab.labels import get_label_set
from tests_support import write_semeval

LABELS = get_label_set("semeval-ec")
runner = CliRunner()


def _row(i: int, gold: list[str], raw: str, parsed: dict | None, error: str | None) -> dict:
    pred = None if parsed is None else parsed["multiple_emotions_present"]
    return {"id": str(i), "gold": gold, "pred": pred, "raw": raw, "parsed": parsed,
            "error": error, "dataset": "semeval-ec", "task": "multi_label", "seconds": 2.0}


def _answer(explanation: str, labels: list[str]) -> dict:
    return {"explanation": explanation, "most_prominent_emotion": labels[0],
            "multiple_emotions_present": labels}


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_measure_on_known_answers(tmp_path):
    right, half = _answer("x" * 10, ["joy"]), _answer("y" * 30, ["anger", "fear"])
    _write(tmp_path / "constrained.jsonl", [
        _row(0, ["joy"], json.dumps(right), right, None),
        _row(1, ["anger"], json.dumps(half), half, None),
        _row(2, ["sadness"], "{", None, "invalid JSON: cut"),  # unreadable: counts as wrong
    ])
    _write(tmp_path / "unconstrained.jsonl", [
        _row(0, ["joy"], json.dumps(right), right, None),
        _row(1, ["anger"], "Sure! The emotion is anger.", None, "invalid JSON: prose"),
    ])
    measured = measure(tmp_path, LABELS)
    assert measured["jaccard"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert measured["adherence"] == pytest.approx(0.5)
    assert measured["explanation_chars"] == pytest.approx(20)  # the readable answers only
    assert measured["unreadable_constrained"] == 1 and measured["rows"] == 3
    table = render_table({"before": measured, "after": measured}, DemoConfig(), {"before": 60})
    assert "| measure | before (zero-shot) | after (ORPO) |" in table
    assert "| Jaccard accuracy (constrained) | 0.500 | 0.500 |" in table
    assert "| schema adherence without constraints | 50.0% | 50.0% |" in table


@pytest.mark.parametrize("bad", [{"dev_size": 0}, {"export_type": "q4"}, {"sft_steps": -1},
                                 {"orpo_steps": -1}, {"sft_steps": 0, "orpo_steps": 0},
                                 {"candidate_temperature": 0}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(EmolabError):
        DemoConfig(**bad)


TWEETS = {"joy": "We finally won the cup!! So happy",
          "anger": "Furious, they cancelled my flight AGAIN",
          "fear": "Terrified of the exam tomorrow",
          "sadness": "I miss my grandmother so much today"}


def _semeval(root: Path) -> Path:
    label_of = {text: [label] for label, text in TWEETS.items()}
    for split in ("train", "dev"):
        write_semeval(root, [(f"2018-{split}-{i}", text) for i, text in enumerate(TWEETS.values())],
                      split=split, labels_of=label_of.__getitem__)
    return root


@pytest.mark.slow
def test_the_whole_loop_runs_and_resumes(tmp_path):
    data, out = _semeval(tmp_path / "data"), tmp_path / "demo"
    args = ["demo", "--out", str(out), "--data-dir", str(data), "--dev-size", "2",
            "--train-size", "3", "--orpo-steps", "1", "--batch-size", "1", "--grad-accum", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("table.md", "results.json", "report.html", "manifest.json", "config.yaml",
                 "before/constrained.jsonl", "after/unconstrained.jsonl", "pairs/pairs.jsonl",
                 "orpo/merged/config.json", "orpo/model-q8_0.gguf"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    assert results["measures"]["after"]["rows"] == 2
    assert results["measures"]["before"]["adherence"] >= 0  # measured, whatever it is
    assert "| Jaccard accuracy (constrained) |" in (out / "table.md").read_text()
    stages = [json.loads(line)["stage"] for line in (out / "stages.jsonl").read_text().splitlines()]
    assert stages == ["before", "pairs", "orpo", "export", "after"]

    again = runner.invoke(app, args)  # everything is done: nothing is generated or trained
    assert again.exit_code == 0, again.output
    assert "is complete" in again.output
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 2

    changed = runner.invoke(app, [*args[:-1], "2"])  # another grad-accum: refused
    assert changed.exit_code != 0
    assert "other settings" in str(changed.exception)


@pytest.mark.slow
def test_sft_alone_is_a_loop_too(tmp_path):
    data, out = _semeval(tmp_path / "data"), tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out), "--data-dir", str(data),
                                 "--dev-size", "2", "--train-size", "3", "--sft-steps", "1",
                                 "--orpo-steps", "0", "--batch-size", "1", "--grad-accum", "1"])
    assert result.exit_code == 0, result.output
    stages = [json.loads(line)["stage"] for line in (out / "stages.jsonl").read_text().splitlines()]
    assert stages == ["before", "pairs", "sft", "export", "after"]
    assert (out / "sft" / "model-q8_0.gguf").is_file() and not (out / "orpo").exists()
    table = (out / "table.md").read_text()
    assert "| measure | before (zero-shot) | after (SFT) |" in table and "1 SFT steps" in table
