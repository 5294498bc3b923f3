"""Pooling, padding, the cache key, and resuming a killed extraction, on tiny random models."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emolab.probing.activations import cache_key, extract, load_model, pool
from emolab.probing.store import ActivationStore

TEXTS = ["i am so happy today", "sad", "the dog lost my cat and it was a dark night", "love",
         "i hate the rain", "my friend won", "afraid of the dark", "glad"]
IDS = [f"t{i}" for i in range(len(TEXTS))]


def test_pool_known_answer_for_left_and_right_padding():
    hidden = torch.arange(2 * 4 * 1, dtype=torch.float32).reshape(2, 4, 1)  # values 0..7
    right = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    left = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    pooled = pool(hidden, right)
    assert pooled["mean"][:, 0].tolist() == [0.5, 5.5]
    assert pooled["last"][:, 0].tolist() == [1.0, 7.0]
    pooled = pool(hidden, left)
    assert pooled["mean"][:, 0].tolist() == [2.5, 5.5]
    assert pooled["last"][:, 0].tolist() == [3.0, 7.0]


def _single(loaded, text):
    batch = loaded.tokenizer([text], return_tensors="pt")
    with torch.inference_mode():
        states = loaded.model(**loaded.inputs(batch), output_hidden_states=True).hidden_states
    return {p: np.stack([pool(h, batch["attention_mask"])[p][0].numpy() for h in states])
            for p in ("mean", "last")}


@pytest.mark.parametrize("side", ["left", "right"])
def test_batched_decoder_matches_unpadded_forward(tmp_path, side, llama_factory):
    folder = llama_factory(tmp_path / "model", side)
    loaded = load_model(folder)
    assert loaded.is_decoder and loaded.n_layers == 4 and loaded.tokenizer.padding_side == side
    store, _, info = extract(loaded, folder, IDS, TEXTS, tmp_path / "cache", batch_size=4,
                             progress=False)
    assert info["rows"] == len(TEXTS) and store.complete
    for row in (1, 2):  # the shortest text (most padding) and the longest (none)
        alone = _single(loaded, TEXTS[row])
        for pooling in ("mean", "last"):
            stacked = np.stack([store.layer(i, pooling)[row] for i in range(store.n_layers)])
            np.testing.assert_allclose(stacked, alone[pooling], atol=1e-4)


def test_cache_reused_without_loading_the_model(tiny_bert, tmp_path):
    store, loaded, info = extract(None, tiny_bert, IDS, TEXTS, tmp_path, progress=False)
    assert not info["cached"] and loaded is not None
    again, loaded_again, info_again = extract(None, tiny_bert, IDS, TEXTS, tmp_path,
                                              progress=False)
    assert info_again["cached"] and loaded_again is None  # no weights touched
    assert again.root == store.root
    assert np.array_equal(again.layer(2, "last"), store.layer(2, "last"))
    names = sorted(p.name for p in store.root.glob("layers.*.npy"))
    assert names == sorted(f"layers.{i}.{p}.npy" for i in range(3) for p in ("mean", "last"))


def test_cache_key_changes_with_data_and_settings(tiny_bert):
    base = cache_key(tiny_bert, IDS, TEXTS, max_length=128)
    assert base == cache_key(tiny_bert, IDS, TEXTS, max_length=128)
    assert base != cache_key(tiny_bert, IDS, TEXTS, max_length=64)
    assert base != cache_key(tiny_bert, IDS, [*TEXTS[:-1], "other"], max_length=128)
    assert base != cache_key(tiny_bert, IDS, TEXTS, max_length=128, poolings=("mean",))


def test_killed_extraction_resumes_where_it_stopped(tiny_bert, tmp_path, monkeypatch):
    reference, loaded, _ = extract(None, tiny_bert, IDS, TEXTS, tmp_path / "ref", batch_size=3,
                                   progress=False)
    original = ActivationStore.mark_done
    calls = []

    def dies_on_second_batch(self, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed after the first batch was recorded
        original(self, rows)

    monkeypatch.setattr(ActivationStore, "mark_done", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        extract(loaded, tiny_bert, IDS, TEXTS, tmp_path / "run", batch_size=3, progress=False)
    monkeypatch.setattr(ActivationStore, "mark_done", original)
    store, _, info = extract(loaded, tiny_bert, IDS, TEXTS, tmp_path / "run", batch_size=3,
                             progress=False)
    assert info["rows"] == len(TEXTS) - 3  # only the rows not yet on disk
    assert store.complete and store.rows_done().all()
    for layer in range(store.n_layers):
        np.testing.assert_allclose(store.layer(layer, "mean"), reference.layer(layer, "mean"),
                                   atol=1e-5)


def test_peft_adapter_folder_is_merged_before_probing(tiny_llama, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from emolab.models import hf_folder, resolve_model

    base = AutoModelForCausalLM.from_pretrained(tiny_llama)
    # Random (not zero) LoRA weights, so the adapted model really differs from its base.
    adapted = get_peft_model(base, LoraConfig(r=2, target_modules=["q_proj", "v_proj"],
                                              init_lora_weights=False))
    adapted.save_pretrained(tmp_path / "adapter")
    folder = hf_folder(resolve_model(str(tmp_path / "adapter")))
    ours, _, _ = extract(None, folder, IDS, TEXTS, tmp_path / "cache", progress=False)
    plain, _, _ = extract(None, tiny_llama, IDS, TEXTS, tmp_path / "cache", progress=False)
    assert ours.root != plain.root and ours.n_layers == plain.n_layers == 4
    np.testing.assert_allclose(ours.layer(0), plain.layer(0))  # embeddings untouched by LoRA
    assert np.abs(ours.layer(3) - plain.layer(3)).max() > 1e-3
