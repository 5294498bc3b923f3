"""Training rows: read a pairs / messages file, check its shape, drop rows that do not fit.

TRL truncates an over-long row, which can leave a preference pair whose completion is empty or
cut mid-answer: the model then learns from a different answer than the one people chose. So
rows longer than ``max_length`` tokens (with the chat template applied) are dropped and counted.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError

# TRL may add an end-of-sequence token after the templated text; keep room for it.
SPECIAL_TOKEN_ROOM = 1


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise EmolabError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if suffix in (".jsonl", ".json"):
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise EmolabError(f"{path}:{number}: not JSON ({err.msg})") from None
        return rows
    raise EmolabError(f"{path}: use a .jsonl or .parquet file")


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _messages(value: Any, where: str) -> list[dict[str, str]]:
    if isinstance(value, str):  # a bare completion string becomes one assistant turn
        return [{"role": "assistant", "content": value}]
    if not isinstance(value, list) or not value or not all(
            isinstance(m, dict) and "role" in m and "content" in m for m in value):
        raise EmolabError(f"{where}: expected a non-empty list of {{role, content}} messages")
    return [{"role": m["role"], "content": m["content"]} for m in value]


def preference_row(row: dict[str, Any], where: str) -> dict[str, Any]:
    """A conversational TRL preference row: prompt / chosen / rejected lists of messages."""
    missing = [k for k in ("prompt", "chosen", "rejected") if k not in row]
    if missing:
        raise EmolabError(f"{where}: missing {', '.join(missing)} (a pairs file from "
                          "`emolab pairs export --format trl` has prompt, chosen, rejected)")
    prompt = row["prompt"]
    if isinstance(prompt, str):
        prompt = [{"role": "user", "content": prompt}]
    return {"prompt": _messages(prompt, f"{where} prompt"),
            "chosen": _messages(row["chosen"], f"{where} chosen"),
            "rejected": _messages(row["rejected"], f"{where} rejected")}


def sft_row(row: dict[str, Any], where: str) -> dict[str, Any]:
    """TRL's prompt / completion when the row has them (instruction data) or is a pair (its
    chosen answer), so that the loss falls on the answer only, not on the instructions;
    else ``messages`` as given."""
    if "prompt" in row and "completion" in row:
        return {"prompt": _messages(row["prompt"], f"{where} prompt"),
                "completion": _messages(row["completion"], f"{where} completion")}
    if "messages" in row:
        return {"messages": _messages(row["messages"], f"{where} messages")}
    pair = preference_row(row, where)
    return {"prompt": pair["prompt"], "completion": pair["chosen"]}


def shape_rows(rows: list[dict[str, Any]], method: str, source: str) -> list[dict[str, Any]]:
    shape = sft_row if method == "sft" else preference_row
    return [shape(row, f"{source} row {i + 1}") for i, row in enumerate(rows)]


def token_length(tokenizer: Any, row: dict[str, Any]) -> int:
    """Tokens of the longest conversation in ``row`` with the chat template applied."""
    if "messages" in row:
        conversations = [row["messages"]]
    elif "completion" in row:
        conversations = [row["prompt"] + row["completion"]]
    else:
        conversations = [row["prompt"] + row["chosen"], row["prompt"] + row["rejected"]]
    lengths = [len(tokenizer.apply_chat_template(c, tokenize=True, return_dict=True)["input_ids"])
               for c in conversations]
    return max(lengths) + SPECIAL_TOKEN_ROOM


def drop_long(rows: list[dict[str, Any]], tokenizer: Any, max_length: int
              ) -> tuple[list[dict[str, Any]], int]:
    kept = [row for row in rows if token_length(tokenizer, row) <= max_length]
    return kept, len(rows) - len(kept)


@dataclass
class Split:
    train: list[dict[str, Any]]
    eval: list[dict[str, Any]]
    dropped_train: int
    dropped_eval: int


def prepare(train_rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]] | None, *,
            tokenizer: Any, max_length: int, eval_share: float, seed: int) -> Split:
    """Drop over-long rows, then hold out a seeded share for evaluation if no file was given."""
    train, dropped_train = drop_long(train_rows, tokenizer, max_length)
    dropped_eval = 0
    if eval_rows is not None:
        held, dropped_eval = drop_long(eval_rows, tokenizer, max_length)
    elif eval_share > 0 and len(train) > 1:
        shuffled = train[:]
        random.Random(seed).shuffle(shuffled)
        n_eval = max(1, round(len(shuffled) * eval_share))
        held, train = shuffled[:n_eval], shuffled[n_eval:]
    else:
        held = []
    if not train:
        raise EmolabError(f"no training rows left: {dropped_train} were longer than "
                          f"max_length={max_length} tokens")
    return Split(train, held, dropped_train, dropped_eval)
