"""Look inside a model: per-layer activations, probes on each layer, curves and plots.

Stages meet at plain things: ``extract`` writes an ``ActivationStore`` (one ``.npy`` per layer
and pooling, named ``layers.{i}.{pooling}``); ``run_sweep`` reads arrays and returns rows of
scores; ``plots`` draws rows. Heavy libraries are imported inside the functions that need them.
"""

from emolab.probing.store import ActivationStore

__all__ = ["ActivationStore"]
