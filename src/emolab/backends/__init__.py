"""Backends by short name; each is imported only when used (its dependencies are heavy)."""

from __future__ import annotations

import importlib
from typing import Any

from emolab.backends.base import (
    CANDIDATE_SAMPLING,
    Backend,
    CapabilityError,
    Generation,
    SamplingParams,
)
from emolab.errors import EmolabError

BACKENDS = {
    "llamacpp": "emolab.backends.llamacpp:LlamaCppBackend",
    "transformers": "emolab.backends.transformers:TransformersBackend",
    "openai": "emolab.backends.openai:OpenAIBackend",
}


def backend_class(name: str) -> type[Backend]:
    try:
        target = BACKENDS[name]
    except KeyError:
        raise EmolabError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}") from None
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)


def load_backend(name: str, **options: Any) -> Backend:
    return backend_class(name)(**options)


__all__ = ["BACKENDS", "CANDIDATE_SAMPLING", "Backend", "CapabilityError", "Generation",
           "SamplingParams", "backend_class", "load_backend"]
