"""Streamed corpus readers: every format, bad rows kept as failed records, broken files refused."""

from __future__ import annotations

import json

import pytest

from emolab.errors import DataFormatError
from emolab.label import readers
from emolab.label.readers import count_rows, read_corpus


def test_plain_text_ids_are_stable_and_bad_lines_become_failed_records(write):
    path = write("c.txt", b"\xef\xbb\xbfI love it\r\n\nbad \xff byte\nsame\nsame\n")
    records = list(read_corpus(path))
    assert [r.line for r in records] == [1, 2, 3, 4, 5]
    assert records[0].text == "I love it" and records[0].error is None
    assert records[1].error.startswith("empty text: line 2")
    assert records[2].error.startswith("undecodable bytes: line 3")
    assert "\ufffd" in records[2].text  # shown, never dropped
    # equal lines get distinct ids (the line number is part of it); a second read gives the same
    assert records[3].id != records[4].id
    assert [r.id for r in read_corpus(path)] == [r.id for r in records]
    assert records[3].id.startswith("L4-")


def test_csv_quoted_newlines_short_rows_bad_bytes_and_id_column(write):
    path = write("c.csv", b'id,text,extra\n'
                          b'a1,"two\nlines",x\n'
                          b'a2\n'
                          b'a3,"caf\xe9",y\n'
                          b',plain,z\n')
    records = list(read_corpus(path, id_column="id"))
    assert [(r.id, r.line) for r in records[:3]] == [("a1", 2), ("a2", 4), ("a3", 5)]
    assert records[0].text == "two\nlines" and records[0].error is None
    assert records[1].error.startswith("missing text column: line 4, field 'text'")
    assert records[2].error.startswith("undecodable bytes: line 5")
    assert records[3].id.startswith("L6-") and records[3].text == "plain"  # empty id: derived


def test_tsv_and_another_text_column(write):
    path = write("c.tsv", "n\tbody\n1\thello\n")
    (record,) = read_corpus(path, text_column="body")
    assert record.text == "hello" and record.error is None


def test_csv_without_the_text_column_stops_with_file_line_and_field(write):
    path = write("c.csv", "id,body\n1,hello\n")
    with pytest.raises(DataFormatError) as caught:
        read_corpus(path)  # refused before any row is read
    assert (caught.value.line, caught.value.field) == (1, "text")
    assert str(caught.value).startswith(f"{path}:1: field 'text'")


def test_jsonl_bad_rows(write):
    lines = [json.dumps({"id": 7, "text": "ok"}), "{not json", json.dumps(["a list"]),
             json.dumps({"id": 8}), json.dumps({"text": "\udc80"}),
             json.dumps({"text": {"nested": 1}}), ""]
    path = write("c.jsonl", "\n".join(lines) + "\n")
    records = list(read_corpus(path, id_column="id"))
    assert len(records) == 6  # the blank line is no row
    assert records[0].id == "7" and records[0].error is None
    assert records[1].error.startswith("unreadable row: line 2: invalid JSON")
    assert records[2].error == "unreadable row: line 3: not a JSON object"
    assert records[3].id == "8" and records[3].error.startswith("missing text column: line 4")
    assert records[4].error.startswith("undecodable bytes: line 5")
    assert records[5].text == '{"nested": 1}'  # kept as data


def test_parquet_in_batches_with_nulls(tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 2)
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"text": ["a", None, " ", "d", "e"], "key": [1, 2, 3, 4, 5]}), path)
    records = list(read_corpus(path, id_column="key"))
    assert [r.id for r in records] == ["1", "2", "3", "4", "5"]
    assert [r.line for r in records] == [1, 2, 3, 4, 5]
    assert records[1].error.startswith("missing text column: row 2")
    assert records[2].error.startswith("empty text")
    assert count_rows(path, "parquet") == 5
    with pytest.raises(DataFormatError, match="field 'body'"):
        read_corpus(path, text_column="body")


def test_unreadable_files_stop(write, tmp_path):
    with pytest.raises(DataFormatError, match="no such file"):
        read_corpus(tmp_path / "missing.txt")
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        read_corpus(write("x.parquet", b"not parquet at all"))
    with pytest.raises(DataFormatError, match="give --format"):
        read_corpus(write("x.docx", b"?"))
    with pytest.raises(DataFormatError, match="no header line"):
        read_corpus(write("empty.csv", b""))


def test_count_rows(write):
    assert count_rows(write("a.txt", "x\ny\nz"), "txt") == 3
    assert count_rows(write("b.csv", "text\nx\ny\n"), "csv") == 2
    assert count_rows(write("e.txt", ""), "txt") == 0


def test_reading_is_lazy(write):
    path = write("big.txt", "x\n" * 10)
    rows = read_corpus(path)
    assert next(rows).line == 1  # an iterator: nothing is read up front
