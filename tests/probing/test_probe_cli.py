"""``emolab probe`` end to end on tiny random models and a data folder the test writes."""

from __future__ import annotations

import csv
import json

import pytest
import typer
from typer.testing import CliRunner

from emolab.cli.probe import probe
from emolab.errors import EmolabError

SENTENCES = {
    "joy": ["i am so happy today", "glad my friend won", "i love the sun"],
    "sadness": ["i am so sad today", "my dog lost", "the rain and the dark night"],
    "anger": ["i hate the rain", "i am furious", "angry at my cat"],
}


@pytest.fixture()
def data_dir(tmp_path):
    root = tmp_path / "data" / "dair_emotion"
    root.mkdir(parents=True)
    for name, copies in (("train.txt", 8), ("val.txt", 3)):
        lines = ["text;label_name"] + [f"{s};{label}" for label, texts in SENTENCES.items()
                                       for s in texts for _ in range(copies)]
        (root / name).write_text("\n".join(lines) + "\n")
    return root.parent


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(probe)
    return app


def _run(*args: str):
    return CliRunner().invoke(_app(), list(args), catch_exceptions=True)


def test_probe_writes_tables_plots_page_and_reuses_cache(tiny_bert, data_dir, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["--model", str(tiny_bert), "--dataset", "dair-emotion", "--data-dir", str(data_dir),
            "--out", str(out), "--cache", str(cache), "--probe", "linear", "--probe", "mlp",
            "--ablate", "keywords", "--no-progress"]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert "linear probe best at layer" in result.output
    for name in ("results.json", "results.csv", "curves.png", "index.html", "manifest.json",
                 "confusion_linear.png", "confusion_mlp.png", "keywords.json"):
        assert (out / name).is_file(), name
    rows = json.loads((out / "results.json").read_text())
    assert {r["run"] for r in rows} == {"with keywords", "keywords removed"}
    assert {r["layer"] for r in rows} == {0, 1, 2} and {r["probe"] for r in rows} == {"linear",
                                                                                      "mlp"}
    with (out / "results.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
    keywords = json.loads((out / "keywords.json").read_text())
    assert "furious" in keywords["anger"] and "happy" in keywords["joy"]
    assert 'src="curves.png"' in (out / "index.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["train_rows"] == 72 and manifest["data"]["eval_split"] == "validation"
    assert manifest["models"][str(tiny_bert)]["timing"]["extract_train"]["cached"] is False

    again = _run(*args)
    assert again.exit_code == 0, again.output
    timing = json.loads((out / "manifest.json").read_text())["models"][str(tiny_bert)]
    assert timing["timing"]["extract_train"]["cached"] is True
    assert timing["ablated_timing"]["extract_eval"]["cached"] is True
    def scores(table):  # everything but the timings must repeat exactly
        return [{k: v for k, v in r.items() if k != "seconds"} for r in table]

    assert scores(json.loads((out / "results.json").read_text())) == scores(rows)


def test_compare_two_models_by_relative_depth(tiny_bert, tiny_llama, data_dir, tmp_path):
    out = tmp_path / "cmp"
    result = _run("--model", str(tiny_bert), "--compare", str(tiny_llama), "--dataset",
                  "dair-emotion", "--data-dir", str(data_dir), "--out", str(out), "--cache",
                  str(tmp_path / "cache"), "--probe", "linear", "--force-cv", "--cv", "3",
                  "--limit", "45", "--pooling", "last", "--no-progress")
    assert result.exit_code == 0, result.output
    assert (out / "compare.png").is_file() and (out / "index.html").is_file()
    for name in (tiny_bert.name, tiny_llama.name):
        rows = json.loads((out / name / "results.json").read_text())
        assert rows[-1]["relative_depth"] == 1.0 and rows[0]["relative_depth"] == 0.0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["eval_split"] == "3-fold cross-validation"
    assert manifest["data"]["train_rows"] == 45


def test_bad_settings_are_emolab_errors(data_dir, tmp_path):
    result = _run("--dataset", "semeval-ei-reg", "--data-dir", str(data_dir), "--out",
                  str(tmp_path))
    assert isinstance(result.exception, EmolabError)
    result = _run("--pooling", "max", "--out", str(tmp_path))
    assert isinstance(result.exception, EmolabError)
