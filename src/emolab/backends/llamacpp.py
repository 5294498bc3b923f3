"""llama.cpp on the CPU (or a GPU build), through ``xllamacpp``: llama.cpp's own server, run
inside this process from a prebuilt wheel, and asked in-process (no HTTP for answers).

- The prompt is formatted by the server with the chat template stored in the GGUF itself.
- A JSON schema is enforced while decoding by llama.cpp's llguidance integration: the schema
  goes in as a ``%llguidance`` grammar (``xllamacpp.json_schema_to_grammar``), which keeps the
  key order, holds number ranges and string lengths (an escape counts as one character), and
  takes emolab's pinned opening of an explanation as a ``pattern``; bounded numbers get at
  most three decimals (``emolab.backends.guidance``).
  llguidance is strict: a schema it cannot hold is an error, never decoded unconstrained.
- ``concurrency`` slots answer that many requests at once (continuous batching); the context
  is ``n_ctx`` per slot.
- Seeded sampling skips the prompt cache, so a seed gives the same text whatever ran before
  (a prompt found in the cache is finished with another batch size, and llama.cpp's kernels
  round differently by batch size).
- ``adapter`` is a GGUF LoRA (``emolab export-gguf RUN --lora``) applied as the model loads.
- The score heads' features (``embed``) come from a second server in embedding mode: the mean
  of the last hidden states over a text's tokens, unnormalised.
- Sampling is temperature + top-p only (top-k and min-p are off), so that the same
  ``SamplingParams`` mean the same thing here as on the other backends.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

from emolab.backends.base import (
    EMBED_CONTEXT,
    Backend,
    Generation,
    Message,
    SamplingParams,
    SchemaCache,
    SchemaOrSchemas,
    schemas_per_conversation,
)
from emolab.backends.guidance import guidance_schema
from emolab.errors import EmolabError
from emolab.models import resolve_model


class LlamaCppBackend(Backend):
    name: ClassVar[str] = "llamacpp"
    supports_schema: ClassVar[bool] = True
    can_sample_n: ClassVar[bool] = True
    can_logprobs: ClassVar[bool] = False  # not wired up; say so rather than return nothing

    def __init__(self, model: str = "default", *, n_ctx: int = 2048, n_threads: int = 2,
                 seed: int | None = None, n_batch: int = 512, adapter: str | None = None,
                 readout: bool = True, concurrency: int = 1) -> None:
        """``readout``: let the model's score heads answer the tasks they cover, when it has
        some (``emolab.readout``; the shipped ``emolab`` model does); False: the model writes
        every answer itself. ``seed``: used by requests without a seed of their own."""
        xllamacpp = import_engine()
        ref = resolve_model(model, prefer="gguf", adapter=adapter)
        if ref.format != "gguf":
            hint = (f"export it first with `emolab export-gguf {model}`, or use --backend "
                    "transformers" if ref.path.name == "merged" else "use --backend transformers")
            raise EmolabError(f"the llamacpp backend runs GGUF files; {ref.path} is a Hugging "
                              f"Face folder ({hint})")
        if concurrency < 1:
            raise EmolabError(f"concurrency must be at least 1, not {concurrency}")
        self.model_id = ref.path.name + (f"+{ref.adapter.name}" if ref.adapter else "")
        self.path, self.adapter = ref.path, ref.adapter
        self.seed, self.concurrency, self._n_ctx = seed, concurrency, n_ctx
        self._n_threads, self._n_batch = n_threads, min(n_batch, n_ctx)
        params = self._params(xllamacpp)
        params.n_parallel = concurrency
        params.n_ctx = n_ctx * concurrency  # the server splits its context among the slots
        params.port = free_port()  # only /tokenize is asked over HTTP, on loopback
        params.hostnames = ["127.0.0.1"]
        self._url = f"http://127.0.0.1:{params.port}"
        try:
            self._server: Any = xllamacpp.Server(params)
        except Exception as err:
            what = f"{ref.path} with the adapter {ref.adapter}" if ref.adapter else ref.path
            raise EmolabError(f"llama.cpp could not load {what} ({err})") from None
        self._embedder: Any = None  # the embedding-mode server, made on first use
        self._embed_lock = threading.Lock()
        self._grammar = SchemaCache(self._build_grammar)  # schema -> (grammar, validator)
        self._http: Any = None
        # llama.cpp's own counters of the last answer (prompt_n, prompt_ms, predicted_n,
        # predicted_ms, ...), for benchmarks that split prompt evaluation from decoding.
        self.last_timings: dict[str, Any] = {}
        self.readout = _load_readout(ref.readout) if readout and ref.readout else None

    def _params(self, xllamacpp: Any) -> Any:
        params = xllamacpp.CommonParams()
        params.model.path = str(self.path)
        if self.adapter is not None:
            _check_adapter(self.adapter)
            lora = xllamacpp.CommonAdapterLoraInfo()
            lora.path, lora.scale = str(self.adapter), 1.0
            params.lora_adapters = [lora]
        params.n_batch = params.n_ubatch = self._n_batch
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = self._n_threads
        params.warmup = False
        params.verbosity = -1  # llama.cpp's own log lines stay out of the progress bars
        return params

    # -- what the classifier asks -------------------------------------------------------------

    @property
    def context_length(self) -> int:
        return self._n_ctx

    def count_tokens(self, text: str) -> int:
        response = self._client().post(f"{self._url}/tokenize",
                                       json={"content": text, "add_special": False})
        response.raise_for_status()
        return len(response.json()["tokens"])

    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        self.require_schema(schema)
        grammar = self._grammar(schema) if schema is not None else None
        # Greedy decoding gives the same answer every time: decode once, hand out n copies.
        distinct = 1 if params.temperature == 0 else params.n
        seed = params.seed if params.seed is not None else self.seed
        outputs = [self._one(messages, grammar, params, None if seed is None else seed + i)
                   for i in range(distinct)]
        return [outputs[i % distinct] for i in range(params.n)]

    def generate_many(self, conversations: list[list[Message]], *,
                      schema: SchemaOrSchemas = None,
                      params: SamplingParams = SamplingParams()) -> list[list[Generation]]:
        """Up to ``concurrency`` conversations at once, results in input order."""
        if self.concurrency == 1 or len(conversations) < 2:
            return super().generate_many(conversations, schema=schema, params=params)
        schemas = schemas_per_conversation(schema, len(conversations))
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda m, s: self.generate(m, schema=s, params=params),
                                 conversations, schemas))

    def embed(self, texts: list[str]) -> Any:
        """The mean of the last layer's hidden states over each text's tokens (no chat
        template, unnormalised), as a float32 array of shape (len(texts), width): the
        features of ``emolab.readout`` heads. Texts longer than the embedding context are cut."""
        import numpy as np

        with self._embed_lock:
            if self._embedder is None:
                xllamacpp = import_engine()
                params = self._params(xllamacpp)
                params.embedding = True
                params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
                params.embd_normalize = -1
                params.n_ctx = params.n_batch = params.n_ubatch = EMBED_CONTEXT
                # One thread: a second OpenMP team of threads in the process slowed the main
                # server's decoding by about 60% from the first embedding on, for the rest of
                # the run (measured: DAIR answers after EI-reg ones, 4.1 -> 6.4 s of decoding
                # for the same tokens). One thread costs about 75 ms more per embedded text.
                params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
                self._embedder = xllamacpp.Server(params)
        vectors = []
        for text in texts:
            cut = self._cut(text, EMBED_CONTEXT)
            response = self._embedder.handle_embeddings({"input": [cut]})
            _raise_if_error(response, "embedding")
            vectors.append(response["data"][0]["embedding"])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def close(self) -> None:
        # A server stops when its object is released (its destructor joins the main loop).
        self._server = self._embedder = None
        if self._http is not None:
            self._http.close()
            self._http = None
        gc.collect()

    # -- internals ----------------------------------------------------------------------------

    def _one(self, messages: list[Message], grammar: tuple[str, Any] | None,
             params: SamplingParams, seed: int | None) -> Generation:
        start = time.perf_counter()
        sampled = params.temperature > 0
        request: dict[str, Any] = {
            "messages": messages, "max_tokens": params.max_tokens,
            "temperature": params.temperature, "top_p": params.top_p, "top_k": 0,
            "min_p": 0.0, "cache_prompt": not (sampled and seed is not None)}
        if seed is not None:
            request["seed"] = seed
        if grammar is not None:
            request["grammar"] = grammar[0]
        response = self._server.handle_chat_completions(request)
        _raise_if_error(response, "answer")
        self.last_timings = response.get("timings") or {}
        choice, usage = response["choices"][0], response.get("usage", {})
        text = choice["message"]["content"] or ""
        if grammar is not None and choice.get("finish_reason") == "stop":
            _require_held(text, grammar[1])
        return Generation(text=text,
                          finish_reason=choice.get("finish_reason"),
                          prompt_tokens=usage.get("prompt_tokens"),
                          completion_tokens=usage.get("completion_tokens"),
                          seconds=time.perf_counter() - start)

    def _build_grammar(self, schema: dict[str, Any]) -> tuple[str, Any]:
        """The llguidance grammar of ``schema`` and a validator of the answers it allows."""
        import jsonschema
        import xllamacpp

        converted = guidance_schema(schema)
        plain = {k: v for k, v in converted.items() if k != "x-guidance"}
        return (xllamacpp.json_schema_to_grammar(json.dumps(converted)),
                jsonschema.Draft202012Validator(plain))

    def _cut(self, text: str, tokens: int) -> str:
        """``text`` cut to at most ``tokens`` tokens (by characters, shrinking in proportion).
        A token holds at least one byte, so a text of at most ``tokens`` bytes needs no count."""
        if len(text.encode("utf-8")) <= tokens:
            return text
        while (count := self.count_tokens(text)) > tokens:
            text = text[: max(1, int(len(text) * tokens / count) - 1)]
        return text

    def _client(self) -> Any:
        if self._http is None:
            import httpx

            self._http = httpx.Client(timeout=30)
        return self._http


def _require_held(text: str, validator: Any) -> None:
    """A finished answer must be what the grammar allows. llama.cpp decodes without a grammar
    it cannot build or satisfy (it only logs it), so this check is what keeps such an answer
    from passing as constrained."""
    import jsonschema

    try:
        validator.validate(json.loads(text))
    except (ValueError, jsonschema.ValidationError) as err:
        raise EmolabError("llama.cpp answered outside the JSON schema it was given (its "
                          f"grammar could not be built or satisfied): {str(err)[:200]}; "
                          f"answer: {text[:200]!r}") from None


def _raise_if_error(response: Any, what: str) -> None:
    if isinstance(response, dict) and "error" in response:
        error = response["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        if "context" in str(message).lower() and "exceed" in str(message).lower():
            raise EmolabError(f"prompt too long for the model's context: {message}")
        raise EmolabError(f"llama.cpp could not give an {what}: {message}")


def import_engine() -> Any:
    try:
        import xllamacpp
    except ImportError:
        raise EmolabError("the llamacpp backend needs xllamacpp: pip install "
                          "'emolab[llamacpp]'") from None
    return xllamacpp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _check_adapter(adapter: Path) -> None:
    """Refuse a file that is no GGUF LoRA before llama.cpp reads it."""
    try:
        from gguf import GGUFReader
    except ImportError:  # llama.cpp still refuses a wrong file, less clearly
        return
    try:
        fields = GGUFReader(str(adapter)).fields
    except (ValueError, OSError) as err:
        raise EmolabError(f"adapter {adapter} is not a readable GGUF file: {err}") from None
    kind = fields["general.type"].contents() if "general.type" in fields else None
    if kind != "adapter" or "adapter.type" not in fields or \
            fields["adapter.type"].contents() != "lora":
        raise EmolabError(f"{adapter} is not a GGUF LoRA adapter (general.type {kind!r}); "
                          "write one with `emolab export-gguf RUN --lora`")


def _load_readout(path: Any) -> Any:
    from emolab.readout import Readout

    return Readout.load(path)
