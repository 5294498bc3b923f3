"""The real files under EMOLAB_DATA load with the official counts (MANIFEST.md)."""

from __future__ import annotations

from collections import Counter

import pytest

from emolab.data import get_dataset, list_datasets, load

pytestmark = pytest.mark.data

SPLITS = [(info.name, split) for info in list_datasets() for split in info.official_counts]


@pytest.mark.parametrize(("name", "split"), SPLITS)
def test_official_row_counts(real_data_dir, name, split):
    rows = load(name, split, data_dir=real_data_dir)
    assert len(rows) == get_dataset(name).official_counts[split]
    assert len({row.id for row in rows}) == len(rows), "ids must be unique within a split"
    assert all(row.text for row in rows) or name == "isear"


def test_semeval_ec_dev_label_counts(real_data_dir):
    rows = load("semeval-ec", "dev", data_dir=real_data_dir)
    counts = Counter(label for row in rows for label in row.labels)
    assert counts["anger"] == 315 and counts["surprise"] == 35 and counts["trust"] == 43
    assert sum(1 for row in rows if not row.labels) == 14


def test_ei_reg_per_emotion_counts(real_data_dir):
    rows = load("semeval-ei-reg", "train", data_dir=real_data_dir)
    counts = Counter(row.meta["dimension"] for row in rows)
    assert counts == {"anger": 1701, "fear": 2252, "joy": 1616, "sadness": 1533}


def test_ei_oc_test_class_counts(real_data_dir):
    rows = load("semeval-ei-oc", "test", data_dir=real_data_dir)
    anger = Counter(row.scores["anger"] for row in rows if "anger" in row.scores)
    assert anger == {0: 465, 1: 148, 2: 243, 3: 146}


def test_dair_label_counts(real_data_dir):
    rows = load("dair-emotion", "test", data_dir=real_data_dir)
    assert Counter(row.labels[0] for row in rows) == {
        "joy": 695, "sadness": 581, "anger": 275, "fear": 224, "love": 159, "surprise": 66}
    assert rows[2].text.endswith("i don t ever want her to feel like i m ashamed with her")


def test_goemotions_multi_and_neutral(real_data_dir):
    rows = load("goemotions", "train", data_dir=real_data_dir)
    assert sum(1 for row in rows if len(row.labels) > 1) == 7102
    assert sum(1 for row in rows if row.labels == ("neutral",)) == 12823


def test_isear_class_counts(real_data_dir):
    rows = load("isear", "all", data_dir=real_data_dir)
    assert Counter(row.labels[0] for row in rows) == {
        "anger": 1096, "sadness": 1096, "disgust": 1096, "shame": 1096, "fear": 1095,
        "joy": 1094, "guilt": 1093}
    assert not any("|" in row.text for row in rows[:5])
    assert sum("|" in row.text for row in rows) > 0  # texts that contain the separator survive


def test_emobench_categories(real_data_dir):
    eu = load("emobench-eu", "en", data_dir=real_data_dir)
    assert Counter(row.meta["category"] for row in eu) == {
        "perspective_taking": 67, "personal_beliefs_and_experiences": 56,
        "complex_emotions": 49, "emotional_cues": 28}
    ea = load("emobench-ea", "en", data_dir=real_data_dir)
    assert set(Counter(row.meta["category"] for row in ea).values()) == {50}
