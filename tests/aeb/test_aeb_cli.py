"""`emolab aeb run / report / baseline` on small fixture files with a scripted backend."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from typer.testing import CliRunner

import emolab.backends as backends
from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.cli.main import app

runner = CliRunner()
SST = [("a great film", 0.9), ("a dull film", 0.2), ("great fun", 0.8), ("so dull", 0.1)]
TDT = [("great news", 1), ("dull news", -1), ("news", 0)]


class Reader(Backend):
    """Rates a text high when it says 'great': valid JSON under a schema, a bare number or
    class without one (as an EmoLLMs model would)."""

    name: ClassVar[str] = "reader"
    supports_schema: ClassVar[bool] = True
    calls: ClassVar[list] = []

    def __init__(self, model: str = "reader", *, seed: int | None = None) -> None:
        self.model_id = model

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        text = messages[-1]["content"]
        Reader.calls.append((messages, schema))
        great = "great" in text.split("Text:")[-1]
        if schema is None:
            classes = "Class" in text
            return [Generation(("1: positive" if great else "-1") if classes else
                               ("0.85" if great else "0.15"), "stop", 10, 3)]
        key = list(schema["properties"])[1]
        prop = schema["properties"][key]
        value = (prop["enum"][-1] if great else prop["enum"][0]) if "enum" in prop else (
            0.85 if great else 0.15)
        return [Generation(json.dumps({"explanation": "it says so", key: value}), "stop", 10, 5)]


@pytest.fixture
def data(tmp_path, monkeypatch):
    Reader.calls = []
    monkeypatch.setattr(backends, "backend_class", lambda name: Reader)
    folder = tmp_path / "data" / "emollms_aeb" / "data-split"
    folder.mkdir(parents=True)
    (folder / "SST_test.json").write_text("".join(json.dumps(
        {"instruction": f"Task: Calculate the sentiment score. Text: {t} Sentiment score: ",
         "input": "", "output": g}) + "\n" for t, g in SST))
    (folder / "TDT.json").write_text("".join(json.dumps(
        {"instruction": f"Task: Classify. 1: positive. 0: neutral. -1: negative. Text: {t} "
                        "Intensity Class: ", "input": "", "output": g}) + "\n" for t, g in TDT))
    return tmp_path / "data"


def test_run_resume_and_report(data, tmp_path):
    args = ["aeb", "run", "--tasks", "SST,TDT", "--out", str(tmp_path / "run"),
            "--data-dir", str(data)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert len(Reader.calls) == 7
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and len(Reader.calls) == 7  # nothing asked twice
    rows = [json.loads(line) for line in (tmp_path / "run" / "SST.jsonl").read_text().splitlines()]
    assert [r["pred"] for r in rows] == [0.85, 0.15, 0.85, 0.15]
    assert rows[0]["parsed"]["explanation"] == "it says so" and rows[0]["schema_valid"]
    report = runner.invoke(app, ["aeb", "report", str(tmp_path / "run"), "--json",
                                 "--no-published"])
    scores = json.loads(report.output)["runs"][0]["tasks"]
    assert scores["SST"]["columns"]["SST"] == pytest.approx(0.9899494936611666)
    assert scores["TDT"]["columns"]["TDT_acc"] == pytest.approx(2 / 3)
    table = runner.invoke(app, ["aeb", "report", str(tmp_path / "run"), "--plot",
                                str(tmp_path / "aeb.png")])
    assert "AEB-2" in table.output and "TDT_acc" in table.output
    assert "EmoLLaMA-chat-13B" in table.output and (tmp_path / "aeb.png").stat().st_size > 0
    assert "bootstrap interval" not in table.output
    spans = runner.invoke(app, ["aeb", "report", str(tmp_path / "run"), "--intervals", "200",
                                "--no-published"])
    # TDT: 2 of 3 right, so a resample scores 0, 1/3, 2/3 or 1.
    assert "| ↳ 95% bootstrap interval |" in spans.output, spans.output
    assert "0.000–1.000" in spans.output
    refused = runner.invoke(app, [*args, "--prompts", "emollms"])
    assert "prompts: 'emolab' -> 'emollms'" in str(refused.exception)


def test_emollms_prompts_send_the_instruction_and_read_free_text(data, tmp_path):
    result = runner.invoke(app, ["aeb", "run", "--tasks", "TDT", "--prompts", "emollms",
                                 "--out", str(tmp_path / "run"), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    messages, schema = Reader.calls[0]
    assert schema is None and len(messages) == 1
    assert messages[0]["content"].startswith("Task: Classify.")
    rows = [json.loads(line) for line in (tmp_path / "run" / "TDT.jsonl").read_text().splitlines()]
    assert [(r["pred"], r["error"]) for r in rows] == [(1, None), (-1, None), (-1, None)]
    assert rows[0]["prompt_version"] == "emollms"


def test_a_prompt_version_can_be_asked_for_with_emolab_prompts_only(data, tmp_path):
    result = runner.invoke(app, ["aeb", "run", "--tasks", "SST", "--model", "my-run",
                                 "--prompt-version", "compact", "--out", str(tmp_path / "run"),
                                 "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    messages, _ = Reader.calls[0]
    assert len(messages[0]["content"]) < 400  # the compact prompt, not v1's definitions
    rows = [json.loads(line) for line in (tmp_path / "run" / "SST.jsonl").read_text().splitlines()]
    assert {r["prompt_version"] for r in rows} == {"compact"}
    refused = runner.invoke(app, ["aeb", "run", "--tasks", "SST", "--prompts", "emollms",
                                  "--prompt-version", "compact", "--out", str(tmp_path / "x"),
                                  "--data-dir", str(data)])
    assert "--prompt-version goes with --prompts emolab" in str(refused.exception)


def test_vader_baseline_writes_a_run_the_report_reads(data, tmp_path):
    pytest.importorskip("vaderSentiment")
    result = runner.invoke(app, ["aeb", "baseline", "vader", "--out", str(tmp_path / "vader"),
                                 "--data-dir", str(data), "--tasks", "SST,TDT,E-c"])
    assert result.exit_code == 0, result.output
    assert "not applicable to E-c" in result.output
    rows = [json.loads(line) for line in
            (tmp_path / "vader" / "TDT.jsonl").read_text().splitlines()]
    assert all(r["pred"] in (-1, 0, 1) for r in rows) and rows[0]["model"] == "vader"
    report = runner.invoke(app, ["aeb", "report", str(tmp_path / "vader"), "--json"])
    assert json.loads(report.output)["runs"][0]["tasks"]["SST"]["rows"] == 4
