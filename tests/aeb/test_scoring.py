"""`aeb score` on a hand-made file of EmoLLMs-format answers: figures computed by hand."""

from __future__ import annotations

import json

import pytest

from emolab.aeb.scoring import score_answers
from emolab.errors import DataFormatError
from tests_support import write_rows

EI = "Task: rate it. Tweet: {t}. Emotion E: {e}. Intensity Score: "


def test_scores_by_hand(tmp_path):
    rows = [
        # EI-reg, anger: gold 0.2, 0.4, 0.6; outputs 0.1, 0.5, unreadable -> imputed 0.5.
        {"task": "EI-reg", "instruction": EI.format(t="a", e="anger"), "gold": "0.2", "output": "0.1"},
        {"task": "EI-reg", "instruction": EI.format(t="b", e="anger"), "gold": "0.4", "output": "0.5"},
        {"task": "EI-reg", "instruction": EI.format(t="c", e="anger"), "gold": "0.6", "output": "oops"},
        # EI-reg, joy: deviations (-.4, 0, .4) and (-.3, .1, .2): r = .2 / sqrt(.32 * .14).
        {"task": "EI-reg", "instruction": EI.format(t="d", e="joy"), "gold": "0.1", "output": "0.2"},
        {"task": "EI-reg", "instruction": EI.format(t="e", e="joy"), "gold": "0.5", "output": "0.6"},
        {"task": "EI-reg", "instruction": EI.format(t="f", e="joy"), "gold": "0.9", "output": "0.7"},
        # E-c: Jaccard 1/2, 1 (both empty), 0 (out-of-set label: a failure).
        {"task": "E-c", "instruction": "x", "gold": "anger, disgust.", "output": "anger."},
        {"task": "E-c", "instruction": "x", "gold": "neutral or no emotion.",
         "output": "neutral or no emotion"},
        {"task": "E-c", "instruction": "x", "gold": "joy.", "output": "happiness."},
        # V-oc: outputs equal gold -> r = 1.
        {"task": "V-oc", "instruction": "x", "gold": "-3: very negative", "output": "-3: very"},
        {"task": "V-oc", "instruction": "x", "gold": "0: neutral", "output": "0"},
        {"task": "V-oc", "instruction": "x", "gold": "2: moderately positive", "output": "2:"},
    ]
    result = score_answers(write_rows(tmp_path / "answers.jsonl", rows))["tasks"]
    # anger: gold (0.2, 0.4, 0.6) vs (0.1, 0.5, 0.5): r = 0.866025...
    anger = 0.8660254037844387
    assert result["EI-reg"]["by_dimension"]["anger"] == pytest.approx(anger)
    assert result["EI-reg"]["by_dimension"]["joy"] == pytest.approx(0.9449111825230680)
    assert result["EI-reg"]["columns"]["EI-reg"] == pytest.approx((anger + 0.9449111825230680) / 2)
    assert result["EI-reg"]["failed"] == 1 and result["EI-reg"]["rows"] == 6
    assert result["E-c"]["columns"]["E-c_acc"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert result["E-c"]["failed"] == 1
    assert result["V-oc"]["columns"]["V-oc"] == pytest.approx(1.0)


def test_bad_rows_name_file_line_and_field(tmp_path):
    no_emotion = [{"task": "EI-oc", "instruction": "Tweet: hi. Intensity Class: ",
                   "gold": "1: low", "output": "1"}]
    with pytest.raises(DataFormatError, match=r"answers.jsonl:1: field 'instruction'"):
        score_answers(write_rows(tmp_path / "answers.jsonl", no_emotion))
    bad_gold = [{"task": "V-reg", "instruction": "x", "gold": "1.5", "output": "0.3"}]
    with pytest.raises(DataFormatError, match=r"answers.jsonl:1: field 'gold'.*outside"):
        score_answers(write_rows(tmp_path / "answers.jsonl", bad_gold))
    unknown = [{"task": "V-Z", "instruction": "x", "gold": "0.5", "output": "0.3"}]
    with pytest.raises(DataFormatError, match=r"field 'task'"):
        score_answers(write_rows(tmp_path / "answers.jsonl", unknown))
    (tmp_path / "broken.jsonl").write_text(json.dumps({"task": "SST"}) + "\n")
    with pytest.raises(DataFormatError, match=r"broken\.jsonl:1"):
        score_answers(tmp_path / "broken.jsonl")
