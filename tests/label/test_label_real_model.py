"""The embedded SmolLM2 for real: in process (llamacpp backend) and behind llama.cpp's own
server (xllamacpp, loopback), three texts each, through the whole label pipeline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emolab.labels import get_label_set

pq = pytest.importorskip("pyarrow.parquet")
TEXTS = ["I can't believe we finally won the cup!!", "My dog died this morning.",
         "The bus is late again, great."]
EC = set(get_label_set("semeval-ec").labels)


def check(rows: list[dict], model: str) -> None:
    assert [r["text"] for r in rows] == TEXTS
    for row in rows:
        # ec is a task of emolab's tuned model: it answers, with the prompt it was trained on
        assert row["model"].startswith(model) and row["prompt_version"] == "compact"
        raw = row["ec__raw"]
        assert raw, row
        if row["ec__error"] is None:  # a usable answer: labels from the set, explanation first
            assert set(row["ec__answer"]) <= EC and row["ec__answer"]
            assert next(iter(json.loads(raw))) == "explanation"
    assert sum(r["ec__error"] is None for r in rows) >= 2  # constrained: nearly always usable


def label_three(write, tmp_path, *options: str):
    """`emolab label` of the three texts with ``options``; the output folder."""
    from emolab.cli.main import app

    corpus = write("three.txt", "\n".join(TEXTS) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["label", str(corpus), "--tasks", "ec", "--out", str(out),
                                      "--threads", "2", "--max-tokens", "300", *options])
    assert result.exit_code == 0, result.output
    check(pq.read_table(out / "data").to_pylist(), "emolab-affect-v1-")
    return out


@pytest.mark.slow
def test_in_process_model_on_three_texts(write, tmp_path):
    pytest.importorskip("xllamacpp")
    label_three(write, tmp_path)


@pytest.mark.slow
def test_llama_server_engine_on_loopback_with_two_slots(write, tmp_path):
    pytest.importorskip("xllamacpp")
    out = label_three(write, tmp_path, "--engine", "llama-server", "--concurrency", "2")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["backend"] == "llama-server"


@pytest.mark.slow
def test_llama_server_engine_splits_the_threads_over_two_servers(write, tmp_path):
    pytest.importorskip("xllamacpp")
    out = label_three(write, tmp_path, "--engine", "llama-server", "--llama-servers", "2",
                      "--concurrency", "2")
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["servers"] == 2 and session["engine"] == "llama-server"
