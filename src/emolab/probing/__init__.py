"""Look inside a model: per-layer activations, probes on each layer, curves and plots.

Stages meet at plain things: ``extract`` writes an ``ActivationStore`` (one ``.npy`` per layer
and pooling, named ``layers.{i}.{pooling}``); ``run_sweep`` reads arrays and returns rows of
scores; ``plots`` draws rows. Heavy libraries are imported inside the functions that need them.
"""

from typing import Any

__all__ = ["ActivationStore"]


def __getattr__(name: str) -> Any:  # numpy loads with the store, not with probing.config
    if name == "ActivationStore":
        from emolab.probing.store import ActivationStore

        return ActivationStore
    raise AttributeError(f"module 'emolab.probing' has no attribute {name!r}")
