"""A Hugging Face causal LM (or a PEFT LoRA adapter on one) run through ``transformers``.

The JSON schema is enforced while decoding by XGrammar's logits processor
(``xgrammar.contrib.hf.LogitsProcessor``): at every step it masks the tokens the grammar
forbids, so the output parses, validates and keeps the schema's key order. XGrammar was chosen
over Outlines (outlines-core / llguidance behind Outlines' transformers model) after measuring
all three on SmolLM2 here; see ``bench/constrained_decoding_hf.py`` and its result file.

torch, transformers, peft and xgrammar are imported only when this backend is built.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from emolab.backends.base import EMBED_CONTEXT, Backend, Generation, Message, SamplingParams
from emolab.backends.explanation_grammar import compile_schema
from emolab.errors import EmolabError
from emolab.models import hf_folder, resolve_model


class TransformersBackend(Backend):
    name = "transformers"
    supports_schema = True
    can_sample_n = True

    def __init__(self, model: str | Path = "default", *, seed: int | None = None,
                 n_threads: int | None = None, device: str = "auto", dtype: str = "auto",
                 base_model: str | Path | None = None, readout: bool = True) -> None:
        """``model``: ``default``, a GGUF file, a model folder or a LoRA adapter folder.

        ``seed`` is used when a call's ``SamplingParams.seed`` is None. ``n_threads`` sets
        torch's CPU threads (process-wide). ``device``: ``auto`` (CUDA when present, else CPU),
        ``cpu``, ``cuda``... ``dtype``: ``auto`` (bfloat16/float16 on CUDA, float32 on CPU,
        where float32 keeps greedy output stable) or a torch dtype name such as ``bfloat16``.
        ``base_model`` overrides the base recorded in an adapter's ``adapter_config.json``.
        ``readout``: let the model's score heads answer the tasks they cover, when it has some
        (the shipped ``emolab`` model does); they read ``embed``, the same mean-pooled last
        hidden state as llama.cpp's (cosine 0.9998 on the tuned model, head answers within
        0.01).
        """
        import torch

        if n_threads is not None:
            torch.set_num_threads(n_threads)
        self.seed = seed
        self._torch = torch
        self.device = _pick_device(torch, device)
        torch_dtype = _pick_dtype(torch, dtype, self.device)

        ref = resolve_model(model)
        if readout and ref.readout is not None:
            from emolab.readout import Readout

            self.readout = Readout.load(ref.readout)
        folder = hf_folder(ref)
        adapter = (folder / "adapter_config.json").is_file()
        base_folder = _adapter_base(folder, base_model) if adapter else folder
        self.model_id = str(model) if not adapter else f"{base_folder}+{folder}"
        self.tokenizer = _load_tokenizer(folder if adapter else base_folder, base_folder)
        self.model = _load_model(torch, base_folder, folder if adapter else None,
                                 torch_dtype, self.device)
        self._compiler = None  # built on the first schema: costs ~1 s, unneeded without one
        self._grammars: dict[str, Any] = {}

    # -- public -------------------------------------------------------------------------------

    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        self.require_schema(schema)
        torch = self._torch
        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(self.model.device)
        prompt_len = inputs["input_ids"].shape[1]
        sample = params.temperature > 0
        # Greedy decoding gives n identical answers: decode once and repeat it.
        rows = params.n if sample else 1
        options: dict[str, Any] = dict(
            max_new_tokens=params.max_tokens, do_sample=sample, num_return_sequences=rows,
            pad_token_id=self._pad_id(),
        )
        if sample:
            options.update(temperature=params.temperature, top_p=params.top_p, top_k=0)
        else:  # silence generation_config sampling defaults that do not apply to greedy
            options.update(temperature=None, top_p=None, top_k=None)
        if schema is not None:
            from xgrammar.contrib.hf import LogitsProcessor

            # One processor per call: it keeps per-row matcher state and cannot be reused.
            options["logits_processor"] = [LogitsProcessor(self._grammar(schema))]

        seed = params.seed if params.seed is not None else self.seed
        start = time.perf_counter()
        # fork_rng keeps the caller's global RNG untouched while a seed makes sampling repeatable.
        with torch.random.fork_rng(devices=self._rng_devices()), torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            out = self.model.generate(**inputs, **options)
        seconds = time.perf_counter() - start
        gens = [self._to_generation(row[prompt_len:], prompt_len, seconds) for row in out]
        return gens if sample else gens * params.n

    def embed(self, texts: list[str]) -> Any:
        """The mean of the last layer's hidden states (after the final norm) over each text's
        tokens, no chat template and no special tokens, as llama.cpp's mean pooling computes
        them: the features of ``emolab.readout`` heads. Texts are cut at ``EMBED_CONTEXT``."""
        import numpy as np

        torch = self._torch
        vectors = []
        with torch.inference_mode():
            for text in texts:
                ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False,
                                     truncation=True, max_length=EMBED_CONTEXT).to(self.model.device)
                states = self.model(**ids, output_hidden_states=True).hidden_states[-1][0]
                vectors.append(states.float().mean(0).cpu().numpy())
        return np.stack(vectors).astype(np.float32)

    def close(self) -> None:
        self.model = None
        self._grammars.clear()

    def __repr__(self) -> str:
        return f"TransformersBackend(model={self.model_id!r}, device={self.device!r})"

    # -- internals ----------------------------------------------------------------------------

    def _grammar(self, schema: dict[str, Any]) -> Any:
        """Compile ``schema`` for this tokenizer once; later calls with it reuse the result."""
        import xgrammar as xgr

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            if self._compiler is None:
                info = xgr.TokenizerInfo.from_huggingface(
                    self.tokenizer, vocab_size=self._vocab_size(), stop_token_ids=self._stop_ids())
                self._compiler = xgr.GrammarCompiler(info)
            self._grammars[key] = compile_schema(self._compiler, schema)
        return self._grammars[key]

    def _to_generation(self, new_ids: Any, prompt_len: int, seconds: float) -> Generation:
        ids = new_ids.tolist()
        stops = set(self._stop_ids())
        end = next((i for i, t in enumerate(ids) if t in stops), None)
        kept = ids if end is None else ids[:end]
        return Generation(
            text=self.tokenizer.decode(kept, skip_special_tokens=True),
            finish_reason="length" if end is None else "stop",
            prompt_tokens=prompt_len,
            completion_tokens=len(kept) + (0 if end is None else 1),
            seconds=seconds,  # the whole call: n rows are decoded together
        )

    def _stop_ids(self) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        ids = list(eos) if isinstance(eos, list) else [eos]
        if self.tokenizer.eos_token_id is not None:
            ids.append(self.tokenizer.eos_token_id)
        return sorted({i for i in ids if i is not None})

    def _pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return pad if pad is not None else self._stop_ids()[0]

    def _vocab_size(self) -> int:
        # The output layer can be wider than the tokenizer (padding rows); the mask must match it.
        return self.model.get_output_embeddings().weight.shape[0]

    def _rng_devices(self) -> list[int]:
        torch = self._torch
        return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []


def _pick_device(torch: Any, device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _pick_dtype(torch: Any, dtype: str, device: str) -> Any:
    if dtype != "auto":
        try:
            return getattr(torch, dtype)
        except AttributeError:
            raise EmolabError(f"unknown dtype {dtype!r}; try float32, bfloat16 or float16") from None
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _adapter_base(adapter: Path, override: str | Path | None) -> Path:
    """The base model folder of a LoRA adapter (the adapter's record, or ``override``)."""
    if override is None:
        config = json.loads((adapter / "adapter_config.json").read_text())
        override = config.get("base_model_name_or_path")
        if not override:
            raise EmolabError(f"{adapter}/adapter_config.json names no base model; pass base_model")
    try:
        base = hf_folder(resolve_model(override))
    except EmolabError as err:
        raise EmolabError(
            f"the base model {str(override)!r} of adapter {adapter} is not a local model "
            f"({err}); pass base_model=PATH") from None
    return base


def _load_tokenizer(first: Path, fallback: Path) -> Any:
    from transformers import AutoTokenizer

    # An adapter folder may carry its own tokenizer (e.g. with added tokens); prefer it.
    folder = first if (first / "tokenizer_config.json").is_file() else fallback
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if not tokenizer.chat_template:
        raise EmolabError(f"the tokenizer in {folder} has no chat template; use an instruct model")
    return tokenizer


def _load_model(torch: Any, base: Path, adapter: Path | None, dtype: Any, device: str) -> Any:
    from transformers import AutoModelForCausalLM

    # device_map lets accelerate place a large model across GPUs; on CPU a plain load is enough.
    placement = {"device_map": "auto"} if device == "cuda" else {}
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype, **placement)
    if adapter is not None:
        from peft import PeftModel

        # Merging folds the LoRA deltas into the weights, so decoding costs what the base costs.
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    if not placement:
        model = model.to(device)
    return model.eval()
