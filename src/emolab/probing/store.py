"""Activations on disk: one float32 ``.npy`` per layer and pooling, written batch by batch.

Layout of a store folder::

    meta.json                 what was extracted (model, rows, layers, width, poolings, key)
    layers.{i}.{pooling}.npy  (rows x width) float32, opened as a memory map
    rows_done.npy             uint8 per row: 1 once that row is on disk in every layer file
    complete                  an empty file written when every row is done

Rows are marked done only after the layer files were flushed, so a killed extraction loses at
most the batch in flight, and a rerun extracts only the rows still at 0.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

POOLINGS = ("mean", "last")


def layer_name(layer: int, pooling: str) -> str:
    """Stable name of one cached array, after TransformerLens' ``layers.{i}`` naming."""
    return f"layers.{layer}.{pooling}"


def _write_json(path: Path, data: dict) -> None:
    # Write then rename: a reader never sees half a file, even if we are killed mid-write.
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    os.replace(tmp, path)


class ActivationStore:
    """A folder of per-layer arrays; open an existing one or ``create`` a new one."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        meta_path = self.root / "meta.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"{meta_path} does not exist: not an activation store")
        self.meta = json.loads(meta_path.read_text())
        self._writers: dict[str, np.memmap] = {}

    # -- creation ---------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, *, n_rows: int, n_layers: int, width: int,
               poolings: Sequence[str] = POOLINGS, meta: dict | None = None) -> ActivationStore:
        """Allocate the layer files (sparse on most file systems) and an all-zero done map."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        for layer in range(n_layers):
            for pooling in poolings:
                array = np.lib.format.open_memmap(
                    root / f"{layer_name(layer, pooling)}.npy", mode="w+", dtype=np.float32,
                    shape=(n_rows, width))
                del array  # closes the map; the header and size are on disk
        done = np.lib.format.open_memmap(root / "rows_done.npy", mode="w+", dtype=np.uint8,
                                         shape=(n_rows,))
        done.flush()
        del done
        full = dict(meta or {})
        full.update(n_rows=n_rows, n_layers=n_layers, width=width, poolings=list(poolings))
        _write_json(root / "meta.json", full)  # last: its presence means the files exist
        return cls(root)

    # -- facts ------------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return int(self.meta["n_rows"])

    @property
    def n_layers(self) -> int:
        """Entries of ``hidden_states``: the embeddings (layer 0) plus one per block."""
        return int(self.meta["n_layers"])

    @property
    def width(self) -> int:
        return int(self.meta["width"])

    @property
    def poolings(self) -> tuple[str, ...]:
        return tuple(self.meta["poolings"])

    def rows_done(self) -> np.ndarray:
        return np.load(self.root / "rows_done.npy")

    @property
    def complete(self) -> bool:
        return (self.root / "complete").is_file()

    # -- writing ----------------------------------------------------------------------------
    def write(self, rows: np.ndarray, layer: int, pooling: str, values: np.ndarray) -> None:
        """Put ``values`` (len(rows) x width) at ``rows`` of one layer file."""
        name = layer_name(layer, pooling)
        if name not in self._writers:
            self._writers[name] = np.load(self.root / f"{name}.npy", mmap_mode="r+")
        self._writers[name][rows] = values

    def mark_done(self, rows: Iterable[int]) -> None:
        """Flush every layer file, then record ``rows`` as done (in that order, for resume)."""
        for array in self._writers.values():
            array.flush()
        done = np.load(self.root / "rows_done.npy", mmap_mode="r+")
        done[np.asarray(list(rows), dtype=np.int64)] = 1
        done.flush()
        del done
        if self.rows_done().all():
            (self.root / "complete").touch()

    def close(self) -> None:
        for array in self._writers.values():
            array.flush()
        self._writers.clear()

    # -- reading ----------------------------------------------------------------------------
    def layer(self, layer: int, pooling: str = "mean", *, in_memory: bool = True) -> np.ndarray:
        """One layer's (rows x width) array; a memory map when ``in_memory`` is False."""
        if not 0 <= layer < self.n_layers:
            raise IndexError(f"layer {layer} outside 0..{self.n_layers - 1}")
        if pooling not in self.poolings:
            raise KeyError(f"pooling {pooling!r} not stored; have {self.poolings}")
        path = self.root / f"{layer_name(layer, pooling)}.npy"
        return np.load(path) if in_memory else np.load(path, mmap_mode="r")
