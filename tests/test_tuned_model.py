"""Which model answers when the user names none (``emolab.models.policy.choose_model``), and the tuned model
merged once on first use and cached (``emolab.models.tuned.merged_gguf``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.models import tuned
from emolab.models.policy import choose_model

sys.path.insert(0, str(Path(__file__).parent / "train"))  # the fake adapters of the train tests


def install_card(monkeypatch, folder: Path, *, adapter: Path | None = None,
                 base_file: str = "SmolLM2-135M-Instruct.Q4_1.gguf",
                 readout: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if adapter is None:
        adapter = folder / "fake.gguf"
        adapter.write_bytes(b"not read by choose()")
    card = folder / "card.json"
    card.write_text(json.dumps({"name": "emolab", "adapter": adapter.name, "base_file": base_file,
                                "prompt_version": "compact",
                                "tasks": ["semeval-ec", "ei-reg", "v-reg"],
                                **({"readout": readout} if readout else {})}))
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
    def choose(*args):
        return tuple(choose_model(*args)[:2])

    assert choose(None, "llamacpp", ["semeval-ec"], None) == ("emolab", "compact")
    assert choose("default", "transformers", ["ei-reg", "v-reg"], None) == ("emolab", "compact")
    assert choose_model(None, "llamacpp", ["semeval-ec"]).tuned
    # A task it was not trained on, a job with one such task, or another prompt: the base.
    assert choose(None, "llamacpp", ["sst"], None) == (None, "v1")
    assert choose("default", "llamacpp", ["semeval-ec", "sst"], None) == ("default", "v1")
    assert choose(None, "llamacpp", ["semeval-ec"], "v1") == (None, "v1")
    assert not choose_model("default", "llamacpp", ["semeval-ec", "sst"]).tuned
    # A job that answers no task (train, probe, the demo) starts from the base.
    assert choose("default", "transformers", [], None) == ("default", "v1")
    # Named models are kept; the tuned one brings its prompt unless another is asked for.
    assert choose("emolab", "llamacpp", ["sst"], None) == ("emolab", "compact")
    assert choose("emolab", "llamacpp", ["sst"], "v1") == ("emolab", "v1")
    assert choose("base", "llamacpp", ["semeval-ec"], None) == ("base", "v1")
    assert choose("my.gguf", "llamacpp", ["semeval-ec"], None) == ("my.gguf", "v1")
    # A server runs what it serves: its model name is never replaced.
    assert choose("gpt-x", "openai", ["semeval-ec"], None) == ("gpt-x", "v1")


def test_without_a_shipped_model_the_base_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(tuned, "CARD", tmp_path / "missing.json")
    assert choose_model(None, "llamacpp", ["semeval-ec"]) == (None, "v1", False)
    with pytest.raises(EmolabError, match="no tuned model"):
        tuned.merged_gguf()


def test_a_card_naming_a_missing_adapter_says_so(tmp_path, monkeypatch):
    card = install_card(monkeypatch, tmp_path)
    (tmp_path / "fake.gguf").unlink()
    with pytest.raises(EmolabError, match=r"fake\.gguf named by .*card\.json is missing"):
        tuned.shipped()
    assert card.is_file()


def test_score_heads_named_by_the_card_must_be_fitted_on_its_adapter(tmp_path, monkeypatch):
    import numpy as np

    from emolab.readout import Head, Readout

    install_card(monkeypatch, tmp_path, readout="heads.json")
    with pytest.raises(EmolabError, match=r"heads\.json named by .*card\.json is missing"):
        tuned.shipped()
    heads = Readout({"v-reg:valence": Head(np.zeros(2, np.float32), 0.5)}, "f", "0" * 12, {})
    heads.save(tmp_path / "heads.json")
    tuned.shipped.cache_clear()
    with pytest.raises(EmolabError, match=r"fitted on adapter 000000000000.*emolab train heads"):
        tuned.checked_readout(tuned.shipped())
    heads.model_digest = tuned.adapter_digest(tuned.shipped())
    heads.save(tmp_path / "heads.json")
    tuned.shipped.cache_clear()
    assert tuned.checked_readout(tuned.shipped()) == tmp_path / "heads.json"


def test_a_labelling_run_records_the_tuned_weights_so_two_releases_never_mix(tmp_path,
                                                                             monkeypatch):
    import os

    from emolab.label.config import LabelConfig

    install_card(monkeypatch, tmp_path)
    tuned_run = LabelConfig(tasks="ec", model="emolab", prompt_version="compact")
    first = tuned_run.deciding(["semeval-ec"], "txt")["weights"]
    assert first == tuned.adapter_digest(tuned.shipped())
    # A new release's adapter: another fingerprint, so `label --resume` refuses to mix them.
    (tmp_path / "fake.gguf").write_bytes(b"another adapter")
    os.utime(tmp_path / "fake.gguf", ns=(1, 1))
    tuned.shipped.cache_clear()
    assert tuned_run.deciding(["semeval-ec"], "txt")["weights"] not in (None, first)
    # Score heads count too; the base's weights are the pinned package's, a server's unknown.
    (tmp_path / "heads.json").write_text("{}")
    install_card(monkeypatch, tmp_path, readout="heads.json")
    with_heads = tuned_run.deciding(["semeval-ec"], "txt")["weights"]
    assert with_heads.startswith(tuned.adapter_digest(tuned.shipped()) + "+")
    assert LabelConfig(tasks="ec", model="base").deciding(["semeval-ec"], "txt")["weights"] \
        is None
    served = LabelConfig(tasks="ec", model="emolab", base_url=["http://127.0.0.1:9"])
    assert served.deciding(["semeval-ec"], "txt")["weights"] is None


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
    pytest.importorskip("xllamacpp")
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


@pytest.mark.slow
def test_the_shipped_score_heads_answer_and_the_tuned_model_explains_their_answer(tmp_path,
                                                                                 monkeypatch):
    """Score and class tasks: the head reads the answer off the tuned model's hidden states,
    the schema pins it, and the explanation opens with it; readout=False leaves every answer
    to the model."""
    pytest.importorskip("xllamacpp")
    from emolab.backends.llamacpp import LlamaCppBackend
    from emolab.classify import Classifier
    from emolab.tasks import get_task

    monkeypatch.setenv("EMOLAB_CACHE", str(tmp_path / "cache"))
    text = "So angry the train was cancelled AGAIN, I hate this"
    with LlamaCppBackend("emolab") as engine:
        assert engine.readout is not None
        first, again = engine.embed([text, "what a lovely day"]), engine.embed([text])
        assert first.shape == (2, 576) and np.allclose(first[0], again[0], atol=1e-4)
        for name in ("ei-reg:anger", "ei-oc:joy", "v-reg", "v-oc"):
            task = get_task(name)
            result = Classifier(engine, task, prompt_version="compact").classify(text)
            value = result.extra["head_answer"]
            assert result.best.error is None, result.best.raw
            assert result.best.parsed[task.answer_key] == value
            assert result.best.parsed["explanation"].startswith(task.stated_opening(value))
        ec = Classifier(engine, get_task("semeval-ec"), prompt_version="compact").classify(text)
        assert ec.extra == {} and ec.best.error is None  # labels: the model's own answer
    with LlamaCppBackend("emolab", readout=False) as engine:
        assert engine.readout is None
        result = Classifier(engine, get_task("v-reg"), prompt_version="compact").classify(text)
        assert result.extra == {} and result.best.error is None
