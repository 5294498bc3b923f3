"""``emolab export-gguf RUN --lora``: a PEFT adapter written as a GGUF LoRA for llama.cpp.

The fast tests build small fake adapters for the embedded model's shapes and check the file
(names, shapes, alpha, the q/k row order, refused settings) and how a run folder resolves.
The slow test trains a few real SFT steps and checks that llama.cpp on base + the exported
adapter answers like llama.cpp on the merged model exported as f32, while the same adapter
written without the q/k permutation does not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from train_support import DOWN, SMOLLM2_HEADS, Q, V, fake_run, make_pairs, write_jsonl
from train_support import read_gguf as read

from emolab.errors import EmolabError
from emolab.train.export_gguf import to_interleaved_rows
from emolab.train.export_lora import export_lora


@pytest.fixture(scope="module")
def template() -> Path:
    from emolab.models import default_gguf

    return default_gguf()


def test_the_adapter_file_is_what_llamacpp_reads(tmp_path, template):
    from gguf import GGMLQuantizationType

    run, tensors = fake_run(tmp_path)
    out = export_lora(run, echo=lambda _: None)
    assert out == run / "adapter-f16.gguf"  # the default type and place
    fields, written = read(out)
    assert fields["general.type"] == "adapter" and fields["adapter.type"] == "lora"
    assert fields["general.architecture"] == "llama"
    assert fields["adapter.lora.alpha"] == pytest.approx(8.0)
    assert sorted(written) == sorted(f"{base}.{half}" for base in
                                     ("blk.0.attn_q.weight", "blk.0.attn_v.weight",
                                      "blk.1.ffn_down.weight") for half in ("lora_a", "lora_b"))
    # GGUF lists dimensions innermost first: A is ne (in, r), B is ne (r, out).
    assert tuple(written["blk.1.ffn_down.weight.lora_a"].shape) == (1536, 4)
    assert tuple(written["blk.1.ffn_down.weight.lora_b"].shape) == (4, 576)
    assert written["blk.0.attn_q.weight.lora_a"].tensor_type == GGMLQuantizationType.F16

    def array(name):
        return np.asarray(written[name].data, dtype=np.float32)

    # q's B rows follow llama.cpp's rotary order; A, and v (no rotation), stay as PEFT has them.
    np.testing.assert_allclose(array("blk.0.attn_q.weight.lora_b"),
                               to_interleaved_rows(tensors[Q.format("B")], SMOLLM2_HEADS),
                               rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(array("blk.0.attn_q.weight.lora_a"), tensors[Q.format("A")],
                               rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(array("blk.0.attn_v.weight.lora_b"), tensors[V.format("B")],
                               rtol=1e-3, atol=1e-3)


def test_rslora_and_alpha_patterns_are_folded_into_b(tmp_path):
    run, tensors = fake_run(tmp_path, rank=4, alpha=8, use_rslora=True,
                            alpha_pattern={"down_proj": 2})
    out = export_lora(run, tmp_path / "adapter-f32.gguf", outtype="f32", echo=lambda _: None)
    fields, written = read(out)
    alpha = fields["adapter.lora.alpha"]
    assert alpha == pytest.approx(8 * 2)  # alpha·sqrt(r): llama.cpp's alpha / r = 8 / sqrt(4)
    # PEFT scales down_proj by 2 / sqrt(4) = 1 and llama.cpp by alpha / r = 4: B is / 4 ...
    b = np.asarray(written["blk.1.ffn_down.weight.lora_b"].data)
    np.testing.assert_allclose(b * alpha / 4, tensors[DOWN.format("B")] * 1.0, rtol=1e-6)
    # ... and v_proj by 8 / sqrt(4) = 4 both ways: B as it is.
    b = np.asarray(written["blk.0.attn_v.weight.lora_b"].data)
    np.testing.assert_allclose(b, tensors[V.format("B")], rtol=1e-6)


@pytest.mark.parametrize(("config", "message"), [
    ({"use_dora": True}, "DoRA"),
    ({"modules_to_save": ["lm_head"]}, "modules_to_save"),
    ({"peft_type": "IA3"}, "only LoRA"),
])
def test_settings_a_gguf_lora_cannot_hold_are_refused(tmp_path, config, message):
    run, _ = fake_run(tmp_path, **config)
    with pytest.raises(EmolabError, match=message):
        export_lora(run, echo=lambda _: None)
    assert not list(run.glob("*.gguf"))


def test_a_lone_half_or_a_foreign_shape_is_refused(tmp_path):
    from safetensors.torch import load_file, save_file

    run, _ = fake_run(tmp_path)
    weights = run / "adapter" / "adapter_model.safetensors"
    tensors = load_file(str(weights))
    del tensors[V.format("B")]
    save_file(tensors, str(weights))
    with pytest.raises(EmolabError, match="v_proj has lora_A but not its pair"):
        export_lora(run, echo=lambda _: None)
    tensors[V.format("B")] = tensors[Q.format("B")].clone()  # 576 rows where v has 192
    save_file(tensors, str(weights))
    with pytest.raises(EmolabError, match=r"not an adapter of this model"):
        export_lora(run, echo=lambda _: None)


def test_unknown_type_and_a_folder_without_adapter(tmp_path):
    run, _ = fake_run(tmp_path)
    with pytest.raises(EmolabError, match="unknown adapter type 'q8_0'"):
        export_lora(run, outtype="q8_0", echo=lambda _: None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmolabError, match=r"adapter_config\.json"):
        export_lora(tmp_path / "empty", echo=lambda _: None)


def test_a_run_folder_resolves_to_base_plus_its_adapter(tmp_path, template):
    import os

    from emolab.models import resolve_model

    run, _ = fake_run(tmp_path)
    adapter = export_lora(run, echo=lambda _: None)
    ref = resolve_model(run, prefer="gguf")
    assert (ref.path, ref.format, ref.adapter) == (template, "gguf", adapter)
    # a merged export written later is the newest GGUF: it wins, without the adapter
    merged = run / "model-q8_0.gguf"
    merged.write_bytes(b"")
    os.utime(merged, (adapter.stat().st_mtime + 5,) * 2)
    assert (resolve_model(run, prefer="gguf").path, resolve_model(run, prefer="gguf").adapter) \
        == (merged, None)
    # an explicit adapter goes on a GGUF model, not on a Hugging Face folder
    assert resolve_model("default", adapter=adapter).adapter == adapter
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}")
    with pytest.raises(EmolabError, match="runs on a GGUF model"):
        resolve_model(tmp_path / "hf", adapter=adapter)
    with pytest.raises(EmolabError, match=r"is not a \.gguf file"):
        resolve_model("default", adapter=tmp_path / "missing.gguf")


def test_the_backend_refuses_a_model_file_as_adapter(tmp_path, template):
    pytest.importorskip("xllamacpp")
    from emolab.backends.llamacpp import LlamaCppBackend

    with pytest.raises(EmolabError, match="not a GGUF LoRA adapter"):
        LlamaCppBackend("default", adapter=str(template))


def test_the_command_writes_the_adapter_and_refuses_check_elsewhere(tmp_path):
    from typer.testing import CliRunner

    from emolab.cli.main import app

    run, _ = fake_run(tmp_path)
    result = CliRunner().invoke(app, ["export-gguf", str(run), "--lora", "--type", "f32"])
    assert result.exit_code == 0, result.output
    assert (run / "adapter-f32.gguf").is_file() and "wrote" in result.output
    elsewhere = CliRunner().invoke(app, ["export-gguf", str(run), "--lora", "--check", "2",
                                         "--out", str(tmp_path / "x.gguf")])
    assert elsewhere.exit_code != 0 and not (tmp_path / "x.gguf").exists()


# -- a real run -------------------------------------------------------------------------------

PROMPTS = ["I finally got the job, I can't stop smiling!",
           "My dog died this morning and the house is so quiet.",
           "How dare they lie to me again?",
           "I can't believe we finally won the cup!!",
           "The exam is tomorrow and I have not studied at all."]


TOP = 100  # log-probabilities the server lists for the first answer token


def last_logits(backend, messages: list[dict]) -> dict[str, float]:
    """The log-probabilities of the first answer token's most likely candidates, after the
    chat-formatted prompt, as llama.cpp's server reports them (one forward pass)."""
    response = backend._server.handle_chat_completions({
        "messages": messages, "max_tokens": 1, "temperature": 0, "logprobs": True,
        "top_logprobs": TOP, "cache_prompt": False})
    [first] = response["choices"][0]["logprobs"]["content"]
    return {c["token"]: c["logprob"] for c in first["top_logprobs"]}


