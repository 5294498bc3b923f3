"""The ``emolab train`` commands: flags and YAML reach the config; bad input fails early."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.errors import EmolabError


@pytest.fixture
def captured(monkeypatch):
    """Replace the training run by a recorder of the config it would get."""
    seen = []
    monkeypatch.setattr("emolab.train.run.train", lambda cfg, echo: seen.append(cfg))
    return seen


def test_flags_override_the_yaml_file(tmp_path, pairs_file, captured):
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"max_steps": 50, "lora_r": 4, "batch_size": 2}))
    result = CliRunner().invoke(app, [
        "train", "dpo", "--pairs", str(pairs_file), "--config", str(config),
        "--max-steps", "7", "--learning-rate", "1e-5", "--seed", "3", "--no-merge"])
    assert result.exit_code == 0, result.output
    [cfg] = captured
    assert (cfg.method, cfg.max_steps, cfg.lr, cfg.seed, cfg.merge) == ("dpo", 7, 1e-5, 3, False)
    assert (cfg.lora_r, cfg.batch_size) == (4, 2)  # from the file
    assert cfg.pairs == str(pairs_file) and cfg.beta == 0.1


def test_the_subcommand_decides_the_method(tmp_path, pairs_file, captured):
    config = tmp_path / "c.yaml"
    config.write_text("method: dpo\n")
    CliRunner().invoke(app, ["train", "orpo", "--pairs", str(pairs_file), "--config", str(config)])
    assert captured[0].method == "orpo" and captured[0].lr == 2e-4


def test_missing_pairs_file_fails_before_loading_anything(tmp_path):
    result = CliRunner().invoke(app, ["train", "orpo", "--pairs", str(tmp_path / "nope.jsonl"),
                                      "--out", str(tmp_path / "run")])
    assert isinstance(result.exception, EmolabError)
    assert "nope.jsonl" in str(result.exception)
    assert not (tmp_path / "run").exists()


def test_help_is_fast_and_imports_nothing_heavy():
    code = ("import sys; from emolab.cli.main import app; "
            "print(sorted(m for m in ('torch', 'transformers', 'trl', 'peft') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
