"""Reading and writing GGUF files: the cached reader of a template, its metadata copied into a
new file, tensors encoded as llama.cpp stores them, and a writer that never leaves half a file.

Shared by loading (the tuned model is merged into the base GGUF on first use) and exporting
(``emolab export-gguf``); gguf and numpy are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

OUTTYPES = ("f32", "f16", "q8_0")
# general.file_type values (gguf.LlamaFileType): what "mostly" means is "except 1-D tensors".
FILE_TYPES = {"f32": 0, "f16": 1, "q8_0": 7}
FILE_TYPE_KEY = "general.file_type"
# Written by GGUFWriter itself (architecture) or describing the old file (GGUF.* header fields).
SKIPPED_KEYS = ("general.architecture",)


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


def uint_key(reader: Any, key: str) -> int:
    field = reader.fields.get(key)
    if field is None:
        raise EmolabError(f"the template GGUF has no {key!r} key")
    return int(field.contents())


def numpy_shape(tensor: Any) -> tuple[int, ...]:
    """A GGUF tensor's shape as numpy (and HF) give it: GGUF lists dimensions innermost first."""
    return tuple(int(n) for n in reversed(tensor.shape))


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
