"""``emolab export-gguf``: a HF llama folder written back as a GGUF on the base model's template.

The untuned base folder is the embedded GGUF dequantized by transformers, so exporting it as
f32 must give back the template's dequantized tensors exactly: that checks the names, the
shapes and the q/k permutation all at once. The model-running tests then check that llama.cpp
on the export answers like transformers on the folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.train.export_check import check_agreement
from emolab.train.export_gguf import export_gguf, to_interleaved_rows

# Short texts keep the model-running tests inside their time budget.
TEXTS = ["I can't believe we finally won the cup!!",
         "My dog died this morning and the house is so quiet.",
         "How dare they lie to me again?"]


@pytest.fixture(scope="session")
def base_folder() -> Path:
    from emolab.models import hf_folder, resolve_model

    return hf_folder(resolve_model("default"))  # converted once, then cached


@pytest.fixture(scope="session")
def template() -> Path:
    from emolab.models import default_gguf

    return default_gguf()


@pytest.fixture(scope="session")
def f32_export(base_folder, tmp_path_factory) -> Path:
    return export_gguf(base_folder, tmp_path_factory.mktemp("export") / "base-f32.gguf",
                       outtype="f32", echo=lambda _: None)


def fake_run(tmp_path: Path, merged: Path) -> Path:
    """A run folder as ``emolab train`` leaves it, its merged model being ``merged``."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "merged").symlink_to(merged, target_is_directory=True)
    (run / "manifest.json").write_text(json.dumps({"config": {"model": "default"}}))
    return run


def test_the_permutation_makes_rotation_pairs_adjacent():
    # 2 heads of 4 rows: HF pairs rows (0,2), (1,3) of a head; llama.cpp wants them adjacent.
    hf = np.arange(8, dtype=np.float32).reshape(8, 1)
    assert to_interleaved_rows(hf, 2).ravel().tolist() == [0, 2, 1, 3, 4, 6, 5, 7]


def test_f32_export_gives_back_the_template(f32_export, template):
    from gguf import GGUFReader
    from gguf.quants import dequantize

    from emolab.models.gguf_file import read_template

    base, ours = read_template(template), GGUFReader(f32_export)
    assert [t.name for t in ours.tensors] == [t.name for t in base.tensors]
    assert "output.weight" not in {t.name for t in ours.tensors}  # tied, as in SmolLM2
    for theirs, mine in zip(base.tensors, ours.tensors, strict=True):
        expected = dequantize(theirs.data, theirs.tensor_type).reshape(mine.data.shape)
        np.testing.assert_allclose(mine.data, expected, rtol=0, atol=1e-6, err_msg=mine.name)

    keys = {k for k in base.fields if not k.startswith("GGUF.")}
    assert keys == {k for k in ours.fields if not k.startswith("GGUF.")}
    for key in keys - {"general.file_type"}:
        assert ours.fields[key].contents() == base.fields[key].contents(), key
    assert ours.fields["general.file_type"].contents() == 0  # ALL_F32


