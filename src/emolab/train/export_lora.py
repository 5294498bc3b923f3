"""Turn a training run's PEFT LoRA adapter into a GGUF LoRA adapter that llama.cpp applies on
top of the base model's GGUF when it loads it (``Llama(model_path=BASE, lora_path=ADAPTER)``).

An adapter for the embedded SmolLM2-135M at r=16 on every linear layer is about 10 MB in f16,
against 145 MB for a merged q8_0 model: small enough to ship in the package beside the base.

What llama.cpp reads (``llama_adapter_lora_init``): ``general.type = "adapter"``,
``adapter.type = "lora"``, ``general.architecture`` equal to the base's, the float
``adapter.lora.alpha``, and for each adapted weight of the base two tensors named after it,
``blk.0.attn_q.weight.lora_a`` and ``.lora_b``. Their numpy shapes are PEFT's own: A is
(r, in), B is (out, r). At run time llama.cpp adds ``scale · B(A x)`` with
``scale = alpha / r`` (r read from B), which is PEFT's ``lora_alpha / r``.

The q/k permutation of ``export_gguf`` applies here too: the update to W is B·A, and
reordering the rows of W for llama.cpp's rotary layout reorders the rows of B; A is untouched.
PEFT settings that a single alpha cannot express (rsLoRA, per-module ranks or alphas) are
folded into B, so the product that llama.cpp computes is still PEFT's.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.models import ADAPTER_GGUF_PREFIX
from emolab.models.gguf_file import encode, gguf_writer, read_template
from emolab.models.runs import find_template
from emolab.train.export_gguf import (
    PERMUTED,
    Weights,
    gguf_name,
    template_layout,
    to_interleaved_rows,
)

ADAPTER_TYPES = ("f16", "f32")
# "base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight" -> the base weight's name.
PEFT_PATTERN = re.compile(r"^base_model\.model\.(.+)\.lora_([AB])\.weight$")
# Adapter settings that change what the weights mean beyond B·A; refused rather than dropped.
UNSUPPORTED = {"use_dora": "DoRA", "modules_to_save": "modules_to_save",
               "trainable_token_indices": "trainable tokens", "lora_bias": "LoRA biases",
               "fan_in_fan_out": "fan_in_fan_out"}


@dataclass(frozen=True)
class Pair:
    """One adapted weight: its GGUF name, the PEFT A and B tensors, and how to write B."""

    name: str  # the base tensor, e.g. "blk.0.attn_q.weight"
    a: str
    b: str
    heads: int | None  # reorder B's rows for this many heads (q and k), else None
    factor: float  # B is multiplied by this (1.0 unless PEFT's scale is not alpha / r)


def adapter_folder(source: Path) -> Path:
    """The PEFT adapter to export: ``RUN/adapter`` for a run folder, else ``source`` itself."""
    source = Path(source)
    if (source / "manifest.json").is_file():
        if (source / "adapter" / "adapter_config.json").is_file():
            return source / "adapter"
        raise EmolabError(f"the run {source} has no adapter/ (adapter_config.json): nothing "
                          "to export as a LoRA")
    if not (source / "adapter_config.json").is_file():
        raise EmolabError(f"{source} is neither a training run (manifest.json + adapter/) nor "
                          "a PEFT adapter folder (adapter_config.json)")
    return source


def adapter_template(source: Path, folder: Path) -> Path | None:
    """The base GGUF the adapter was trained on: from the run, from the run around an
    ``adapter/`` folder, or from the HF folder named in ``adapter_config.json``."""
    source = Path(source)
    for candidate in (source, folder.parent):
        if (candidate / "manifest.json").is_file():
            found = find_template(candidate)
            if found is not None:
                return found
    base = read_config(folder).get("base_model_name_or_path")
    return find_template(Path(base)) if base and Path(base).is_dir() else None


def read_config(folder: Path) -> dict[str, Any]:
    path = folder / "adapter_config.json"
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise EmolabError(f"{path} is not readable JSON: {err}") from None
    if not isinstance(config, dict):
        raise EmolabError(f"{path} is not a JSON object")
    return config


def check_config(config: dict[str, Any], path: Path) -> None:
    if config.get("peft_type", "LORA") != "LORA":
        raise EmolabError(f"{path}: peft_type is {config['peft_type']!r}; only LoRA adapters "
                          "export to a GGUF LoRA")
    for key, what in UNSUPPORTED.items():
        if config.get(key):
            raise EmolabError(f"{path}: the adapter uses {what} ({key}), which a GGUF LoRA "
                              "cannot hold; export the merged model instead (export-gguf)")


def module_scale(config: dict[str, Any], module: str, rank: int) -> float:
    """PEFT's scale of one module's update: alpha / r, or alpha / sqrt(r) with rsLoRA, where
    alpha may come from ``alpha_pattern`` (matched on the module's name)."""
    alpha = float(config.get("lora_alpha", 8))
    for pattern, value in (config.get("alpha_pattern") or {}).items():
        if re.search(rf"(^|\.){pattern}$", module):
            alpha = float(value)
    return alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank


def gguf_alpha(config: dict[str, Any]) -> float:
    """The one alpha written to the file: llama.cpp scales by alpha / r (r of each tensor)."""
    alpha, rank = float(config.get("lora_alpha", 8)), int(config.get("r", 8))
    return alpha * math.sqrt(rank) if config.get("use_rslora") else alpha


def plan_pairs(weights: Weights, config: dict[str, Any], layout: dict[str, Any],
               template: Path) -> list[Pair]:
    """Match every A/B pair to a weight of the template and check the shapes, before any
    weight is read. Pairs come out in the template's tensor order."""
    folder = weights.folder
    halves: dict[str, dict[str, str]] = {}
    for key in weights.shapes:
        match = PEFT_PATTERN.match(key)
        if match is None:
            raise EmolabError(f"{folder} holds {key!r}, which is not a LoRA A/B weight of a "
                              "linear layer (embedding LoRA and saved modules are not exported)")
        halves.setdefault(match.group(1), {})[match.group(2)] = key
    alpha = gguf_alpha(config)
    pairs = {}
    for module, ab in halves.items():
        if set(ab) != {"A", "B"}:
            raise EmolabError(f"{folder}: {module} has lora_{''.join(ab)} but not its pair")
        name = gguf_name(module + ".weight")
        if name is None or name not in layout["shapes"]:
            raise EmolabError(f"{folder}: {module} has no weight in the template {template} "
                              f"(GGUF name {name})")
        (rank, cols), (rows, rank_b) = weights.shapes[ab["A"]], weights.shapes[ab["B"]]
        if rank != rank_b or (rows, cols) != layout["shapes"][name]:
            raise EmolabError(f"{folder}: {module} has A {weights.shapes[ab['A']]} and B "
                              f"{weights.shapes[ab['B']]}, but the template's {name} is "
                              f"{layout['shapes'][name]}: not an adapter of this model")
        permuted = PERMUTED.get(name.split(".", 2)[-1])
        pairs[name] = Pair(name, ab["A"], ab["B"], layout[permuted] if permuted else None,
                           module_scale(config, module, rank) / (alpha / rank))
    return [pairs[name] for name in layout["shapes"] if name in pairs]


def write_adapter(pairs: list[Pair], weights: Weights, alpha: float, outtype: str, out: Path,
                  *, arch: str = "llama", name: str | None = None) -> None:
    from gguf import GGUFValueType

    with gguf_writer(out, arch) as writer:
        writer.add_key_value("general.type", "adapter", GGUFValueType.STRING)
        writer.add_key_value("adapter.type", "lora", GGUFValueType.STRING)
        writer.add_key_value("adapter.lora.alpha", alpha, GGUFValueType.FLOAT32)
        if name:
            writer.add_key_value("general.name", name, GGUFValueType.STRING)
        for pair in pairs:
            a, b = weights.load(pair.a), weights.load(pair.b)
            if pair.heads is not None:
                b = to_interleaved_rows(b, pair.heads)
            if pair.factor != 1.0:
                b = b * pair.factor
            for suffix, array in (("lora_a", a), ("lora_b", b)):
                data, ggml_type = encode(array, outtype)
                writer.add_tensor(f"{pair.name}.{suffix}", data, raw_dtype=ggml_type)


def export_lora(source: Path, out: Path | None = None, *, outtype: str = "f16",
                template: Path | None = None, echo: Callable[[str], Any] = print) -> Path:
    """Write ``source``'s LoRA adapter (a run folder's ``adapter/`` or a PEFT adapter folder)
    as a GGUF LoRA for the base GGUF it was trained on. Returns the path written: ``out``, or
    ``RUN/adapter-<outtype>.gguf``."""
    source = Path(source)
    if outtype not in ADAPTER_TYPES:
        raise EmolabError(f"unknown adapter type {outtype!r}; choose one of: "
                          f"{', '.join(ADAPTER_TYPES)}")
    folder = adapter_folder(source)
    config = read_config(folder)
    check_config(config, folder / "adapter_config.json")
    template = Path(template) if template is not None else adapter_template(source, folder)
    if template is None:
        raise EmolabError(f"cannot tell which GGUF {source} was trained on; pass the base "
                          "model's GGUF with --template BASE.gguf")
    if not template.is_file():
        raise EmolabError(f"template {template} is not a file")
    run = source if (source / "manifest.json").is_file() else folder
    out = Path(out) if out is not None else run / f"{ADAPTER_GGUF_PREFIX}{outtype}.gguf"

    start = time.perf_counter()
    echo(f"reading {folder} (base {template})")
    weights = Weights(folder)
    reader = read_template(template)
    layout = template_layout(reader, template)
    pairs = plan_pairs(weights, config, layout, template)
    if not pairs:
        raise EmolabError(f"{folder} holds no LoRA weights")
    echo(f"writing {len(pairs)} LoRA pairs as {outtype} to {out}")
    write_adapter(pairs, weights, gguf_alpha(config), outtype, out,
                  arch=reader.fields["general.architecture"].contents(), name=run.name)
    echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in "
         f"{time.perf_counter() - start:.1f} s; run it on {template}")
    return out

