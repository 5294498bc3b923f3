from __future__ import annotations

import pytest
from train_support import make_pairs, write_jsonl

from emolab.errors import EmolabError
from emolab.train import data


class WordTokenizer:
    """Stands in for a chat template: 3 tokens of markup per message plus one per word."""

    def apply_chat_template(self, messages, tokenize=True, return_dict=True):
        ids = [0] * sum(3 + len(m["content"].split()) for m in messages)
        return {"input_ids": ids}


def test_conversational_pairs_are_read_from_jsonl_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = make_pairs(3)
    write_jsonl(tmp_path / "p.jsonl", rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "p.parquet")
    for name in ("p.jsonl", "p.parquet"):
        shaped = data.shape_rows(data.read_rows(tmp_path / name), "orpo", name)
        assert [r["chosen"] for r in shaped] == [r["chosen"] for r in rows]
        assert shaped[0]["prompt"][1] == {"role": "user", "content": rows[0]["prompt"][1]["content"]}
        assert set(shaped[0]) == {"prompt", "chosen", "rejected"}


def test_sft_takes_prompt_and_chosen_or_messages():
    row = make_pairs(1)[0]
    assert data.sft_row(row, "r") == {"prompt": row["prompt"], "completion": row["chosen"]}
    conversation = row["prompt"] + row["chosen"]
    assert data.sft_row({"messages": conversation}, "r") == {"messages": conversation}


def test_malformed_rows_are_refused():
    with pytest.raises(EmolabError, match="rejected"):
        data.preference_row({"prompt": "hi", "chosen": "a"}, "row 1")
    with pytest.raises(EmolabError, match="messages"):
        data.preference_row({"prompt": [{"content": "x"}], "chosen": "a", "rejected": "b"}, "r")


def test_over_long_rows_are_dropped_and_counted():
    rows = data.shape_rows(make_pairs(4), "dpo", "mem")
    long = dict(rows[0], rejected=[{"role": "assistant", "content": "word " * 300}])
    tokenizer = WordTokenizer()
    limit = max(data.token_length(tokenizer, r) for r in rows)
    kept, dropped = data.drop_long([*rows, long], tokenizer, limit)
    assert dropped == 1 and kept == rows
    # the limit applies to the longer of the two conversations, so one token less drops more
    kept, dropped = data.drop_long(rows, tokenizer, limit - 1)
    assert dropped >= 1 and len(kept) + dropped == len(rows)


def test_held_out_share_is_seeded_and_disjoint():
    rows = data.shape_rows(make_pairs(6), "sft", "mem")  # six different texts
    first = data.prepare(rows, None, tokenizer=WordTokenizer(), max_length=10_000,
                         eval_share=0.3, seed=3)
    second = data.prepare(rows, None, tokenizer=WordTokenizer(), max_length=10_000,
                          eval_share=0.3, seed=3)
    assert len(first.eval) == 2 and len(first.train) == 4
    assert first.eval == second.eval
    assert all(row not in first.train for row in first.eval)


def test_nothing_left_is_an_error():
    rows = data.shape_rows(make_pairs(2), "orpo", "mem")
    with pytest.raises(EmolabError, match="no training rows"):
        data.prepare(rows, None, tokenizer=WordTokenizer(), max_length=5, eval_share=0, seed=0)
