"""Folding a GGUF LoRA into its base GGUF (``emolab.models.merge_lora``), the way the shipped
tuned model is merged on first use: the adapted tensors are W + (alpha / r) B A, the others and
the metadata are the base's own bytes, and foreign files are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from train_support import SMOLLM2_HEADS, Q, V, fake_run
from train_support import read_gguf as tensors

from emolab.errors import EmolabError
from emolab.models.gguf_file import numpy_shape
from emolab.models.merge_lora import merge_lora
from emolab.train.export_gguf import to_interleaved_rows
from emolab.train.export_lora import export_lora

QUIET = {"echo": lambda _: None}


@pytest.fixture(scope="module")
def base() -> Path:
    from emolab.models import default_gguf

    return default_gguf()


def dequantized(tensor) -> np.ndarray:
    from gguf import quants

    return quants.dequantize(tensor.data, tensor.tensor_type).reshape(numpy_shape(tensor))


def test_adapted_tensors_get_the_update_and_the_rest_is_copied(tmp_path, base):
    from gguf import GGMLQuantizationType

    run, peft = fake_run(tmp_path, rank=4, alpha=8)
    adapter = export_lora(run, outtype="f32", **QUIET)
    out = merge_lora(base, adapter, tmp_path / "merged.gguf", **QUIET)
    base_fields, base_tensors = tensors(base)
    fields, merged = tensors(out)

    assert sorted(merged) == sorted(base_tensors)  # same tensors, same names
    assert fields["general.file_type"] == 7  # mostly Q8_0
    for key in ("tokenizer.chat_template", "llama.attention.head_count", "general.name"):
        assert fields[key] == base_fields[key]
    # Untouched tensors: the base's bytes and type (the Q8_0 embeddings, an F32 norm, a Q4_1
    # weight of a layer the fake adapter does not adapt).
    for name in ("token_embd.weight", "blk.0.attn_norm.weight", "blk.2.ffn_up.weight"):
        assert merged[name].tensor_type == base_tensors[name].tensor_type
        assert np.array_equal(np.asarray(merged[name].data), np.asarray(base_tensors[name].data))
    # Adapted ones: Q8_0 of W + (alpha / r) B A, with B's rows of q in llama.cpp's rotary order.
    scale = 8 / 4
    for name, key, heads in (("blk.0.attn_q.weight", Q, SMOLLM2_HEADS),
                             ("blk.0.attn_v.weight", V, None)):
        b = peft[key.format("B")]
        b = to_interleaved_rows(b, heads) if heads else b
        want = dequantized(base_tensors[name]) + scale * b @ peft[key.format("A")]
        got = dequantized(merged[name])
        assert merged[name].tensor_type == GGMLQuantizationType.Q8_0
        # Q8_0 keeps 8 bits per value and a scale per 32: well within 1% of the largest value.
        assert np.abs(got - want).max() < 0.01 * np.abs(want).max()
        assert np.abs(got - dequantized(base_tensors[name])).max() > 1.0  # the update is there


def test_foreign_files_are_refused(tmp_path, base):
    with pytest.raises(EmolabError, match="not a GGUF LoRA adapter"):
        merge_lora(base, base, tmp_path / "x.gguf", **QUIET)  # a model is not an adapter
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF not really")
    with pytest.raises(EmolabError, match="not a readable GGUF"):
        merge_lora(base, broken, tmp_path / "y.gguf", **QUIET)
    assert not list(tmp_path.glob(".*partial")) and not (tmp_path / "x.gguf").exists()
