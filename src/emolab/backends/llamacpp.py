"""llama.cpp through ``llama-cpp-python``: a local GGUF model on the CPU.

- The prompt is formatted with the chat template stored in the GGUF itself.
- A JSON schema is enforced by llama.cpp's grammar sampler (``LlamaGrammar.from_json_schema``);
  the grammar is built once per schema and reused, since converting it costs more than a token.
- Requests that share a prefix (same system prompt, text last) reuse the KV cache of that
  prefix: ``llama-cpp-python`` keeps the last prompt's tokens and only evaluates what differs.
- Sampling is temperature + top-p only (llama.cpp's top-k and min-p are switched off) so that
  the same ``SamplingParams`` mean the same thing here as on the other backends.
- Greedy decoding under a grammar checks the model's own choice first and masks the whole
  vocabulary only when that choice is refused (``GreedyGrammarSampler``). llama-cpp-python
  masks all ~49k tokens at every step, which costs more than the forward pass of a 135M model.
"""

from __future__ import annotations

import ctypes
import json
import math
import threading
import time
from typing import Any, ClassVar

from emolab.backends.base import Backend, Generation, Message, SamplingParams
from emolab.errors import EmolabError
from emolab.models import resolve_model


class LlamaCppBackend(Backend):
    name: ClassVar[str] = "llamacpp"
    supports_schema: ClassVar[bool] = True
    can_sample_n: ClassVar[bool] = True
    can_logprobs: ClassVar[bool] = False  # not wired up; say so rather than return nothing

    def __init__(self, model: str = "default", *, n_ctx: int = 2048, n_threads: int = 2,
                 seed: int | None = None, n_batch: int = 512, lazy_grammar: bool = True) -> None:
        try:
            from llama_cpp import LLAMA_DEFAULT_SEED, Llama
        except ImportError:
            raise EmolabError("the llamacpp backend needs llama-cpp-python: "
                              "pip install llama-cpp-python diskcache") from None
        ref = resolve_model(model)
        if ref.format != "gguf":
            raise EmolabError(f"the llamacpp backend runs GGUF files; {ref.path} is a Hugging "
                              "Face folder (use --backend transformers)")
        self.model_id = ref.path.name
        self.path = ref.path
        self._llm = _fast_grammar_llama(Llama)(
            model_path=str(ref.path), n_ctx=n_ctx, n_batch=min(n_batch, n_ctx),
            n_threads=n_threads, n_threads_batch=n_threads,
            seed=seed if seed is not None else LLAMA_DEFAULT_SEED,  # the default means random
            verbose=False)
        self._llm.lazy_grammar = lazy_grammar
        self._grammars: dict[str, Any] = {}
        self._lock = threading.Lock()  # one llama context: one request at a time

    @property
    def context_length(self) -> int:
        return self._llm.n_ctx()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=False)
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

    def close(self) -> None:
        llm, self._llm = getattr(self, "_llm", None), None
        if llm is not None:
            llm.close()


class GreedyGrammarSampler:
    """Greedy decoding under a llama.cpp grammar, exact and cheaper than masking every token.

    If the highest-scoring token is one the grammar allows, it is also the highest-scoring
    allowed token, so only that one token needs checking. Only when it is refused is the
    grammar applied to the whole vocabulary (as llama.cpp's own server does). Stands in for
    llama-cpp-python's sampler chain, of which ``Llama.sample`` uses ``sample`` alone.
    """

    def __init__(self, llm: Any, grammar: Any) -> None:
        import llama_cpp as lc
        import numpy as np

        self._lc, self._np = lc, np
        self._n_vocab = llm.n_vocab()
        self._grammar = lc.llama_sampler_init_grammar(
            llm._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self._grammar:
            raise EmolabError("llama.cpp could not parse the grammar of the JSON schema")
        self._all = (lc.llama_token_data * self._n_vocab)()
        self._all_view = np.ctypeslib.as_array(self._all)  # fields: id, logit, p
        self._one = (lc.llama_token_data * 1)()
        self.steps = self.full_masks = 0  # how often the cheap check was not enough

    def _apply(self, data: Any, size: int) -> None:
        lc = self._lc
        array = lc.llama_token_data_array(ctypes.cast(data, lc.llama_token_data_p), size, -1,
                                          False)
        lc.llama_sampler_apply(self._grammar, ctypes.byref(array))

    def sample(self, ctx: Any, idx: int = -1) -> int:
        logits = self._np.ctypeslib.as_array(self._lc.llama_get_logits_ith(ctx.ctx, idx),
                                             shape=(self._n_vocab,))
        token = int(logits.argmax())
        self._one[0].id, self._one[0].logit = token, float(logits[token])
        self._apply(self._one, 1)
        self.steps += 1
        if not math.isfinite(self._one[0].logit):  # refused: mask everything, take the best
            self.full_masks += 1
            self._all_view["id"] = self._np.arange(self._n_vocab)
            self._all_view["logit"] = logits
            self._apply(self._all, self._n_vocab)
            token = int(self._all_view["logit"].argmax())
        self._lc.llama_sampler_accept(self._grammar, token)
        return token

    def __del__(self) -> None:
        grammar, self._grammar = getattr(self, "_grammar", None), None
        if grammar:
            self._lc.llama_sampler_free(grammar)


def _fast_grammar_llama(llama_class: type) -> type:
    """``Llama`` whose greedy + grammar requests use ``GreedyGrammarSampler``.

    Other requests (sampling, penalties, logits processors) keep llama-cpp-python's chain.
    """

    class FastGrammarLlama(llama_class):  # type: ignore[misc, valid-type]
        lazy_grammar = True
        last_grammar_sampler: GreedyGrammarSampler | None = None

        def _init_sampler(self, **kwargs: Any) -> Any:
            plain = (kwargs.get("repeat_penalty", 1.0) == 1.0
                     and not kwargs.get("frequency_penalty") and not kwargs.get("presence_penalty")
                     and not kwargs.get("logits_processor") and not kwargs.get("mirostat_mode"))
            if (self.lazy_grammar and kwargs.get("grammar") is not None
                    and kwargs.get("temp") == 0.0 and plain):
                self.last_grammar_sampler = GreedyGrammarSampler(self, kwargs["grammar"])
                return self.last_grammar_sampler
            return super()._init_sampler(**kwargs)

    return FastGrammarLlama