def answers(model: Path | str, adapter: Path | None, messages: list[list[dict]],
            max_tokens: int) -> tuple[list[str], list[dict[str, float]]]:
    from emolab.backends.base import SamplingParams
    from emolab.backends.llamacpp import LlamaCppBackend

    with LlamaCppBackend(str(model), adapter=adapter and str(adapter), n_ctx=256,
                         n_threads=2, seed=0) as backend:
        logits = [last_logits(backend, m) for m in messages]
        texts = [backend.generate(m, params=SamplingParams(temperature=0.0,
                                                           max_tokens=max_tokens))[0].text
                 for m in messages] if max_tokens else []
    return texts, logits


@pytest.mark.slow
def test_base_plus_exported_lora_decodes_like_the_merged_export(tmp_path, monkeypatch):
    """Measured on a 3-step run (lr 3e-3, these 5 prompts): base f32 + LoRA (f32 or f16) gave
    the merged f32's 40 greedy tokens on 5 of 5 prompts, the LoRA without the q/k permutation
    on 2 of 5. Largest gap in the first answer token's logits from the merged model's: 0.0096
    for the adapter, 2.0 without the permutation, 11.6 for the untuned base (f16 KV cache
    rounding keeps the faithful gap above float32 precision)."""
    pytest.importorskip("xllamacpp")
    from train_support import SYSTEM

    from emolab.models import hf_folder, resolve_model
    from emolab.train import export_lora as exporter
    from emolab.train.config import TrainConfig
    from emolab.train.export_gguf import export_gguf
    from emolab.train.run import train

    # A high learning rate so that two steps visibly change the model.
    run = tmp_path / "run"
    train(TrainConfig(method="sft", pairs=str(write_jsonl(tmp_path / "p.jsonl", make_pairs(4))),
                      out=str(run), max_steps=2, batch_size=1, grad_accum=1, max_length=128,
                      eval_share=0.0, save_steps=100, progress=False, learning_rate=5e-3),
          echo=lambda _: None)
    quiet = {"echo": lambda _: None}
    merged = export_gguf(run, tmp_path / "merged-f32.gguf", outtype="f32", **quiet)
    # The f32 base: the weights the adapter was trained on, unrounded (the embedded base is
    # Q4_1, whose matrix products differ from f32's by more than the adapter's rounding).
    base = export_gguf(hf_folder(resolve_model("default")), tmp_path / "base-f32.gguf",
                       outtype="f32", **quiet)
    lora = export_lora(run, outtype="f32", **quiet)
    plan = exporter.plan_pairs
    monkeypatch.setattr(exporter, "plan_pairs", lambda *a: [
        exporter.Pair(p.name, p.a, p.b, None, p.factor) for p in plan(*a)])
    unpermuted = export_lora(run, tmp_path / "adapter-unpermuted.gguf", outtype="f32", **quiet)

    messages = [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]
                for text in PROMPTS]
    want, want_logits = answers(merged, None, messages, max_tokens=16)
    got, got_logits = answers(base, lora, messages, max_tokens=16)
    _, bad_logits = answers(base, unpermuted, messages, max_tokens=0)
    _, base_logits = answers(base, None, messages, max_tokens=0)

    def gap(logits):
        """Largest log-probability gap on the merged model's 20 likeliest first tokens (a
        token the other model does not list among its 100 counts as a gap of 10)."""
        gaps = []
        for theirs, ours in zip(logits, want_logits, strict=True):
            top = sorted(ours, key=ours.get, reverse=True)[:20]
            gaps += [abs(theirs[t] - ours[t]) if t in theirs else 10.0 for t in top]
        return max(gaps)

    assert got == want, list(zip(got, want, strict=True))
    assert gap(got_logits) < 0.05
    assert gap(base_logits) > 0.5  # training moved the model: the checks above mean something
    assert gap(bad_logits) > 0.5 and gap(bad_logits) > 20 * gap(got_logits), (
        gap(bad_logits), gap(got_logits))
