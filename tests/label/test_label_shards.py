"""The commit protocol: only logged shards count; what a kill leaves behind is undone."""

from __future__ import annotations

import json

import pytest

from emolab.errors import DataFormatError
from emolab.label.writer.shards import ShardStore


def rows(start: int, n: int) -> list[dict]:
    return [{"id": f"r{i}", "text": f"text {i}"} for i in range(start, start + n)]


def test_commit_then_reopen(tmp_path):
    store = ShardStore(tmp_path, fmt="jsonl")
    first = store.commit(rows(0, 3))
    store.commit(rows(3, 2))
    assert first.name == "part-00000.jsonl"
    again = ShardStore(tmp_path, fmt="jsonl")
    assert again.rows_done == 5
    assert [c["first_id"] for c in again.commits] == ["r0", "r3"]
    lines = [json.loads(x) for p in again.shard_paths() for x in p.read_text().splitlines()]
    assert [r["id"] for r in lines] == [f"r{i}" for i in range(5)]


def test_leftovers_of_a_kill_are_undone(tmp_path):
    store = ShardStore(tmp_path, fmt="jsonl")
    store.commit(rows(0, 2))
    data = tmp_path / "data"
    (data / ".part-00001.jsonl.tmp").write_text('{"id": "half')  # killed while writing
    (data / "part-00001.jsonl").write_text('{"id": "r2"}\n')  # renamed, never logged
    with (tmp_path / "commits.jsonl").open("a") as log:
        log.write('{"shard": "data/part-0000')  # killed while logging
    reopened = ShardStore(tmp_path, fmt="jsonl")
    assert reopened.rows_done == 2
    assert sorted(p.name for p in data.iterdir()) == ["part-00000.jsonl"]
    reopened.commit(rows(2, 1))
    log = (tmp_path / "commits.jsonl").read_text().splitlines()
    assert [json.loads(x)["start"] for x in log] == [0, 2]


def test_a_damaged_log_is_reported(tmp_path):
    ShardStore(tmp_path, fmt="jsonl").commit(rows(0, 1))
    log = tmp_path / "commits.jsonl"
    log.write_text("garbage\n" + log.read_text())
    with pytest.raises(DataFormatError, match=r"commits\.jsonl:1"):
        ShardStore(tmp_path, fmt="jsonl")
    log.write_text('{"shard": "data/part-00000.jsonl"}\n')  # JSON, but not a commit record
    with pytest.raises(DataFormatError, match=r"commits\.jsonl:1.*no rows, start"):
        ShardStore(tmp_path, fmt="jsonl")


def test_parquet_shards(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    store = ShardStore(tmp_path)
    store.commit(rows(0, 4))
    table = pq.read_table(tmp_path / "data")
    assert table.column("id").to_pylist() == ["r0", "r1", "r2", "r3"]
