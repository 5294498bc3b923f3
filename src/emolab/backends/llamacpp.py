"""llama.cpp through ``llama-cpp-python``: a local GGUF model on the CPU.

- The prompt is formatted with the chat template stored in the GGUF itself.
- A JSON schema is enforced with XGrammar's token masks (``llamacpp_xgrammar``), compiled once
  per schema; ``grammar_engine="llamacpp"`` uses llama.cpp's own grammar sampler instead
  (1.8x slower per token on 2 idle cores, bench/classify_throughput.py: it checks the grammar
  against the whole vocabulary at every step).
- Requests that share a prefix (same system prompt, text last) reuse the KV cache of that
  prefix: ``llama-cpp-python`` keeps the last prompt's tokens and only evaluates what differs.
  Seeded sampling does not (see ``_one``): a seed must give the same text every time.
- ``adapter`` is a GGUF LoRA (``emolab export-gguf RUN --lora``) that llama.cpp applies on
  top of the model as it loads it; a run folder whose newest export is an adapter brings its
  own, on the base GGUF it was trained from (``resolve_model``).
- Sampling is temperature + top-p only (llama.cpp's top-k and min-p are switched off) so that
  the same ``SamplingParams`` mean the same thing here as on the other backends.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, ClassVar

from emolab.backends.base import EMBED_CONTEXT, Backend, Generation, Message, SamplingParams
from emolab.errors import EmolabError
from emolab.models import resolve_model


class LlamaCppBackend(Backend):
    name: ClassVar[str] = "llamacpp"
    supports_schema: ClassVar[bool] = True
    can_sample_n: ClassVar[bool] = True
    can_logprobs: ClassVar[bool] = False  # not wired up; say so rather than return nothing

    def __init__(self, model: str = "default", *, n_ctx: int = 2048, n_threads: int = 2,
                 seed: int | None = None, n_batch: int = 512,
                 grammar_engine: str = "xgrammar", adapter: str | None = None,
                 readout: bool = True) -> None:
        """``readout``: let the model's score heads answer the tasks they cover, when it has
        some (``emolab.readout``; the shipped ``emolab`` model does); False: the model writes
        every answer itself."""
        try:
            from llama_cpp import LLAMA_DEFAULT_SEED, Llama
        except ImportError:
            raise EmolabError("the llamacpp backend needs llama-cpp-python: "
                              "pip install llama-cpp-python diskcache") from None
        ref = resolve_model(model, prefer="gguf", adapter=adapter)
        if ref.format != "gguf":
            hint = (f"export it first with `emolab export-gguf {model}`, or use --backend "
                    "transformers" if ref.path.name == "merged" else "use --backend transformers")
            raise EmolabError(f"the llamacpp backend runs GGUF files; {ref.path} is a Hugging "
                              f"Face folder ({hint})")
        self.model_id = ref.path.name + (f"+{ref.adapter.name}" if ref.adapter else "")
        self.path = ref.path
        self.adapter = ref.adapter
        if grammar_engine not in ("xgrammar", "llamacpp"):
            raise EmolabError(f"grammar engine must be xgrammar or llamacpp, not {grammar_engine!r}")
        self.grammar_engine = grammar_engine
        options = _adapter_options(ref.adapter)
        try:
            self._llm = _schema_aware_llama(Llama)(
                model_path=str(ref.path), n_ctx=n_ctx, n_batch=min(n_batch, n_ctx),
                n_threads=n_threads, n_threads_batch=n_threads,
                seed=seed if seed is not None else LLAMA_DEFAULT_SEED,  # default means random
                verbose=False, **options)
        except RuntimeError as err:
            if not options:
                raise
            raise EmolabError(f"llama.cpp could not apply the adapter {ref.adapter} to "
                              f"{ref.path} ({err}); was it trained on another base model?"
                              ) from None
        self._options, self._n_threads = options, n_threads
        self._embedder: Any = None  # a second context in embedding mode, made on first use
        self.readout = _load_readout(ref.readout) if readout and ref.readout else None
        self._grammars: dict[str, Any] = {}
        self._xgrammar: Any = None  # the XGrammarCompiler, built on the first schema
        self._lock = threading.Lock()  # one llama context: one request at a time

    @property
    def context_length(self) -> int:
        return self._llm.n_ctx()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _grammar(self, schema: dict[str, Any]) -> Any:
        if self.grammar_engine == "xgrammar":
            if self._xgrammar is None:
                try:
                    from emolab.backends.llamacpp_xgrammar import XGrammarCompiler

                    self._xgrammar = XGrammarCompiler(self._llm)
                except ImportError:
                    raise EmolabError("the llamacpp backend enforces the schema with xgrammar: "
                                      "pip install 'emolab[llamacpp]'") from None
            return self._xgrammar.constraint(schema)
        from llama_cpp import LlamaGrammar

        from emolab.schemas import enumerate_bounded_numbers

        # llama.cpp's converter drops number bounds: spell the allowed values out instead.
        key = json.dumps(enumerate_bounded_numbers(schema), sort_keys=False)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        self.require_schema(schema)
        grammar = self._grammar(schema) if schema is not None else None
        # Greedy decoding gives the same answer every time: decode once, hand out n copies.
        distinct = 1 if params.temperature == 0 else params.n
        with self._lock:
            outputs = [self._one(messages, grammar, params,
                                 None if params.seed is None else params.seed + i)
                       for i in range(distinct)]
        return [outputs[i % distinct] for i in range(params.n)]

    def _one(self, messages: list[Message], grammar: Any, params: SamplingParams,
             seed: int | None) -> Generation:
        start = time.perf_counter()
        if seed is not None and params.temperature > 0:
            # A prompt found in the KV cache is finished with a smaller batch than a prompt
            # evaluated whole, and llama.cpp's kernels round differently by batch size: the
            # logits differ in their last bits and a sampled answer can change. A seeded
            # request evaluates its whole prompt, so a seed gives the same text whatever ran
            # before (the cost: no prefix reuse for seeded sampling).
            self._llm.reset()
        self._llm.request_seed = seed
        try:
            response = self._llm.create_chat_completion(
                messages=messages, grammar=grammar, temperature=params.temperature,
                top_p=params.top_p, top_k=0, min_p=0.0, max_tokens=params.max_tokens,
                seed=seed)
        except ValueError as err:
            if "context window" in str(err):  # the prompt alone is longer than n_ctx
                raise EmolabError(f"prompt too long for the model's context: {err}") from None
            raise
        choice, usage = response["choices"][0], response.get("usage", {})
        return Generation(text=choice["message"]["content"] or "",
                          finish_reason=choice.get("finish_reason"),
                          prompt_tokens=usage.get("prompt_tokens"),
                          completion_tokens=usage.get("completion_tokens"),
                          seconds=time.perf_counter() - start)

    def embed(self, texts: list[str]) -> Any:
        """The mean of the last layer's hidden states over each text's tokens (no chat
        template), as a float32 array of shape (len(texts), width): the features of
        ``emolab.readout`` heads. Texts longer than the embedding context are cut."""
        import numpy as np

        with self._lock:
            if self._embedder is None:
                from llama_cpp import LLAMA_POOLING_TYPE_MEAN, Llama

                with _quiet():  # llama.cpp warns that a causal model is mean-pooled
                    self._embedder = Llama(
                        model_path=str(self.path), embedding=True,
                        pooling_type=LLAMA_POOLING_TYPE_MEAN, n_ctx=EMBED_CONTEXT,
                        n_batch=EMBED_CONTEXT, n_ubatch=EMBED_CONTEXT, n_threads=self._n_threads,
                        n_threads_batch=self._n_threads, verbose=False, **self._options)
            vectors = self._embedder.embed(texts, normalize=False, truncate=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def close(self) -> None:
        for name in ("_llm", "_embedder"):
            llm = getattr(self, name, None)
            setattr(self, name, None)
            if llm is not None:
                llm.close()


def _quiet() -> Any:
    """Silence llama.cpp's C-level log lines (llama-cpp-python's own helper, when present)."""
    try:
        from llama_cpp._utils import suppress_stdout_stderr
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return suppress_stdout_stderr(disable=False)


def _load_readout(path: Any) -> Any:
    from emolab.readout import Readout

    return Readout.load(path)


def _adapter_options(adapter: Any) -> dict[str, Any]:
    """``Llama`` keywords that apply a GGUF LoRA; llama-cpp-python raises a bare RuntimeError
    (and llama.cpp logs the reason only when verbose) on a file that is not one, so check the
    header first for a message that names the file."""
    if adapter is None:
        return {}
    try:
        from gguf import GGUFReader
    except ImportError:  # not in the llamacpp extra; llama.cpp still refuses a wrong file
        return {"lora_path": str(adapter)}
    try:
        fields = GGUFReader(str(adapter)).fields
    except (ValueError, OSError) as err:
        raise EmolabError(f"adapter {adapter} is not a readable GGUF file: {err}") from None
    kind = fields["general.type"].contents() if "general.type" in fields else None
    if kind != "adapter" or "adapter.type" not in fields or \
            fields["adapter.type"].contents() != "lora":
        raise EmolabError(f"{adapter} is not a GGUF LoRA adapter (general.type {kind!r}); "
                          "write one with `emolab export-gguf RUN --lora`")
    return {"lora_path": str(adapter)}


def _schema_aware_llama(llama_class: type) -> type:
    """``Llama`` that decodes under a ``SchemaConstraint`` with ``XGrammarSampler``.

    llama-cpp-python builds one sampler chain per request in ``_init_sampler`` (a private
    method, hence the exact version pin) and hands our constraint through as its ``grammar``.
    Requests without one keep llama-cpp-python's own chain.
    """

    class SchemaAwareLlama(llama_class):  # type: ignore[misc, valid-type]
        request_seed: int | None = None
        last_sampler: Any = None

        def _init_sampler(self, **kwargs: Any) -> Any:
            from emolab.backends.llamacpp_xgrammar import SchemaConstraint, XGrammarSampler

            constraint = kwargs.get("grammar")
            if not isinstance(constraint, SchemaConstraint):
                return super()._init_sampler(**kwargs)
            self.last_sampler = XGrammarSampler(constraint, temperature=kwargs["temp"],
                                                top_p=kwargs["top_p"], seed=self.request_seed)
            return self.last_sampler

    return SchemaAwareLlama
