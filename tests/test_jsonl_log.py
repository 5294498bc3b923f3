"""The append-only log every resumable run writes: torn tails, missing newlines, damage, keys."""

from __future__ import annotations

import json

import pytest

from emolab.errors import DataFormatError, EmolabError
from emolab.jsonl_log import AppendLog, read_log


def by_id(row):
    return row["id"]


def write_rows(path, ids):
    with AppendLog(path, key=by_id) as log:
        for i in ids:
            log.append({"id": i, "text": f"row {i} – ünïcode"})


def test_rows_survive_reopen(tmp_path):
    path = tmp_path / "sub" / "log.jsonl"  # the folder is made at the first append
    write_rows(path, [1, 2])
    with AppendLog(path, key=by_id) as log:
        assert [r["id"] for r in log.rows] == [1, 2] and log.keys == {1, 2}
        log.append({"id": 3})
    again = AppendLog(path, key=by_id)
    assert [r["id"] for r in again.rows] == [1, 2, 3]
    assert again.first == {"id": 1, "text": "row 1 – ünïcode"}
    assert path.read_bytes().count(b"\n") == 3


def test_a_torn_tail_is_cut_and_its_row_redone(tmp_path):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1, 2])
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"id": 3, "text": "cut in the mid')
    assert [r["id"] for r in read_log(path, key=by_id)] == [1, 2]
    assert path.read_bytes().endswith(b"mid")  # reading alone changes nothing
    log = AppendLog(path, key=by_id)
    assert log.keys == {1, 2} and path.read_bytes() == whole
    log.append({"id": 3})
    log.close()
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == [1, 2, 3]


def test_a_kill_inside_a_multibyte_character_is_a_torn_tail(tmp_path):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1])
    whole = path.read_bytes()
    path.write_bytes(whole + '{"id": 2, "text": "é'.encode()[:-1])
    assert AppendLog(path, key=by_id).keys == {1}
    assert path.read_bytes() == whole


def test_a_missing_final_newline_is_added(tmp_path):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1, 2])
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    with AppendLog(path, key=by_id) as log:
        assert log.keys == {1, 2}  # the last row was whole: kept
        log.append({"id": 3})
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == [1, 2, 3]


@pytest.mark.parametrize(("bad", "words"), [
    (b"garbage", "not JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"no_id": 1}', "no usable key"),
])
def test_a_damaged_line_elsewhere_names_file_and_line(tmp_path, bad, words):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1, 2])
    first, second = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(first + bad + b"\n" + second)
    before = path.read_bytes()
    for opening in (lambda: AppendLog(path, key=by_id), lambda: read_log(path, key=by_id)):
        with pytest.raises(DataFormatError) as caught:
            opening()
        assert caught.value.line == 2 and caught.value.path == path
        assert f"{path}:2: unreadable row" in str(caught.value) and words in str(caught.value)
    assert path.read_bytes() == before  # nothing is cut from a damaged file


def test_a_whole_last_row_without_its_key_is_reported_not_cut(tmp_path):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1])
    path.write_bytes(path.read_bytes() + b'{"other": 2}')
    with pytest.raises(DataFormatError, match=r"log\.jsonl:2: unreadable row"):
        AppendLog(path, key=by_id)
    assert path.read_bytes().endswith(b'{"other": 2}')


def test_duplicates_are_refused_when_asked(tmp_path):
    path = tmp_path / "log.jsonl"
    with AppendLog(path, key=by_id, unique=True) as log:
        log.append({"id": 1})
        with pytest.raises(EmolabError, match="key 1 is already in"):
            log.append({"id": 1})
    assert path.read_text().count("\n") == 1
    path.write_text('{"id": 1}\n{"id": 2}\n{"id": 1}\n')
    with pytest.raises(DataFormatError) as caught:
        AppendLog(path, key=by_id, unique=True)
    assert caught.value.line == 3 and "first on line 1" in str(caught.value)
    allowed = AppendLog(path, key=by_id)  # without unique, a repeated key is just done
    assert len(allowed.rows) == 3 and allowed.keys == {1, 2}


def test_keep_rows_false_keeps_keys_and_first_row_only(tmp_path):
    path = tmp_path / "log.jsonl"
    write_rows(path, [1, 2])
    with AppendLog(path, key=by_id, keep_rows=False) as log:
        log.append({"id": 3})
        assert log.rows == [] and log.keys == {1, 2, 3} and log.first["id"] == 1


def test_a_missing_file_is_an_empty_log(tmp_path):
    path = tmp_path / "none.jsonl"
    log = AppendLog(path, key=by_id)
    assert (log.rows, log.keys, log.first) == ([], set(), None)
    assert read_log(path, key=by_id) == [] and not path.exists()
