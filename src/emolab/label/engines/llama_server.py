"""llama.cpp's own OpenAI-compatible server (``llama-server``), run in this process through the
``xllamacpp`` wheel (the llamacpp backend's engine), on loopback.

It serves a GGUF model with ``slots`` parallel sequences and continuous batching; the servers
engine then keeps ``slots`` requests in flight. The JSON schema goes under
``response_format.json_schema.schema`` (what the openai backend sends): llama-server silently
ignores a schema placed elsewhere.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from emolab.backends.llamacpp import free_port
from emolab.errors import EmolabError


class LlamaServer:
    def __init__(self, model: str | Path = "default", *, slots: int = 4, threads: int = 2,
                 ctx_per_slot: int = 2048, alias: str | None = None,
                 timeout: float = 120.0) -> None:
        """``alias``: the model name the server answers to (default: the GGUF file name, the
        name the in-process backend records too)."""
        from emolab.backends.llamacpp import import_engine

        xllamacpp = import_engine()
        from emolab.models import resolve_model

        ref = resolve_model(model, prefer="gguf")
        if ref.adapter is not None:  # serving the base alone would mislabel every answer
            raise EmolabError(f"{model} is a base model plus a GGUF LoRA ({ref.adapter.name}); "
                              "the llama-server engine does not load adapters yet: use the "
                              "local engine, or export a merged GGUF (emolab export-gguf RUN)")
        path = ref.path
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        alias = alias or path.name
        params.model_alias = alias
        params.n_parallel = slots
        params.n_ctx = ctx_per_slot * slots  # llama-server splits the context among slots
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.port = free_port()
        params.hostnames = ["127.0.0.1"]
        params.verbosity = -1  # llama.cpp's log lines stay out of the progress bars
        self.slots, self.model = slots, alias
        self.url = f"http://127.0.0.1:{params.port}/v1"
        self._server = xllamacpp.Server(params)
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url.removesuffix("/v1") + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.close()
        raise EmolabError(f"llama.cpp's server at {self.url} did not come up in {timeout:.0f} s")

    def close(self) -> None:
        # The server stops when its object is released (its destructor joins the main loop).
        self._server = None
        gc.collect()

    def __enter__(self) -> LlamaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
