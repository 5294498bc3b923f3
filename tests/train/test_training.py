"""Real LoRA training steps on the embedded SmolLM2-135M-Instruct through TRL's trainers.

Kept tiny (batch 1, max length 256, 2-3 steps) for the CI budget: they check the plumbing —
the adapter moved, the merged model loads and answers in the schema, a run resumes, a seed
repeats — not that two steps make a better model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from train_support import SYSTEM, make_pairs, pair, write_jsonl
from typer.testing import CliRunner

from emolab.cli.main import app
from emolab.errors import EmolabError
from emolab.labels import DAIR_EMOTION
from emolab.schemas import answer_model, answer_schema
from emolab.train.config import TrainConfig
from emolab.train.run import train

MESSAGES = [{"role": "system", "content": SYSTEM + " Emotions: " + ", ".join(DAIR_EMOTION.labels)},
            {"role": "user", "content": "I passed the exam, I am so happy!"}]


def tiny(method: str, pairs: Path, out: Path, **overrides) -> TrainConfig:
    settings = dict(method=method, pairs=str(pairs), out=str(out), max_steps=2, batch_size=1,
                    grad_accum=1, max_length=256, eval_share=0.0, save_steps=100,
                    progress=False)
    return TrainConfig(**{**settings, **overrides})


def metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def losses(out: Path) -> list[tuple[int, float]]:
    return [(row["step"], row["loss"]) for row in metrics(out) if "loss" in row]


def lora_b_tensors(adapter: Path) -> dict:
    from safetensors.torch import load_file

    weights = load_file(adapter / "adapter_model.safetensors")
    return {name: t for name, t in weights.items() if "lora_B" in name}


def assert_adapter_trained(adapter: Path) -> None:
    # PEFT starts every lora_B at zero, so a non-zero B is a weight the optimizer moved.
    tensors = lora_b_tensors(adapter)
    assert tensors, "no LoRA weights saved"
    untouched = [name for name, t in tensors.items() if not t.abs().sum() > 0]
    assert not untouched, f"{len(untouched)} of {len(tensors)} lora_B still zero"


def test_existing_checkpoints_need_resume(tmp_path, pairs_file):
    (tmp_path / "run" / "checkpoint-3").mkdir(parents=True)
    with pytest.raises(EmolabError, match="--resume"):
        train(tiny("sft", pairs_file, tmp_path / "run"), echo=lambda _: None)
    with pytest.raises(EmolabError, match="no checkpoint"):
        train(tiny("sft", pairs_file, tmp_path / "empty", resume=True), echo=lambda _: None)


def test_a_resumed_run_refuses_another_recipe(tmp_path, pairs_file):
    run = tmp_path / "run"
    (run / "checkpoint-3").mkdir(parents=True)
    tiny("sft", pairs_file, run).write_yaml(run / "config.yaml")  # what the first session kept
    with pytest.raises(EmolabError, match=r"lora_r: 16 -> 8.*--config"):
        train(tiny("sft", pairs_file, run, resume=True, lora_r=8), echo=lambda _: None)
    # How long and how often it checkpoints may change; the refusal above came before loading.
    from emolab.train.manifest import refuse_other_settings

    refuse_other_settings(run, tiny("sft", pairs_file, run, resume=True, max_steps=9,
                                    save_steps=3).resolved())


@pytest.mark.slow
def test_orpo_trains_merges_and_answers_in_schema(tmp_path):
    from transformers import AutoModelForCausalLM

    from emolab.backends.base import SamplingParams
    from emolab.backends.transformers import TransformersBackend

    too_long = pair("word " * 400, "joy", "anger", 99)
    pairs_file = write_jsonl(tmp_path / "pairs.jsonl", [*make_pairs(5), too_long])
    eval_file = write_jsonl(tmp_path / "eval.jsonl", make_pairs(6)[5:])
    out = tmp_path / "run"
    lines: list[str] = []
    result = train(tiny("orpo", pairs_file, out, eval_pairs=str(eval_file), eval_steps=2),
                   echo=lines.append)

    assert result["global_step"] == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["dropped_too_long"] == 1
    assert manifest["data"]["train_rows"] == 5 and manifest["data"]["eval_rows"] == 1
    assert manifest["data"]["train_sha256"] == hashlib.sha256(pairs_file.read_bytes()).hexdigest()
    assert manifest["hardware"]["optimizer"] == "adamw_torch"  # CPU: no 8-bit AdamW
    assert all(manifest["versions"][p] for p in ("torch", "transformers", "trl", "peft"))
    assert manifest["sessions"][0]["seconds"] > 0
    assert any("adamw_torch" in line for line in lines)
    assert any("dropped 1 training" in line for line in lines)
    assert [step for step, _ in losses(out)][-2:] == [1, 2]
    assert any("eval_loss" in row for row in metrics(out))
    assert TrainConfig.from_sources(out / "config.yaml", {}).lr == 2e-4

    assert_adapter_trained(out / "adapter")
    merged = AutoModelForCausalLM.from_pretrained(out / "merged")
    assert merged.config.model_type == "llama"
    del merged

    backend = TransformersBackend(out / "merged", n_threads=2)
    schema = answer_schema(DAIR_EMOTION, max_explanation_chars=120)
    [answer] = backend.generate(MESSAGES, schema=schema, params=SamplingParams(max_tokens=160))
    parsed = answer_model(DAIR_EMOTION, max_explanation_chars=120).model_validate_json(answer.text)
    assert parsed.most_prominent_emotion in DAIR_EMOTION.labels

    # The adapter folder is also a model for the backend: base + adapter, merged on load.
    import torch

    via_adapter = TransformersBackend(out / "adapter")
    ids = backend.tokenizer.apply_chat_template(MESSAGES, return_tensors="pt",
                                                return_dict=True)["input_ids"]
    with torch.inference_mode():
        a = backend.model(input_ids=ids).logits
        b = via_adapter.model(input_ids=ids).logits
    assert torch.allclose(a, b, atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["dpo", "sft"])
def test_dpo_and_sft_train_and_the_merged_model_answers(tmp_path, pairs_file, method):
    from emolab.backends.base import SamplingParams
    from emolab.backends.transformers import TransformersBackend

    out = tmp_path / "run"
    result = train(tiny(method, pairs_file, out), echo=lambda _: None)
    assert result["global_step"] == 2
    assert len(losses(out)) >= 2
    assert_adapter_trained(out / "adapter")
    backend = TransformersBackend(out / "merged")
    [answer] = backend.generate(MESSAGES, params=SamplingParams(max_tokens=12))
    assert answer.text.strip() and answer.completion_tokens > 0


@pytest.mark.slow
def test_sft_on_messages_rows(tmp_path):
    rows = [{"messages": p["prompt"] + p["chosen"]} for p in make_pairs(4)]
    out = tmp_path / "run"
    result = train(tiny("sft", write_jsonl(tmp_path / "m.jsonl", rows), out, max_steps=1,
                        merge=False), echo=lambda _: None)
    assert result["global_step"] == 1 and result["data"]["train_rows"] == 4
    assert_adapter_trained(out / "adapter")
    assert not (out / "merged").exists()


@pytest.mark.slow
def test_same_seed_same_loss_curve(tmp_path, pairs_file):
    curves = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        train(tiny("sft", pairs_file, tmp_path / name, seed=seed, merge=False),
              echo=lambda _: None)
        curves.append(losses(tmp_path / name))
    assert len(curves[0]) >= 2
    assert [s for s, _ in curves[0]] == [s for s, _ in curves[1]]
    assert [v for _, v in curves[0]] == pytest.approx([v for _, v in curves[1]], rel=1e-6)
    # and the seed matters (LoRA init, data order): otherwise the check above proves nothing
    assert [v for _, v in curves[2]] != pytest.approx([v for _, v in curves[0]], rel=1e-6)


@pytest.mark.slow
def test_resume_continues_from_the_last_checkpoint(tmp_path, pairs_file):
    import shutil

    out = tmp_path / "run"
    train(tiny("sft", pairs_file, out, save_steps=1, merge=False), echo=lambda _: None)
    # As if killed after logging step 2 but before its checkpoint was written.
    shutil.rmtree(out / "checkpoint-2")
    # A bare --resume takes the run's saved settings; --max-steps extends the run.
    result = CliRunner().invoke(app, ["train", "sft", "--out", str(out), "--resume",
                                      "--max-steps", "3"])
    assert result.exit_code == 0, result.output
    state = json.loads((out / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2
    assert sessions[1]["resumed_from"].endswith("checkpoint-1")
    assert sessions[1]["global_step"] == 3
    # step 2 ran twice, but the log keeps only the run that counts: one line per step
    steps = [step for step, _ in losses(out)]
    assert sorted(set(steps)) == [1, 2, 3] and steps.count(2) == 1 and steps.count(3) == 1


def test_init_adapter_must_be_an_adapter_folder(tmp_path, pairs_file):
    with pytest.raises(EmolabError, match="not a LoRA adapter folder"):
        train(tiny("sft", pairs_file, tmp_path / "run", init_adapter=str(tmp_path)),
              echo=lambda _: None)


@pytest.mark.slow
def test_init_adapter_trains_an_earlier_adapter_further(tmp_path, pairs_file):
    from safetensors.torch import load_file

    first = tmp_path / "first"
    train(tiny("sft", pairs_file, first, max_steps=1, merge=False), echo=lambda _: None)
    # A learning rate too small to move a weight: the adapter must come out as it went in,
    # rank and all, whatever the lora_* settings say (a fresh LoRA would have zero B).
    second = tmp_path / "second"
    notes = []
    train(tiny("sft", pairs_file, second, max_steps=1, merge=False, lora_r=4,
               learning_rate=1e-12, init_adapter=str(first / "adapter")), echo=notes.append)
    before = load_file(first / "adapter" / "adapter_model.safetensors")
    after = load_file(second / "adapter" / "adapter_model.safetensors")
    assert before.keys() == after.keys()
    assert all(torch_close(before[k], after[k]) for k in before)
    config = json.loads((second / "adapter" / "adapter_config.json").read_text())
    assert config["r"] == 16
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["config"]["init_adapter"] == str(first / "adapter")


def torch_close(a, b) -> bool:
    import torch

    return torch.allclose(a.float(), b.float(), atol=1e-6)
