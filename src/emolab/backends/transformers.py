"""A Hugging Face causal LM (or a PEFT LoRA adapter on one) run through ``transformers``.

The JSON schema is enforced while decoding by llguidance (``emolab.backends.guidance``), the
engine inside llama.cpp's server too, so both local backends bound an answer the same way: at
every step each row's matcher masks the tokens its grammar forbids, so the output parses,
validates and keeps the schema's key order. ``generate_many`` decodes ``batch_size``
conversations together, left padded, each under its own schema (a score head pins each
text's value into its schema), their masks computed on several threads.

torch, transformers, peft and llguidance are imported only when this backend is built.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from emolab.backends.base import (
    EMBED_CONTEXT,
    Backend,
    CapabilityError,
    Generation,
    Message,
    SamplingParams,
    SchemaCache,
    SchemaOrSchemas,
    schemas_per_conversation,
)
from emolab.backends.guidance import GuidedRows, grammar_of
from emolab.errors import EmolabError
from emolab.models import hf_folder, resolve_model

# Conversations decoded together by default, by device. CPU: the fastest size measured by
# bench/transformers_batch.py on 2 cores (16: 4.8x the texts/s of one at a time on E-c, every
# answer the same to the byte). CUDA: not measured by emolab yet; a 135M model has room for more.
DEFAULT_BATCH = {"cpu": 16, "cuda": 32}


class TransformersBackend(Backend):
    name = "transformers"
    supports_schema = True
    can_sample_n = True

    def __init__(self, model: str | Path = "default", *, seed: int | None = None,
                 n_threads: int | None = None, device: str = "auto", dtype: str = "auto",
                 base_model: str | Path | None = None, readout: bool = True,
                 batch_size: int | None = None) -> None:
        """``model``: ``default``, a GGUF file, a model folder or a LoRA adapter folder.

        ``seed`` is used when a call's ``SamplingParams.seed`` is None. ``n_threads`` sets
        torch's CPU threads (process-wide). ``device``: ``auto`` (CUDA when present, else CPU),
        ``cpu``, ``cuda``... ``dtype``: ``auto`` (bfloat16/float16 on CUDA, float32 on CPU,
        where float32 keeps greedy output stable) or a torch dtype name such as ``bfloat16``.
        ``base_model`` overrides the base recorded in an adapter's ``adapter_config.json``.
        ``readout``: let the model's score heads answer the tasks they cover, when it has some
        (the shipped ``emolab`` model does); they read ``embed``, the same mean-pooled last
        hidden state as llama.cpp's (cosine 0.9998 on the tuned model, head answers within
        0.01). ``batch_size``: conversations that ``generate_many`` decodes together, left
        padded, each under its own schema (None: ``DEFAULT_BATCH`` of the device).
        """
        import torch

        if n_threads is not None:
            torch.set_num_threads(n_threads)
        self.seed = seed
        self._torch = torch
        self.device = _pick_device(torch, device)
        if batch_size is not None and batch_size < 1:
            raise EmolabError(f"batch_size must be at least 1, not {batch_size}")
        self.batch_size = batch_size or (DEFAULT_BATCH["cuda"] if self.device.startswith("cuda")
                                         else DEFAULT_BATCH["cpu"])
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
        self._guide: Any = None  # (llguidance tokenizer, executor), built on the first schema
        self._grammar = SchemaCache(grammar_of)

    # -- public -------------------------------------------------------------------------------

    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        return self._decode([messages], [schema], params)[0]

    def generate_many(self, conversations: list[list[Message]], *,
                      schema: SchemaOrSchemas = None,
                      params: SamplingParams = SamplingParams()) -> list[list[Generation]]:
        """``batch_size`` conversations at a time in one ``generate`` call, results in input
        order. Greedy answers equal ``generate``'s except where padding moves a float: left
        padding changes the shapes of the matrix products, and a near tie between two tokens
        may then fall the other way (bench/transformers_batch.py counts how often)."""
        schemas = schemas_per_conversation(schema, len(conversations))
        answers: list[list[Generation]] = []
        for start in range(0, len(conversations), self.batch_size):
            stop = start + self.batch_size
            answers += self._decode(conversations[start:stop], schemas[start:stop], params)
        return answers

    def embed(self, texts: list[str]) -> Any:
        """The mean of the last layer's hidden states (after the final norm) over each text's
        tokens, no chat template and no special tokens, as llama.cpp's mean pooling computes
        them: the features of ``emolab.readout`` heads. Texts are cut at ``EMBED_CONTEXT``;
        ``batch_size`` at a time, padded on the right (a causal model's states of a text's own
        tokens do not see the padding after them, and the mean leaves it out)."""
        import numpy as np

        torch = self._torch
        vectors = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                ids = self.tokenizer(texts[start:start + self.batch_size], return_tensors="pt",
                                     add_special_tokens=False, truncation=True, padding=True,
                                     padding_side="right", max_length=EMBED_CONTEXT
                                     ).to(self.model.device)
                states = self.model(**ids, output_hidden_states=True).hidden_states[-1]
                mask = ids["attention_mask"].unsqueeze(-1).to(states.dtype)
                means = (states * mask).sum(1).float() / mask.sum(1).float()
                vectors.append(means.cpu().numpy())
        return np.concatenate(vectors).astype(np.float32)

    def close(self) -> None:
        self.model = None
        self._grammar.clear()

    def __repr__(self) -> str:
        return f"TransformersBackend(model={self.model_id!r}, device={self.device!r})"

    # -- internals ----------------------------------------------------------------------------

    def _decode(self, conversations: list[list[Message]], schemas: list[dict[str, Any] | None],
                params: SamplingParams) -> list[list[Generation]]:
        """One ``model.generate`` call over ``conversations``, each under its own schema."""
        for schema in schemas:
            self.require_schema(schema)
        torch = self._torch
        inputs = self.tokenizer.apply_chat_template(
            conversations, add_generation_prompt=True, return_tensors="pt", return_dict=True,
            padding=True).to(self.model.device)
        padded_len = inputs["input_ids"].shape[1]
        prompt_lens = inputs["attention_mask"].sum(dim=1).tolist()
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
        if any(s is not None for s in schemas):
            if None in schemas:
                raise CapabilityError("a batch cannot mix conversations with and without a "
                                      "schema; answer them in separate calls")
            # One grammar per output row (a conversation's n rows are adjacent).
            grammars = [self._grammar(s) for s in schemas for _ in range(rows)]
            options["logits_processor"] = [GuidedRows(*self._guidance(), grammars,
                                                      self._stop_ids())]

        seed = params.seed if params.seed is not None else self.seed
        start = time.perf_counter()
        # fork_rng keeps the caller's global RNG untouched while a seed makes sampling repeatable.
        with torch.random.fork_rng(devices=self._rng_devices()), torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            out = self.model.generate(**inputs, **options)
        seconds = (time.perf_counter() - start) / len(conversations)  # each one's share
        answers = []
        for i, prompt_len in enumerate(prompt_lens):
            gens = [self._to_generation(row[padded_len:], prompt_len, seconds)
                    for row in out[i * rows:(i + 1) * rows]]
            answers.append(gens if sample else gens * params.n)
        return answers

    def _guidance(self) -> tuple[Any, Any]:
        """llguidance's view of the tokenizer (about 0.5 s to build) and its thread pool."""
        if self._guide is None:
            import llguidance
            import llguidance.hf

            tokenizer = llguidance.hf.from_tokenizer(self.tokenizer, n_vocab=self._vocab_size(),
                                                     eos_token=self._stop_ids())
            self._guide = (tokenizer, llguidance.LLExecutor())
        return self._guide

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
            seconds=seconds,  # the conversation's share of the call (n rows decoded together)
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
    # Batches are padded on the left, so that every row's answer starts where decoding does.
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
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
