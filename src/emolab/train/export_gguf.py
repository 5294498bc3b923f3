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

import contextlib
import functools
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

OUTTYPES = ("f32", "f16", "q8_0")
# general.file_type values (gguf.LlamaFileType): what "mostly" means is "except 1-D tensors".
FILE_TYPES = {"f32": 0, "f16": 1, "q8_0": 7}
FILE_TYPE_KEY = "general.file_type"
# Written by GGUFWriter itself (architecture) or describing the old file (GGUF.* header fields).
SKIPPED_KEYS = ("general.architecture",)

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


def find_template(source: Path, _depth: int = 0) -> Path | None:
    """The base model's GGUF for ``source``, when it can be told; else None.

    A run records what it was trained from (``manifest.json`` config ``model`` and
    ``base_model_folder``); a folder that emolab converted from a GGUF records that file in
    ``emolab-converted.json``.
    """
    from emolab.models import default_gguf

    source = Path(source)
    manifest = source / "manifest.json"
    folders = [source, source / "merged"]
    if manifest.is_file():
        config = json.loads(manifest.read_text()).get("config", {})
        model = str(config.get("model") or "")
        if model == "default":
            return default_gguf()
        if model.endswith(".gguf") and Path(model).expanduser().is_file():
            return Path(model).expanduser()
        base_run = Path(model).expanduser()
        if _depth < 5 and model and (base_run / "manifest.json").is_file():
            return find_template(base_run, _depth + 1)  # trained on top of an earlier run
        if config.get("base_model_folder"):
            folders.append(Path(config["base_model_folder"]))
    for folder in folders:
        record = folder / "emolab-converted.json"
        if record.is_file():
            converted = Path(json.loads(record.read_text()).get("source", ""))
            if converted.suffix == ".gguf" and converted.is_file():
                return converted
    return None


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

def read_template(path: Path) -> Any:
    """A ``GGUFReader`` of ``path``, kept for the next call on the same unchanged file:
    parsing ~100k tokenizer strings takes seconds, the tensors themselves are memory-mapped."""
    stat = path.stat()
    return _cached_reader(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _cached_reader(path: str, size: int, mtime_ns: int) -> Any:
    from gguf import GGUFReader

    try:
        return GGUFReader(path)
    except (ValueError, OSError) as err:  # the reader's own messages name no file
        raise EmolabError(f"{path} is not a readable GGUF file: {err}") from None


def _field_value(field: Any) -> tuple[Any, Any, Any]:
    """(value, type, sub-type) of a GGUFReader field, ready for ``GGUFWriter.add_key_value``."""
    from gguf import GGUFValueType

    main = field.types[0]
    if main == GGUFValueType.ARRAY:
        if len(field.types) != 2:
            raise EmolabError(f"metadata key {field.name!r} is a nested array; not supported")
        return list(field.contents()), main, field.types[1]
    return field.contents(), main, None


def _uint(reader: Any, key: str) -> int:
    field = reader.fields.get(key)
    if field is None:
        raise EmolabError(f"the template GGUF has no {key!r} key")
    return int(field.contents())


def numpy_shape(tensor: Any) -> tuple[int, ...]:
    """A GGUF tensor's shape as numpy (and HF) give it: GGUF lists dimensions innermost first."""
    return tuple(int(n) for n in reversed(tensor.shape))


def template_layout(reader: Any, path: Path) -> dict[str, Any]:
    """Architecture, head counts and tensor shapes of a template, checked to be a llama."""
    arch = reader.fields["general.architecture"].contents()
    if arch != "llama":
        raise EmolabError(f"{path} is a {arch!r} model; export supports llama-architecture "
                          "templates (e.g. SmolLM2)")
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    return {
        "n_heads": _uint(reader, "llama.attention.head_count"),
        "n_kv_heads": _uint(reader, "llama.attention.head_count_kv"),
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

def encode(array: Any, outtype: str) -> tuple[Any, Any]:
    """(data, GGML type) of one tensor. 1-D tensors (norms) stay float32 as llama.cpp keeps
    them; a row length that Q8_0's 32-value blocks do not divide falls back to float16."""
    import numpy as np
    from gguf import GGMLQuantizationType as T
    from gguf import quants

    array = np.ascontiguousarray(array, dtype=np.float32)
    if outtype == "f32" or array.ndim == 1:
        return array, T.F32
    if outtype == "q8_0" and array.shape[-1] % 32 == 0:
        return quants.quantize(array, T.Q8_0), T.Q8_0
    return array.astype(np.float16), T.F16


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


def copy_metadata(reader: Any, writer: Any, outtype: str) -> None:
    """Every key of the template (tokenizer, chat template, hyper-parameters) as it is, but
    the file type, which says what most tensors are stored as."""
    from gguf import GGUFValueType

    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key in SKIPPED_KEYS:
            continue
        if key == FILE_TYPE_KEY:
            writer.add_key_value(key, FILE_TYPES[outtype], GGUFValueType.UINT32)
            continue
        writer.add_key_value(key, *_field_value(field))
    if FILE_TYPE_KEY not in reader.fields:
        writer.add_key_value(FILE_TYPE_KEY, FILE_TYPES[outtype], GGUFValueType.UINT32)


@contextlib.contextmanager
def gguf_writer(out: Path, arch: str) -> Iterator[Any]:
    """A ``GGUFWriter`` whose keys and tensors are written to ``out`` when the block ends,
    through a temporary file in the same folder renamed at the end: a kill leaves no
    half-written GGUF (nor one that a ``*.gguf`` glob would pick up)."""
    from gguf import GGUFWriter

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    writer = GGUFWriter(partial, arch)
    try:
        yield writer
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(partial, out)
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise


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
