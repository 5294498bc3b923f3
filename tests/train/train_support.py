"""Small preference pairs and fake LoRA adapters the training tests write themselves."""

from __future__ import annotations

import json
from pathlib import Path

# Short texts with a clear emotion (DAIR AI labels); the rejected answer names a wrong one.
TEXTS = [
    ("I finally got the job, I can't stop smiling!", "joy", "sadness"),
    ("My dog died this morning and the house is so quiet.", "sadness", "joy"),
    ("How dare they lie to me again?", "anger", "joy"),
    ("Someone is following me down the dark street.", "fear", "love"),
    ("Wow, I did not expect a party for me at all!", "surprise", "anger"),
    ("I love our slow evenings together.", "love", "fear"),
]
SYSTEM = "Name the emotions of the text. Answer with JSON."


def answer(emotion: str) -> str:
    return json.dumps({"explanation": f"The words show {emotion}.",
                       "most_prominent_emotion": emotion,
                       "multiple_emotions_present": [emotion]})


def pair(text: str, good: str, bad: str, index: int) -> dict:
    return {"prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
            "chosen": [{"role": "assistant", "content": answer(good)}],
            "rejected": [{"role": "assistant", "content": answer(bad)}],
            "id": f"t{index}", "source": "test"}


def make_pairs(n: int = len(TEXTS)) -> list[dict]:
    return [pair(*TEXTS[i % len(TEXTS)], i) for i in range(n)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# -- fake PEFT adapters for the embedded model's shapes ------------------------------------

Q = "base_model.model.model.layers.0.self_attn.q_proj.lora_{}.weight"
V = "base_model.model.model.layers.0.self_attn.v_proj.lora_{}.weight"
DOWN = "base_model.model.model.layers.1.mlp.down_proj.lora_{}.weight"
SHAPES = {Q: (576, 576), V: (192, 576), DOWN: (576, 1536)}  # (out, in) of SmolLM2-135M
SMOLLM2_HEADS = 9


def fake_adapter(folder: Path, *, rank: int = 4, alpha: int = 8, **config) -> dict:
    """A PEFT adapter folder for three of the embedded model's weights, random A and B."""
    import torch
    from safetensors.torch import save_file

    gen = torch.Generator().manual_seed(0)
    tensors = {}
    for name, (rows, cols) in SHAPES.items():
        tensors[name.format("A")] = torch.randn(rank, cols, generator=gen)
        tensors[name.format("B")] = torch.randn(rows, rank, generator=gen)
    folder.mkdir(parents=True)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    settings = {"peft_type": "LORA", "r": rank, "lora_alpha": alpha, "use_rslora": False,
                "use_dora": False, "modules_to_save": None, **config}
    (folder / "adapter_config.json").write_text(json.dumps(settings))
    return {k: v.numpy() for k, v in tensors.items()}


def fake_run(tmp_path: Path, **config) -> tuple[Path, dict]:
    run = tmp_path / "run"
    tensors = fake_adapter(run / "adapter", **config)
    (run / "manifest.json").write_text(json.dumps({"config": {"model": "default"}}))
    return run, tensors


def read_gguf(path: Path) -> tuple[dict, dict]:
    """(metadata without the GGUF.* header fields, {tensor name: tensor}) of a GGUF file."""
    from gguf import GGUFReader

    reader = GGUFReader(path)
    fields = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    return fields, {t.name: t for t in reader.tensors}
