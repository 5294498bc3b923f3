"""AEB parts: EmoBank's three dimensions, VADER's four blocks, AEB-1 aligned with SemEval."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from emolab.data import load
from emolab.errors import DataFormatError


def _semeval_vreg_test(root, rows):
    path = root / "semeval2018_task1" / "English" / "V-reg" / "2018-Valence-reg-En-test-gold.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ID\tTweet\tAffect Dimension\tIntensity Score\n"
                    + "".join(f"{i}\t{t}\tvalence\t{s}\n" for i, t, s in rows))


def _aeb1(root, name, rows):
    path = root / "emollms_aeb" / "aeb1" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"instruction": f"Task: rate. Tweet: {t}. Intensity "
                                        "Score: ", "input": "", "output": g}) + "\n"
                            for t, g in rows))
    return path


def test_aeb1_rows_take_semeval_ids_and_keep_the_instruction(tmp_path):
    _semeval_vreg_test(tmp_path, [("2018-En-1", "good day", 0.8), ("2018-En-2", "bad  day", 0.1)])
    _aeb1(tmp_path, "V-reg.json", [("good day", "0.8"), ("bad day", "0.1")])
    rows = load("emollms-aeb1-v-reg", "test", data_dir=tmp_path)
    assert [r.id for r in rows] == ["2018-En-1", "2018-En-2"]
    assert rows[1].text == "bad  day" and rows[1].scores == {"valence": 0.1}
    assert rows[0].meta["instruction"].startswith("Task: rate. Tweet: good day.")


def test_aeb1_misaligned_row_names_file_line_and_field(tmp_path):
    _semeval_vreg_test(tmp_path, [("2018-En-1", "good day", 0.8), ("2018-En-2", "bad day", 0.1)])
    _aeb1(tmp_path, "V-reg.json", [("good day", "0.8"), ("another tweet", "0.1")])
    with pytest.raises(DataFormatError, match=r"V-reg.json:2: field 'instruction'.*2018-En-2"):
        load("emollms-aeb1-v-reg", "test", data_dir=tmp_path)


def test_gold_outside_its_range_names_the_line(tmp_path):
    path = tmp_path / "emollms_aeb" / "data-split" / "SST_test.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"instruction": "Task: x. Text: fine Sentiment score: ",
                                "output": 0.4}) + "\n"
                    + json.dumps({"instruction": "Task: x. Text: great Sentiment score: ",
                                  "output": 1.4}) + "\n")
    with pytest.raises(DataFormatError, match=r"SST_test.json:2: field 'output'.*outside"):
        load("emollms-sst", "test", data_dir=tmp_path)


@pytest.mark.data
def test_emobank_has_three_dimensions_and_vader_four_sources(real_data_dir):
    emobank = load("emollms-emobank", "test", data_dir=real_data_dir)
    assert Counter(r.meta["dimension"] for r in emobank) == {"valence": 1000, "arousal": 1000,
                                                             "dominance": 1000}
    assert all(set(r.scores) == {r.meta["dimension"]} for r in emobank)
    vader = load("emollms-vader", "test", data_dir=real_data_dir)
    assert Counter(r.meta["source"] for r in vader) == {s: 1000 for s in
                                                        ("amazon", "movies", "nyt", "tweets")}
    assert all(-4 <= r.scores["sentiment"] <= 4 for r in vader)


@pytest.mark.data
def test_aeb1_gold_agrees_with_semeval(real_data_dir):
    rows = load("emollms-aeb1-ei-oc", "test", data_dir=real_data_dir)
    assert len(rows) == 4068
    agree = sum(int(r.meta["emollms_gold"].split(":")[0]) == next(iter(r.scores.values()))
                for r in rows)
    assert agree == len(rows)
