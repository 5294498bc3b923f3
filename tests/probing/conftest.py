"""Tiny random transformers written by the tests themselves (no hub, a few kB each)."""

from __future__ import annotations

from pathlib import Path

import pytest

WORDS = ("i am so happy glad sad angry furious afraid scared today the sun rain dark night "
         "it was a day and my dog cat friend lost won love hate").split()


def _tokenizer(folder: Path, *, padding_side: str = "right"):
    from transformers import BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = BertTokenizer(str(vocab), padding_side=padding_side)
    return tokenizer


def _save(model, tokenizer, folder: Path) -> Path:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    tokenizer = _tokenizer(folder)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    return _save(BertModel(config), tokenizer, folder)


def make_tiny_llama(folder: Path, padding_side: str) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tokenizer = _tokenizer(folder, padding_side=padding_side)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=3,
                         num_attention_heads=2, num_key_value_heads=2, intermediate_size=32,
                         max_position_embeddings=64, pad_token_id=0)
    return _save(LlamaForCausalLM(config), tokenizer, folder)


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    return make_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), "left")


@pytest.fixture(scope="session")
def llama_factory():
    """``make_tiny_llama(folder, padding_side)``, for tests that need a given padding side."""
    return make_tiny_llama
