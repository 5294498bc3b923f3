"""Bad input gets an error naming the file, the line and the field."""

from __future__ import annotations

import pytest

from emolab.data import load
from emolab.data.paths import resolve_data_dir
from emolab.errors import DataFormatError, DataNotFoundError, EmolabError
from emolab.labels import SEMEVAL_EC

EC = "semeval2018_task1/English/E-c/2018-E-c-En-train.txt"
HEADER = "ID\tTweet\t" + "\t".join(SEMEVAL_EC.labels)
ZEROS = "\t".join("0" * len(SEMEVAL_EC.labels))


def test_missing_column(write, tmp_path):
    write(EC, HEADER.replace("\ttrust", "") + "\n")
    with pytest.raises(DataFormatError) as err:
        load("semeval-ec", "train", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (1, "trust")
    assert "2018-E-c-En-train.txt:1: field 'trust': missing column" in str(err.value)


def test_label_outside_the_label_set(write, tmp_path):
    write("dair_emotion/train.txt", "text;label_name\nfine;joy\nhmm;boredom\n")
    with pytest.raises(DataFormatError) as err:
        load("dair-emotion", "train", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (3, "label")
    assert "'boredom' is not in the label set" in str(err.value)


def test_flag_that_is_not_binary(write, tmp_path):
    write(EC, f"{HEADER}\nid1\ttext\t{ZEROS[:-1]}2\n")
    with pytest.raises(DataFormatError) as err:
        load("semeval-ec", "train", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (2, "trust")


def test_non_utf8_file(write, tmp_path):
    write("dair_emotion/train.txt", b"text;label\ncaf\xe9 time;joy\n")
    with pytest.raises(DataFormatError) as err:
        load("dair-emotion", "train", data_dir=tmp_path)
    assert err.value.line == 2
    assert "not valid UTF-8" in str(err.value)


def test_empty_file(write, tmp_path):
    write("goemotions/train.tsv", "")
    with pytest.raises(DataFormatError, match=r"train\.tsv: file is empty"):
        load("goemotions", "train", data_dir=tmp_path)


def test_truncated_line_names_the_missing_field(write, tmp_path):
    write(EC, f"{HEADER}\nid1\ttext\t{ZEROS}\nid2\tcut off here\n")
    with pytest.raises(DataFormatError) as err:
        load("semeval-ec", "train", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (3, "anger")
    assert "truncated" in str(err.value)


def test_truncated_jsonl_line(write, tmp_path):
    write("emobench/EA.jsonl", '{"qid": "1", "language": "en", "scenario": "S", "subj\n')
    with pytest.raises(DataFormatError) as err:
        load("emobench-ea", "en", data_dir=tmp_path)
    assert err.value.line == 1 and "truncated" in str(err.value)


def test_missing_json_field(write, tmp_path):
    write("emobench/EA.jsonl", '{"qid": "1", "language": "en", "scenario": "S", "subject": "A", '
                               '"category": "c", "question type": "q", "choices": ["a"]}\n')
    with pytest.raises(DataFormatError) as err:
        load("emobench-ea", "en", data_dir=tmp_path)
    assert err.value.field == "label"


def test_goemotions_label_id_out_of_range(write, tmp_path):
    write("goemotions/test.tsv", "ok\t3\tc1\nbad\t28\tc2\n")
    with pytest.raises(DataFormatError) as err:
        load("goemotions", "test", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (2, "label_ids")


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"dair_emotion/test\.txt"):
        load("dair-emotion", "test", data_dir=tmp_path)


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EMOLAB_DATA", str(tmp_path))
    assert resolve_data_dir() == tmp_path
    monkeypatch.delenv("EMOLAB_DATA")
    with pytest.raises(EmolabError, match="--data-dir"):
        resolve_data_dir()
