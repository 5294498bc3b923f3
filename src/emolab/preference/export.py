"""Export decided pairs: TRL preference rows, OpenAI preference fine-tuning JSONL, or the
paper's Table 1 view, with an optional seeded train / validation split."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from statistics import fmean
from typing import Any

from emolab.errors import EmolabError
from emolab.preference.store import DIMENSIONS, Item, PairStore

FORMATS = ("trl", "openai", "table")


def answer_text(item: Item, slot: int, fixed: dict[str, Any] | None = None) -> str:
    """The assistant message of a response: the fixed answer, else the parsed answer as
    canonical JSON (key order kept), else the raw text."""
    if fixed is not None:
        return json.dumps(fixed, ensure_ascii=False)
    response = item.responses[slot]
    return json.dumps(response.parsed, ensure_ascii=False) if response.parsed else response.raw


def _rating_vectors(store: PairStore) -> dict[tuple[int, int], list[float | None]]:
    """Mean rating per (item, slot) over everyone who rated it, in DIMENSIONS order."""
    collected: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in store.all_ratings():
        collected.setdefault((row["item_id"], row["slot"]), []).append(row)
    return {key: [round(fmean(vals), 2) if (vals := [r[d] for r in rows if r[d] is not None])
                  else None for d in DIMENSIONS] for key, rows in collected.items()}


def decided_rows(store: PairStore, fmt: str) -> tuple[list[dict[str, Any]], int]:
    """The rows of ``fmt`` for every decided pair, and how many pairs are still undecided."""
    if fmt not in FORMATS:
        raise EmolabError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    vectors = _rating_vectors(store) if fmt == "table" else {}
    rows, undecided = [], 0
    for item in store.items():
        decision = store.decision(item.id)
        if decision is None or len(item.responses) < 2:
            undecided += 1
            continue
        chosen, rejected = decision["chosen_slot"], 1 - decision["chosen_slot"]
        chosen_text = answer_text(item, chosen, decision["fixed"])
        rejected_text = answer_text(item, rejected)
        if fmt == "trl":
            rows.append({"prompt": item.messages,
                         "chosen": [{"role": "assistant", "content": chosen_text}],
                         "rejected": [{"role": "assistant", "content": rejected_text}],
                         "id": item.example_id, "source": decision["source"]})
        elif fmt == "openai":
            rows.append({"input": {"messages": item.messages},
                         "preferred_output": [{"role": "assistant", "content": chosen_text}],
                         "non_preferred_output": [{"role": "assistant",
                                                   "content": rejected_text}]})
        else:
            rows.append({"id": item.example_id, "text": item.text, "gold": ", ".join(item.gold),
                         "response_1": answer_text(item, 0), "response_2": answer_text(item, 1),
                         "ratings_1": vectors.get((item.id, 0)),
                         "ratings_2": vectors.get((item.id, 1)),
                         "chosen": chosen + 1, "fixed": "yes" if decision["fixed"] else "no",
                         "decided_by": decision["source"], "status": item.status})
    return rows, undecided


def split_rows(rows: list[dict[str, Any]], *, validation: float, seed: int
               ) -> dict[str, list[dict[str, Any]]]:
    if not 0 <= validation < 1:
        raise EmolabError("the validation share must be in [0, 1)")
    if validation == 0:
        return {"all": rows}
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    n_val = max(1, round(len(shuffled) * validation)) if shuffled else 0
    return {"train": shuffled[n_val:], "validation": shuffled[:n_val]}


def write_rows(rows: list[dict[str, Any]], path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif suffix == ".csv" and fmt == "table":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["id"])
            writer.writeheader()
            for row in rows:
                writer.writerow({k: json.dumps(v) if isinstance(v, list) else v
                                 for k, v in row.items()})
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        raise EmolabError(f"{path}: use .jsonl or .parquet (or .csv for the table format)")


def export(store: PairStore, out: Path, *, fmt: str, validation: float = 0.0, seed: int = 42
           ) -> dict[str, Any]:
    rows, undecided = decided_rows(store, fmt)
    parts = split_rows(rows, validation=validation, seed=seed)
    written = {}
    for name, part in parts.items():
        path = out if name == "all" else out.with_name(f"{out.stem}.{name}{out.suffix}")
        write_rows(part, path, fmt)
        written[str(path)] = len(part)
    return {"format": fmt, "exported": len(rows), "undecided": undecided, "files": written,
            "seed": seed, "validation": validation}
