"""The embedded models for real: MiniLM (encoder) and SmolLM2 (decoder) on 80 ISEAR texts."""

from __future__ import annotations

import json
import os

import pytest
import typer
from typer.testing import CliRunner

from emolab.cli.probe import probe

pytestmark = [pytest.mark.slow, pytest.mark.data]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    if not os.environ.get("EMOLAB_DATA"):
        pytest.fail("set EMOLAB_DATA to the data folder for the data-marked tests")


@pytest.mark.parametrize(("model", "layers", "n_layers"), [("minilm", "0,3,6", 7),
                                                           ("default", "0,15,30", 31)])
def test_embedded_model_probe_run_and_cached_rerun(model, layers, n_layers, tmp_path):
    app = typer.Typer()
    app.command()(probe)
    out = tmp_path / "out"
    args = ["--model", model, "--dataset", "isear", "--limit", "80", "--eval-limit", "40",
            "--layers", layers, "--probe", "linear", "--out", str(out), "--cache",
            str(tmp_path / "cache"), "--no-progress", "--max-length", "64"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("results.json", "results.csv", "curves.png", "index.html",
                 "confusion_linear.png", "manifest.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "manifest.json").read_text())["models"][model]
    assert summary["n_layers"] == n_layers
    rows = json.loads((out / "results.json").read_text())
    assert [r["layer"] for r in rows] == [int(x) for x in layers.split(",")]
    # Seven classes, 40 dev texts: the best layer must clearly beat always saying one class.
    best = max(r["accuracy"] for r in rows)
    assert best > summary["baseline"]["accuracy"] + 0.1, rows

    again = CliRunner().invoke(app, args, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    timing = json.loads((out / "manifest.json").read_text())["models"][model]["timing"]
    assert timing["extract_train"]["cached"] and timing["extract_eval"]["cached"]
    assert [r["accuracy"] for r in json.loads((out / "results.json").read_text())] == \
        [r["accuracy"] for r in rows]
