"""Schema adherence on outputs whose failures are known."""

from __future__ import annotations

import json

import pytest

from emolab.evaluate.adherence import adherence_file, check_output
from emolab.labels import DAIR_EMOTION

GOOD = json.dumps({"explanation": "'won' is joyful", "most_prominent_emotion": "joy",
                   "multiple_emotions_present": ["joy"]})
REORDERED = json.dumps({"most_prominent_emotion": "joy", "multiple_emotions_present": ["joy"],
                        "explanation": "'won'"})


@pytest.mark.parametrize(("raw", "failing"), [
    (GOOD, set()),
    ("Sure! " + GOOD, {"json_object", "schema_valid"}),
    (REORDERED, {"key_order"}),
    ('{"explanation": "x", "most_prominent_emotion": "joy"}',
     {"fields_present", "labels_in_set", "prominent_listed", "key_order", "schema_valid", "usable"}),
    ('{"explanation": "x", "most_prominent_emotion": "glee", "multiple_emotions_present": ["glee"]}',
     {"labels_in_set", "prominent_listed", "schema_valid", "usable"}),
    ('{"explanation": "x", "most_prominent_emotion": "joy", "multiple_emotions_present": ["fear"]}',
     {"prominent_listed", "usable"}),
    ('{"explanation": "x", "most_prom', set(
        ["json_object", "fields_present", "labels_in_set", "prominent_listed", "key_order",
         "schema_valid", "usable"])),
    (None, {"json_object", "fields_present", "labels_in_set", "prominent_listed", "key_order",
            "schema_valid", "usable"}),
])
def test_each_check(raw, failing):
    verdict, _ = check_output(raw, DAIR_EMOTION)
    assert {check for check, ok in verdict.items() if not ok} == failing


def test_file_shares_and_examples(tmp_path):
    rows = [
        {"id": "1", "dataset": "dair-emotion", "gold": "joy", "pred": "joy", "raw": GOOD},
        {"id": "2", "dataset": "dair-emotion", "gold": "joy", "pred": None, "raw": "I think joy",
         "error": "invalid JSON"},
        {"id": "3", "dataset": "dair-emotion", "gold": "joy", "pred": "joy", "raw": REORDERED},
        {"id": "4", "dataset": "dair-emotion", "gold": "joy", "pred": None, "raw": None,
         "error": "no output"},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = adherence_file(path)
    assert report["shares"]["json_object"] == 0.5  # rows 1 and 3
    assert report["shares"]["key_order"] == 0.25
    assert report["shares"]["usable"] == 0.5
    assert report["failures_by_kind"] == {"invalid JSON": 1, "keys out of order": 1,
                                          "no raw output": 1}
    assert report["examples"]["invalid JSON"][0] == {"id": "2", "raw": "I think joy"}
