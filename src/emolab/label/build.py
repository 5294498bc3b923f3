"""From settings to a running engine: the backend(s), one classifier per task, the engine."""

from __future__ import annotations

import inspect
from typing import Any

from emolab.errors import EmolabError
from emolab.label.engines.base import Engine
from emolab.label.tasks import RunTask


def sampling(cfg: Any):
    from emolab.backends import SamplingParams

    return SamplingParams(temperature=cfg.temperature, top_p=cfg.top_p,
                          max_tokens=cfg.max_tokens, seed=cfg.seed)


def build_engine(cfg: Any, tasks: list[RunTask], *, params: Any,
                 api_key: str | None = None) -> Engine:
    from emolab.label.answer import TaskAnswerer

    name = cfg.engine_name
    if name == "servers":
        from emolab.label.engines.servers import ServerEngine, load_servers

        servers = load_servers(cfg.base_url, tasks=tasks, model=cfg.model, api_key=api_key,
                               slots=cfg.concurrency, params=params, constrain=cfg.constrain,
                               prompt_version=cfg.prompt_version)
        return ServerEngine(servers, tasks)
    if name == "llama-server":
        from emolab.label.engines.llama_server import LlamaServer
        from emolab.label.engines.servers import ServerEngine, load_servers

        # Several small servers beat one big one on few cores (bench/label_throughput.py):
        # llama.cpp's threads scale poorly on a 135M model, separate processes do not share.
        threads = max(1, (cfg.threads or 2) // cfg.llama_servers)
        started: list[LlamaServer] = []
        try:
            for _ in range(cfg.llama_servers):
                started.append(LlamaServer(cfg.model or "default", slots=cfg.concurrency,
                                           threads=threads))
            servers = load_servers([s.url for s in started], tasks=tasks,
                                   model=started[0].model, api_key=None,
                                   slots=cfg.concurrency, params=params,
                                   constrain=cfg.constrain, prompt_version=cfg.prompt_version)
            return ServerEngine(servers, tasks, owned=started)
        except BaseException:
            for server in started:
                server.close()
            raise
    if name == "ray":
        from emolab.label.engines.ray import RayEngine

        return RayEngine(cfg, tasks, params=params, api_key=api_key)
    from emolab.backends import backend_class
    from emolab.label.engines.local import LocalEngine

    if cfg.backend == "openai":
        raise EmolabError("a server is reached with --base-url (the servers engine), not "
                          "--backend openai")
    cls = backend_class(cfg.backend)
    accepted = set(inspect.signature(cls.__init__).parameters)
    options = {"model": cfg.model, "n_threads": cfg.threads, "seed": cfg.seed,
               "batch_size": cfg.batch_size}
    backend = cls(**{k: v for k, v in options.items() if v is not None and k in accepted})
    answerer = TaskAnswerer(backend, tasks, params=params, constrain=cfg.constrain,
                            prompt_version=cfg.prompt_version)
    return LocalEngine(answerer, tasks)
