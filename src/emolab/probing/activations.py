"""Per-layer sentence representations of a transformer, streamed into an ``ActivationStore``.

Every entry of ``hidden_states`` (embeddings = layer 0, then one per block) is pooled two ways:
the mean over real tokens, and the last real token (what a decoder's next-token head reads).
Both poolings use the attention mask, so left and right padding give the same numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emolab.errors import EmolabError
from emolab.probing.store import POOLINGS, ActivationStore

KEY_VERSION = 1  # bump when the extraction itself changes, so old caches are not reused


def model_fingerprint(folder: Path) -> dict:
    """What identifies a model folder without loading it: its config and weight files."""
    folder = Path(folder).resolve()
    config = {}
    for name in ("config.json", "adapter_config.json"):
        if (folder / name).is_file():
            config[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    weights = sorted(
        (p.name, p.stat().st_size, int(p.stat().st_mtime))
        for p in folder.iterdir()
        if p.suffix in (".safetensors", ".bin", ".pt", ".gguf")
    )
    return {"path": str(folder), "config": config, "weights": weights}


def texts_digest(ids: Sequence[str], texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for row_id, text in zip(ids, texts, strict=True):
        digest.update(row_id.encode() + b"\x00" + text.encode() + b"\x01")
    return digest.hexdigest()


def cache_key(folder: Path, ids: Sequence[str], texts: Sequence[str], *, max_length: int,
              poolings: Sequence[str] = POOLINGS) -> str:
    """Hash of model + data + poolings + max length: equal keys mean equal activations."""
    payload = {
        "version": KEY_VERSION, "model": model_fingerprint(folder),
        "data": texts_digest(ids, texts), "poolings": list(poolings), "max_length": max_length,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def pool(hidden, mask):
    """(batch x tokens x width) states + (batch x tokens) mask -> mean and last-real-token.

    The last real token is the highest position whose mask is 1, which holds for right
    padding (the end of the real run) and left padding (the final position) alike.
    """
    import torch

    weights = mask.to(hidden.dtype).unsqueeze(-1)
    mean = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
    positions = torch.arange(mask.shape[1], device=mask.device).expand_as(mask)
    last_index = torch.where(mask.bool(), positions, torch.full_like(positions, -1)).amax(dim=1)
    last = hidden[torch.arange(hidden.shape[0], device=hidden.device), last_index.clamp(min=0)]
    return {"mean": mean, "last": last}


@dataclass
class LoadedModel:
    model: object
    tokenizer: object
    n_layers: int  # entries of hidden_states
    width: int
    is_decoder: bool
    input_names: tuple[str, ...] = ("input_ids", "attention_mask")

    def inputs(self, batch) -> dict:
        # Tokenizers may add token_type_ids that a decoder's forward does not take.
        return {k: v for k, v in batch.items() if k in self.input_names}


def load_model(folder: Path, *, threads: int | None = None) -> LoadedModel:
    """The bare transformer (no task head) of a Hugging Face folder or a PEFT adapter folder."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    if threads:
        torch.set_num_threads(threads)
    folder = Path(folder)
    if (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file():
        return _load_adapter(folder)
    try:
        config = AutoConfig.from_pretrained(folder)
        tokenizer = AutoTokenizer.from_pretrained(folder)
        # The bare model drops a causal LM's head, which transformers reports as unexpected.
        with _quiet_transformers():
            model = AutoModel.from_pretrained(folder, dtype=torch.float32)
    except (OSError, ValueError) as err:
        raise EmolabError(f"cannot load a transformer from {folder}: {err}") from err
    return _finish(model, tokenizer, config)


@contextlib.contextmanager
def _quiet_transformers():
    from transformers.utils import logging

    before, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()  # our own bar follows; two bars read as a hang
    try:
        yield
    finally:
        logging.set_verbosity(before)
        if bars:
            logging.enable_progress_bar()


def _load_adapter(folder: Path) -> LoadedModel:
    # An adapter holds only the LoRA weights: load its base, apply, and merge for plain forwards.
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        from peft import PeftModel
    except ImportError as err:
        raise EmolabError("probing a PEFT adapter needs peft: pip install peft") from err
    base_name = json.loads((folder / "adapter_config.json").read_text()).get(
        "base_model_name_or_path")
    if not base_name or not Path(base_name).is_dir():
        raise EmolabError(f"{folder}: the adapter's base model {base_name!r} is not a local folder")
    base = AutoModelForCausalLM.from_pretrained(base_name, dtype=torch.float32)
    merged = PeftModel.from_pretrained(base, folder).merge_and_unload()
    tokenizer_dir = folder if (folder / "tokenizer_config.json").is_file() else base_name
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    return _finish(merged.base_model if hasattr(merged, "base_model") else merged, tokenizer,
                   merged.config)


def _finish(model, tokenizer, config) -> LoadedModel:
    model.eval()
    is_decoder = bool(getattr(config, "is_decoder", False)) or any(
        name.endswith("ForCausalLM") for name in (getattr(config, "architectures", None) or []))
    if tokenizer.pad_token is None:  # decoders often have none; any id works under the mask
        tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    accepted = inspect.signature(model.forward).parameters
    names = tuple(n for n in ("input_ids", "attention_mask", "token_type_ids") if n in accepted)
    return LoadedModel(model, tokenizer, int(text_config.num_hidden_layers) + 1,
                       int(text_config.hidden_size), is_decoder, names)


def _order_by_length(texts: Sequence[str]) -> np.ndarray:
    # Batches of similar length waste little on padding; stable, so resume sees the same order.
    return np.argsort(np.array([len(t) for t in texts]), kind="stable")


def extract(loaded: LoadedModel | None, folder: Path, ids: Sequence[str], texts: Sequence[str],
            store_root: Path, *, max_length: int = 128, batch_size: int = 16,
            progress: bool = True, description: str = "extract",
            threads: int | None = None) -> tuple[ActivationStore, LoadedModel | None, dict]:
    """Fill (or finish) the store under ``store_root/<key>`` and return it.

    ``loaded`` may be None: the model is loaded only if some rows still need extracting, so a
    rerun on a complete cache never touches the weights. Returns the store, the model (loaded
    or not) and timing facts.
    """
    key = cache_key(folder, ids, texts, max_length=max_length)
    root = Path(store_root) / key
    if (root / "meta.json").is_file():
        store = ActivationStore(root)
        if store.complete:
            return store, loaded, {"key": key, "cached": True, "rows": 0, "seconds": 0.0}
    if loaded is None:
        loaded = load_model(folder, threads=threads)
    if not (root / "meta.json").is_file():
        store = ActivationStore.create(
            root, n_rows=len(texts), n_layers=loaded.n_layers, width=loaded.width,
            meta={"key": key, "model": str(folder), "max_length": max_length,
                  "texts": texts_digest(ids, texts)})
    done = store.rows_done().astype(bool)
    todo = [int(i) for i in _order_by_length(texts) if not done[i]]
    started = time.perf_counter()
    _run_batches(loaded, store, texts, todo, max_length=max_length, batch_size=batch_size,
                 progress=progress, description=description, already=int(done.sum()))
    store.close()
    seconds = time.perf_counter() - started
    return store, loaded, {"key": key, "cached": False, "rows": len(todo), "seconds": seconds}


def _run_batches(loaded: LoadedModel, store: ActivationStore, texts: Sequence[str],
                 todo: list[int], *, max_length: int, batch_size: int, progress: bool,
                 description: str, already: int) -> None:
    import torch
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), disable=not progress, transient=False)
    with bar, torch.inference_mode():
        task = bar.add_task(description, total=store.n_rows, completed=already)
        for start in range(0, len(todo), batch_size):
            rows = np.array(todo[start:start + batch_size])
            batch = loaded.tokenizer([texts[i] for i in rows], padding=True, truncation=True,
                                     max_length=max_length, return_tensors="pt")
            output = loaded.model(**loaded.inputs(batch), output_hidden_states=True)
            for layer, hidden in enumerate(output.hidden_states):
                for pooling, values in pool(hidden, batch["attention_mask"]).items():
                    store.write(rows, layer, pooling, values.float().numpy())
            store.mark_done(rows)
            bar.advance(task, len(rows))
