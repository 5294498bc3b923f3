"""``emolab emobench run`` / ``score`` end to end, with a scripted backend."""

from __future__ import annotations

import json

import pytest
import yaml
from emobench_support import ea_row, eu_row, write_items
from typer.testing import CliRunner

from emolab.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def fake_backend(monkeypatch):
    from emolab.backends import BACKENDS

    monkeypatch.setitem(BACKENDS, "fake", "emobench_support:FakeBackend")


@pytest.fixture
def items_file(tmp_path):
    return write_items(tmp_path / "gen.jsonl", [eu_row(i) for i in range(1, 4)]
                       + [ea_row(i) for i in range(1, 4)])


def _run(items_file, out, *extra):
    return runner.invoke(app, ["emobench", "run", "--items", str(items_file), "--backend", "fake",
                               "--model", f"oracle:{items_file}", "--out", str(out), *extra])


def test_run_then_score_json(tmp_path, items_file) -> None:
    out = tmp_path / "run"
    result = _run(items_file, out, "--permutations", "2")
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"answers.jsonl", "items.jsonl", "config.yaml",
                                               "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"] == "fake-oracle" and manifest["constrained"] is True
    assert manifest["sessions"][0]["units_written"] == 18
    scored = runner.invoke(app, ["emobench", "score", str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    figures = json.loads(scored.output)
    assert figures["EU"]["accuracy"] == figures["EA"]["accuracy"] == 100.0
    assert figures["EU"]["orders"] == 3 and figures["EU"]["items"] == 3
    assert "by_category" in figures["EA"] and "positions" in figures["EU"]
    table = runner.invoke(app, ["emobench", "score", str(out)])
    assert table.exit_code == 0 and "GPT-4" in table.output and "59.75" in table.output


def test_rerun_resumes_and_refuses_other_settings(tmp_path, items_file) -> None:
    out = tmp_path / "run"
    assert _run(items_file, out, "--limit", "1").exit_code == 0
    assert _run(items_file, out).exit_code == 0  # --limit may change: the rest is added
    lines = (out / "answers.jsonl").read_text().splitlines()
    keys = [(r["task"], r["item"], r["order"]) for r in map(json.loads, lines)]
    assert len(keys) == len(set(keys)) == 6
    refused = _run(items_file, out, "--cot")
    assert refused.exit_code != 0
    assert "other settings" in str(refused.exception) and "cot" in str(refused.exception)
    assert yaml.safe_load((out / "config.yaml").read_text())["cot"] is False


def test_malformed_item_file_names_line_and_field(tmp_path) -> None:
    bad = write_items(tmp_path / "bad.jsonl", [ea_row(1), ea_row(2, label="Not there")])
    result = runner.invoke(app, ["emobench", "run", "--items", str(bad), "--backend", "fake",
                                 "--out", str(tmp_path / "run")])
    assert result.exit_code != 0
    assert f"{bad}:2: field 'label'" in str(result.exception)
    assert not (tmp_path / "run").exists()
