"""Turn a training run's merged model (a Hugging Face llama folder) back into a GGUF file.

Why a template: a GGUF carries far more than weights (tokenizer, merges, chat template,
hyper-parameters under llama.cpp's key names). Rebuilding those from a HF folder is what
llama.cpp's converter does for hundreds of architectures; a LoRA run never changes them, so
the base model's own GGUF already holds the right ones. We copy its key/value metadata as it
is, and write the fine-tuned weights under the template's tensor names and shapes.

The one non-obvious step is the q/k permutation. llama.cpp applies rotary embeddings to
adjacent pairs of a head's dimensions (0,1), (2,3), ...; Hugging Face's llama rotates
dimension k together with k + head_dim/2. The same model therefore stores the rows of its q
and k projections in a different order in the two formats, and transformers' GGUF loader
reorders them on reading; we reorder them back on writing (``to_interleaved_rows``).

torch, safetensors and gguf are imported inside the functions: ``emolab --help`` stays fast.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.models.gguf_file import (
    OUTTYPES,
    copy_metadata,
    encode,
    gguf_writer,
    numpy_shape,
    read_template,
    uint_key,
)
from emolab.models.runs import find_template

# Hugging Face llama parameter name -> GGUF tensor name ({i} = layer number).
GLOBAL_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
}
LAYER_NAMES = {
    "input_layernorm.weight": "attn_norm.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}
# Tensors whose rows are reordered for llama.cpp's rotary layout -> the layout's head count.
PERMUTED = {"attn_q.weight": "n_heads", "attn_k.weight": "n_kv_heads"}
LAYER_PATTERN = re.compile(r"^model\.layers\.(\d+)\.(.+)$")


# -- names and the q/k permutation ------------------------------------------------------------

def gguf_name(hf_name: str) -> str | None:
    """The GGUF tensor name of a HF llama parameter, or None if it has none."""
    if hf_name in GLOBAL_NAMES:
        return GLOBAL_NAMES[hf_name]
    match = LAYER_PATTERN.match(hf_name)
    if match and match.group(2) in LAYER_NAMES:
        return f"blk.{match.group(1)}.{LAYER_NAMES[match.group(2)]}"
    return None


def to_interleaved_rows(weight: Any, n_heads: int) -> Any:
    """Reorder the rows of a HF q/k projection for llama.cpp's rotary layout.

    Inside each head of ``d`` rows, HF keeps the rotation pairs as (k, k + d/2); llama.cpp
    wants them adjacent, (2k, 2k+1). So llama.cpp row 2k is HF row k and row 2k+1 is HF row
    k + d/2: view a head as (2 halves, d/2 pairs), swap to (d/2 pairs, 2 halves), flatten.
    """
    rows, cols = weight.shape
    if rows % (2 * n_heads):
        raise EmolabError(f"a q/k projection has {rows} rows, not a multiple of 2 × {n_heads} "
                          "heads: the template's head counts do not fit this model")
    half = rows // n_heads // 2
    return weight.reshape(n_heads, 2, half, cols).swapaxes(1, 2).reshape(rows, cols)


# -- finding the inputs -----------------------------------------------------------------------

def model_folder(source: Path) -> Path:
    """The HF folder to export: ``RUN/merged`` for a run folder, else ``source`` itself."""
    source = Path(source)
    if (source / "manifest.json").is_file() and (source / "merged").is_dir():
        return source / "merged"
    if (source / "manifest.json").is_file():
        raise EmolabError(f"the run {source} has no merged/ model (trained with --no-merge?); "
                          "export needs the merged weights")
    if not (source / "config.json").is_file():
        raise EmolabError(f"{source} is neither a training run (manifest.json + merged/) nor a "
                          "Hugging Face model folder (config.json)")
    return source


class Weights:
    """The tensors of a folder's safetensors files, read one at a time when asked for.

    Names and shapes come from the file headers, so every check runs before any weight is
    read, and only one tensor at a time is held as float32 besides what the writer keeps.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors import safe_open

        files = sorted(folder.glob("*.safetensors"))
        if not files:
            raise EmolabError(f"{folder} holds no *.safetensors weights (pytorch_model.bin is "
                              "not read); save the model with save_pretrained()")
        self.folder = folder
        self.files: dict[str, Path] = {}
        self.shapes: dict[str, tuple[int, ...]] = {}
        for file in files:
            with safe_open(str(file), framework="pt") as handle:
                for name in handle.keys():  # noqa: SIM118 - safe_open is not a mapping
                    self.files[name] = file
                    self.shapes[name] = tuple(handle.get_slice(name).get_shape())

    def load(self, name: str) -> Any:
        import torch
        from safetensors import safe_open

        # framework="pt" reads bfloat16 too, which numpy cannot hold; float32 for the writer.
        with safe_open(str(self.files[name]), framework="pt") as handle:
            return handle.get_tensor(name).to(torch.float32).numpy()


# -- the template -----------------------------------------------------------------------------

def template_layout(reader: Any, path: Path) -> dict[str, Any]:
    """Architecture, head counts and tensor shapes of a template, checked to be a llama."""
    arch = reader.fields["general.architecture"].contents()
    if arch != "llama":
        raise EmolabError(f"{path} is a {arch!r} model; export supports llama-architecture "
                          "templates (e.g. SmolLM2)")
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    return {
        "n_heads": uint_key(reader, "llama.attention.head_count"),
        "n_kv_heads": uint_key(reader, "llama.attention.head_count_kv"),
        "vocab": len(tokens.data) if tokens is not None else None,
        "shapes": {t.name: numpy_shape(t) for t in reader.tensors},
    }


