"""Items in EmoBench's own format: good files load; a malformed item names file, line, field."""

from __future__ import annotations

import json

import pytest
from emobench_support import ea_row, eu_row, write_items

from emolab.emobench.items import load_items, read_items
from emolab.errors import DataFormatError


def test_reads_eu_and_ea_rows(tmp_path) -> None:
    items = read_items(write_items(tmp_path / "items.jsonl", [eu_row(1), ea_row(2)]))
    eu, ea = items
    assert (eu.task, eu.id, eu.category, eu.subcategory) == (
        "EU", "en-1", "complex_emotions", "emotion_transition")
    assert [q.name for q in eu.questions] == ["emotion", "cause"]
    assert eu.questions[0].choices[eu.questions[0].answer] == "Anger"
    assert eu.questions[1].choices[eu.questions[1].answer] == "Cause 1-2"
    assert (ea.task, ea.subcategory, ea.question_type) == ("EA", "Response", "response")
    assert ea.questions[0].answer == 2


@pytest.mark.parametrize(("row", "field", "words"), [
    (eu_row(1, emotion_choices=["Delight"], emotion_label="Delight"), "emotion_choices",
     "at least two choices"),
    (ea_row(1, choices=["Only one"], label="Only one"), "choices", "at least two choices"),
    (eu_row(1, cause_label="Not a cause"), "cause_label", "not one of the choices"),
    (ea_row(1, label=7), "label", "outside the 4 choices"),
    ({k: v for k, v in eu_row(1).items() if k != "subject"}, "subject", "missing"),
    ({k: v for k, v in ea_row(1).items() if k != "question type"}, "question type", "missing"),
    ({"qid": "1", "scenario": "x"}, "emotion_choices", "missing"),
    (ea_row(1, choices=["a", "a", "b"], label="b"), "choices", "same text"),
])
def test_malformed_item_names_file_line_and_field(tmp_path, row, field, words) -> None:
    path = write_items(tmp_path / "bad.jsonl", [eu_row(5), ea_row(6), row])
    with pytest.raises(DataFormatError) as caught:
        read_items(path)
    err = caught.value
    assert (err.path, err.line, err.field) == (path, 3, field)
    assert words in str(err) and f"{path}:3" in str(err)


def test_bad_json_and_duplicates(tmp_path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(eu_row(1)) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"broken.jsonl:2: not valid JSON"):
        read_items(path)
    path = write_items(tmp_path / "twice.jsonl", [ea_row(1), ea_row(1)])
    with pytest.raises(DataFormatError, match="also on line 1"):
        read_items(path)


@pytest.mark.data
def test_shipped_items(real_data_dir) -> None:
    eu = load_items("EU", "en", data_dir=real_data_dir)
    ea = load_items("EA", "en", data_dir=real_data_dir)
    assert len(eu) == len(ea) == 200
    # The fact: the gold emotion is option (a) in 72 of the 200 English EU items.
    assert sum(item.questions[0].answer == 0 for item in eu) == 72
    assert {i.subcategory for i in ea} == {"Action", "Response"}
