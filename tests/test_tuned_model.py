"""Which model answers when the user names none (``emolab.tuned.choose``), and the tuned model
merged once on first use and cached (``emolab.tuned.merged_gguf``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from emolab import tuned
from emolab.errors import EmolabError

sys.path.insert(0, str(Path(__file__).parent / "train"))  # the fake adapters of the train tests


def install_card(monkeypatch, folder: Path, *, adapter: Path | None = None,
                 base_file: str = "SmolLM2-135M-Instruct.Q4_1.gguf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if adapter is None:
        adapter = folder / "fake.gguf"
        adapter.write_bytes(b"not read by choose()")
    card = folder / "card.json"
    card.write_text(json.dumps({"name": "emolab", "adapter": adapter.name, "base_file": base_file,
                                "prompt_version": "compact",
                                "tasks": ["semeval-ec", "ei-reg", "v-reg"]}))
    monkeypatch.setattr(tuned, "CARD", card)
    tuned.shipped.cache_clear()
    return card


@pytest.fixture(autouse=True)
def fresh_card_cache():
    tuned.shipped.cache_clear()
    yield
    tuned.shipped.cache_clear()


def test_the_tuned_model_answers_the_tasks_it_knows_when_none_is_named(tmp_path, monkeypatch):
    install_card(monkeypatch, tmp_path)
    choose = tuned.choose
    assert choose(None, "llamacpp", ["semeval-ec"], None) == ("emolab", "compact")
    assert choose("default", "transformers", ["ei-reg", "v-reg"], None) == ("emolab", "compact")
    # A task it was not trained on, a job with one such task, or another prompt: the base.
    assert choose(None, "llamacpp", ["sst"], None) == (None, "v1")
    assert choose("default", "llamacpp", ["semeval-ec", "sst"], None) == ("default", "v1")
    assert choose(None, "llamacpp", ["semeval-ec"], "v1") == (None, "v1")
    # Named models are kept; the tuned one brings its prompt unless another is asked for.
    assert choose("emolab", "llamacpp", ["sst"], None) == ("emolab", "compact")
    assert choose("emolab", "llamacpp", ["sst"], "v1") == ("emolab", "v1")
    assert choose("base", "llamacpp", ["semeval-ec"], None) == ("base", "v1")
    assert choose("my.gguf", "llamacpp", ["semeval-ec"], None) == ("my.gguf", "v1")
    # A server runs what it serves: its model name is never replaced.
    assert choose("gpt-x", "openai", ["semeval-ec"], None) == ("gpt-x", "v1")


def test_without_a_shipped_model_the_base_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(tuned, "CARD", tmp_path / "missing.json")
    assert tuned.choose(None, "llamacpp", ["semeval-ec"], None) == (None, "v1")
    with pytest.raises(EmolabError, match="no tuned model"):
        tuned.merged_gguf()


def test_a_card_naming_a_missing_adapter_says_so(tmp_path, monkeypatch):
    card = install_card(monkeypatch, tmp_path)
    (tmp_path / "fake.gguf").unlink()
    with pytest.raises(EmolabError, match=r"fake\.gguf named by .*card\.json is missing"):
        tuned.shipped()
    assert card.is_file()


def test_merged_once_then_reused_and_a_new_adapter_is_merged_anew(tmp_path, monkeypatch):
    from train_support import fake_run

    from emolab.train.export_lora import export_lora

    monkeypatch.setenv("EMOLAB_CACHE", str(tmp_path / "cache"))
    run, _ = fake_run(tmp_path, rank=4, alpha=8)
    adapter = export_lora(run, tmp_path / "card" / "adapter.gguf", echo=lambda _: None)
    install_card(monkeypatch, tmp_path / "card", adapter=adapter)
    said: list[str] = []
    first = tuned.merged_gguf(echo=said.append)
    assert first.is_file() and first.parent == tmp_path / "cache" / "models"
    assert any("first use" in line for line in said)
    stamp = first.stat().st_mtime_ns
    said.clear()
    assert tuned.merged_gguf(echo=said.append) == first and said == []
    assert first.stat().st_mtime_ns == stamp  # not written again

    other_run, _ = fake_run(tmp_path / "other", rank=4, alpha=16)
    export_lora(other_run, adapter, echo=lambda _: None)  # a new adapter in the same place
    tuned.shipped.cache_clear()
    second = tuned.merged_gguf(echo=said.append)
    assert second != first and second.is_file()


def test_a_tuned_model_for_another_base_is_refused(tmp_path, monkeypatch):
    install_card(monkeypatch, tmp_path, base_file="SmolLM2-360M-Instruct.Q8_0.gguf")
    with pytest.raises(EmolabError, match="trained on SmolLM2-360M"):
        tuned.merged_gguf()


@pytest.mark.slow
def test_classify_answers_with_the_shipped_tuned_model_unless_told_otherwise(tmp_path,
                                                                            monkeypatch):
    """The README's first command: the tuned model answers, merged on first use, with the
    compact prompt, for every task family it was trained on; `--model base` and a task it
    does not know get the untuned SmolLM2 with the long prompt."""
    pytest.importorskip("llama_cpp")
    from typer.testing import CliRunner

    from emolab.cli.main import app

    model = tuned.shipped()
    assert model is not None, "the package ships no tuned model card"
    monkeypatch.setenv("EMOLAB_CACHE", str(tmp_path / "cache"))  # merged here, from scratch
    monkeypatch.setenv("COLUMNS", "250")  # keep the footer line whole
    runner = CliRunner()
    asks = {"semeval-ec": [], "ei-reg": ["--emotion", "anger"], "ei-oc": ["--emotion", "joy"],
            "v-reg": [], "v-oc": [], "dair-emotion": []}
    assert set(asks) == set(model.tasks)
    for task, extra in asks.items():
        result = runner.invoke(app, ["classify", "I can't believe we finally won the cup!!",
                                     "--task", task, *extra])
        assert result.exit_code == 0, result.output
        assert "emolab-" in result.output and "prompt compact" in result.output, result.output
    merged = list((tmp_path / "cache" / "models").glob("emolab-*.q8_0.gguf"))
    assert len(merged) == 1  # merged once, reused for the other five tasks

    for args in (["--model", "base"], ["--task", "sst"]):
        result = runner.invoke(app, ["classify", "What a lovely day", *args])
        assert result.exit_code == 0, result.output
        assert "SmolLM2-135M-Instruct" in result.output and "prompt v1" in result.output