def test_a_failed_write_leaves_no_file(tmp_path, base_folder, monkeypatch):
    def broken(array, outtype):
        raise RuntimeError("killed")

    monkeypatch.setattr("emolab.train.export_gguf.encode", broken)
    with pytest.raises(RuntimeError, match="killed"):
        export_gguf(base_folder, tmp_path / "m.gguf", echo=lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_weights_is_refused(tmp_path, template):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(EmolabError, match=r"no \*\.safetensors"):
        export_gguf(tmp_path, tmp_path / "m.gguf", template=template, echo=lambda _: None)


def test_an_unknown_base_asks_for_a_template(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EmolabError, match=r"--template BASE\.gguf"):
        export_gguf(tmp_path, echo=lambda _: None)


def small_template(path: Path, *, embed_shape: tuple[int, int], n_tokens: int | None) -> Path:
    """A llama GGUF with SmolLM2's head counts and one embedding tensor."""
    from gguf import GGUFWriter

    writer = GGUFWriter(path, "llama")
    writer.add_uint32("llama.attention.head_count", 9)
    writer.add_uint32("llama.attention.head_count_kv", 3)
    if n_tokens is not None:
        writer.add_array("tokenizer.ggml.tokens", [f"t{i}" for i in range(n_tokens)])
    writer.add_tensor("token_embd.weight", np.zeros(embed_shape, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_a_template_of_another_shape_is_refused(tmp_path, base_folder):
    other = small_template(tmp_path / "other.gguf", embed_shape=(49152, 64), n_tokens=None)
    with pytest.raises(EmolabError, match=r"token_embd.weight is \(49152, 576\).*\(49152, 64\)"):
        export_gguf(base_folder, tmp_path / "m.gguf", template=other, echo=lambda _: None)
    fewer = small_template(tmp_path / "fewer.gguf", embed_shape=(8, 576), n_tokens=8)
    with pytest.raises(EmolabError, match=r"49152 embedding rows .* 8 tokens"):
        export_gguf(base_folder, tmp_path / "m.gguf", template=fewer, echo=lambda _: None)
    assert not (tmp_path / "m.gguf").exists()


@pytest.mark.slow
def test_the_export_answers_in_the_schema_on_llamacpp(f32_export):
    pytest.importorskip("xllamacpp")
    from emolab.backends.llamacpp import LlamaCppBackend
    from emolab.classify.runner import Classifier
    from emolab.data import get_dataset

    with LlamaCppBackend(str(f32_export), n_threads=2) as backend:
        # A short explanation cap: the untuned model repeats itself up to any cap given.
        classifier = Classifier(backend, get_dataset("semeval-ec").label_set,
                                max_explanation_chars=60)
        result = classifier.classify(TEXTS[0])
    assert result.best.schema_valid, result.best.raw
    assert set(result.best.parsed["multiple_emotions_present"]) <= set(
        get_dataset("semeval-ec").labels)


@pytest.mark.slow
def test_llamacpp_on_the_export_decodes_like_transformers(base_folder, f32_export):
    """Greedy, 32 tokens. Measured on llama.cpp through xllamacpp: the first 90 characters
    agree on 2 of the 3 texts (one is identical, one ends a token later at the 32-token cap,
    as llguidance splits the forced text into other tokens); the third parts after 45
    characters. A wrong q/k permutation scrambles attention and shares no answer."""
    pytest.importorskip("xllamacpp")
    from emolab.data import get_dataset

    result = check_agreement(base_folder, f32_export, TEXTS, get_dataset("semeval-ec").label_set,
                             max_tokens=32)
    assert result["n"] == 3
    agree = [row["transformers"]["raw"][:90] == row["llamacpp"]["raw"][:90]
             for row in result["rows"]]
    assert sum(agree) >= 2, result["rows"]
    assert set(result["seconds_per_text"]) == {"transformers", "llamacpp"}
    assert result["tokens_per_second"]["llamacpp"] > 0


def test_the_command_exports_a_run_as_q8_0_and_refuses_an_unknown_type(tmp_path, base_folder):
    from gguf import GGMLQuantizationType, GGUFReader
    from typer.testing import CliRunner

    from emolab.cli.main import app

    run = fake_run(tmp_path, base_folder)
    bad = CliRunner().invoke(app, ["export-gguf", str(run), "--type", "q2"])
    assert bad.exit_code != 0 and "unknown output type" in str(bad.exception)
    good = CliRunner().invoke(app, ["export-gguf", str(run)])
    assert good.exit_code == 0, good.output
    out = run / "model-q8_0.gguf"  # the default type and place; template from the manifest
    assert "wrote" in good.output
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json", "merged", out.name]
    reader = GGUFReader(out)
    types = {t.name: t.tensor_type for t in reader.tensors}
    assert types["blk.0.attn_q.weight"] == GGMLQuantizationType.Q8_0
    assert types["blk.0.attn_norm.weight"] == GGMLQuantizationType.F32  # 1-D stays f32
    assert reader.fields["general.file_type"].contents() == 7  # MOSTLY_Q8_0


def test_the_template_of_a_run_trained_on_a_run_is_the_first_base(tmp_path, template):
    from emolab.models.runs import find_template

    first = tmp_path / "first"
    (first / "merged").mkdir(parents=True)
    (first / "manifest.json").write_text(json.dumps({"config": {"model": "default"}}))
    second = tmp_path / "second"
    second.mkdir()
    (second / "manifest.json").write_text(json.dumps({"config": {"model": str(first)}}))
    assert find_template(second) == template
    (first / "manifest.json").write_text(json.dumps({"config": {"model": "elsewhere"}}))
    assert find_template(second) is None


def test_check_classifies_the_first_dev_tweets_and_prints_a_table(tmp_path, monkeypatch,
                                                                   real_data_dir):
    from typer.testing import CliRunner

    from emolab.cli.main import app

    seen = {}

    def fake_check(folder, gguf, texts, labels, **options):
        seen.update(folder=folder, texts=texts, labels=labels.name)
        return {"n": len(texts), "same_raw": 1.0, "same_answer": 0.5, "same_labels": 1.0,
                "valid": {"transformers": 1.0, "llamacpp": 1.0},
                "seconds_per_text": {"transformers": 6.0, "llamacpp": 1.5},
                "tokens_per_second": {"transformers": 15.0, "llamacpp": 70.0}}

    monkeypatch.setattr("emolab.train.export_gguf.export_gguf",
                        lambda run, out, **options: tmp_path / "m.gguf")
    monkeypatch.setattr("emolab.train.export_check.check_agreement", fake_check)
    (tmp_path / "config.json").write_text("{}")
    result = CliRunner().invoke(app, ["export-gguf", str(tmp_path), "--check", "2",
                                      "--data-dir", str(real_data_dir)])
    assert result.exit_code == 0, result.output
    assert len(seen["texts"]) == 2 and seen["folder"] == tmp_path
    assert "same parsed answer" in result.output and "50%" in result.output