# -- matching weights to the template ---------------------------------------------------------

# A plan maps each template tensor name to (HF name, heads to permute the rows for or None).
Plan = dict[str, tuple[str, int | None]]


def plan_tensors(weights: Weights, layout: dict[str, Any], template: Path) -> Plan:
    """Which HF tensor fills each of the template's tensors (same names, same order); checks
    that nothing is missing, left over or of another shape before any weight is read."""
    folder = weights.folder
    found: Plan = {}
    unknown = []
    for hf in weights.shapes:
        name = gguf_name(hf)
        if name is None:
            unknown.append(hf)
            continue
        permuted = PERMUTED.get(name.split(".", 2)[-1])  # "blk.3.attn_q.weight" -> "attn_q.weight"
        found[name] = (hf, layout[permuted] if permuted else None)
    if unknown:
        raise EmolabError(f"{folder} has weights with no llama GGUF name: "
                          f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}")
    _check_tied_output(found, weights, layout, template)
    missing = [n for n in layout["shapes"] if n not in found]
    if missing:
        raise EmolabError(f"{folder} lacks tensors the template {template} has: "
                          f"{', '.join(missing[:5])}")
    _check_vocab(weights.shapes[found["token_embd.weight"][0]], layout, folder, template)
    for name, shape in layout["shapes"].items():
        ours = weights.shapes[found[name][0]]
        if ours != shape:
            raise EmolabError(f"tensor {name} is {ours} in {folder} but {shape} in the "
                              f"template {template}: not the same architecture")
    return {name: found[name] for name in layout["shapes"]}


def _check_tied_output(found: Plan, weights: Weights, layout: dict[str, Any],
                       template: Path) -> None:
    """Drop an output layer the template ties to the embeddings, if it really is the same."""
    import numpy as np

    if "output.weight" not in found or "output.weight" in layout["shapes"]:
        return
    output, embed = found.pop("output.weight")[0], found["token_embd.weight"][0]
    if not np.array_equal(weights.load(output), weights.load(embed)):
        raise EmolabError(f"{weights.folder} has an output layer (lm_head) of its own, but the "
                          f"template {template} ties it to the embeddings: it would be lost")


def _check_vocab(embed: tuple[int, ...], layout: dict[str, Any], folder: Path,
                 template: Path) -> None:
    if layout["vocab"] is not None and embed[0] != layout["vocab"]:
        raise EmolabError(f"{folder} has {embed[0]} embedding rows but the template "
                          f"{template} has {layout['vocab']} tokens: the vocabularies differ")


# -- writing ----------------------------------------------------------------------------------

def write_gguf(reader: Any, plan: Plan, weights: Weights, outtype: str, out: Path) -> None:
    """Write the metadata of ``reader`` and the tensors of ``plan`` to ``out``."""
    with gguf_writer(out, reader.fields["general.architecture"].contents()) as writer:
        copy_metadata(reader, writer, outtype)
        for name, (hf, heads) in plan.items():
            array = weights.load(hf)
            if heads is not None:
                array = to_interleaved_rows(array, heads)
            data, ggml_type = encode(array, outtype)
            writer.add_tensor(name, data, raw_dtype=ggml_type)


def export_gguf(source: Path, out: Path | None = None, *, outtype: str = "q8_0",
                template: Path | None = None, echo: Callable[[str], Any] = print) -> Path:
    """Write ``source``'s weights (a run folder's ``merged/`` or a HF llama folder) as a GGUF.

    Metadata (tokenizer, chat template, hyper-parameters) comes from ``template``, by default
    the base model's GGUF the run was trained from. Returns the path written: ``out``, or
    ``RUN/model-<outtype>.gguf``.
    """
    source = Path(source)
    if outtype not in OUTTYPES:
        raise EmolabError(f"unknown output type {outtype!r}; choose one of: {', '.join(OUTTYPES)}")
    folder = model_folder(source)
    template = Path(template) if template is not None else find_template(source)
    if template is None:
        raise EmolabError(f"cannot tell which GGUF {source} was made from; pass the base "
                          "model's GGUF with --template BASE.gguf")
    if not template.is_file():
        raise EmolabError(f"template {template} is not a file")
    out = Path(out) if out is not None else source / f"model-{outtype}.gguf"

    start = time.perf_counter()
    echo(f"reading {folder} (template {template})")
    weights = Weights(folder)  # headers only: fails at once on a folder without weights
    reader = read_template(template)
    layout = template_layout(reader, template)
    _check_config(folder, layout, template)
    plan = plan_tensors(weights, layout, template)
    echo(f"writing {len(plan)} tensors as {outtype} to {out}")
    write_gguf(reader, plan, weights, outtype, out)
    echo(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in "
         f"{time.perf_counter() - start:.1f} s")
    return out


def _check_config(folder: Path, layout: dict[str, Any], template: Path) -> None:
    """The folder's config must be a llama with the template's head counts: a wrong count
    would scramble the q/k permutation without any shape telling."""
    path = folder / "config.json"
    config = json.loads(path.read_text()) if path.is_file() else {}
    model_type = config.get("model_type")
    if model_type is not None and model_type != "llama":
        raise EmolabError(f"{path} is a {model_type!r} model; export supports llama models")
    pairs: Sequence[tuple[str, str]] = (("num_attention_heads", "n_heads"),
                                        ("num_key_value_heads", "n_kv_heads"))
    for key, ours in pairs:
        if key in config and int(config[key]) != layout[ours]:
            raise EmolabError(f"{path} has {key}={config[key]} but the template {template} "
                              f"has {layout[ours]}: not the same architecture")
