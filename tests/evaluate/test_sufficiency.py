"""Sufficiency on cases where the answer is known, and the label-word masking it relies on."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.evaluate.masking import MASK, mask_label_words
from emolab.evaluate.sufficiency import SufficiencyConfig, score_explanations, sufficiency_file
from emolab.labels import SEMEVAL_EC

LABELS = ("anger", "fear", "joy", "sadness")
FILLER = ("the person wrote about their day and these words show how they felt about what "
          "happened at work and at home").split()
FROZEN_5_FOLD = SufficiencyConfig(method="frozen", folds=5)


def test_masks_labels_and_inflections_but_not_lookalikes():
    text = "ANGRY and angered, joyful enjoyment, sadly afraid; danger is not anger. Trustworthy."
    masked = mask_label_words(text, SEMEVAL_EC.labels)
    assert masked == (f"{MASK} and {MASK}, {MASK} {MASK}, {MASK} {MASK}; danger is not {MASK}. "
                      f"{MASK}.")


def test_unknown_labels_mask_by_stem():
    assert mask_label_words("frustrated by frustrating rules", ["frustration"]) == \
        f"{MASK} by {MASK} rules"


@pytest.fixture(scope="module")
def known_case():
    rng = random.Random(0)
    targets = np.array([rng.randrange(len(LABELS)) for _ in range(300)])
    naming = [f"The writer feels {LABELS[k]} as the words " + " ".join(rng.sample(FILLER, 6))
              + " show" for k in targets]
    unrelated = [" ".join(rng.sample(FILLER, 10)) for _ in targets]
    return targets, naming, unrelated


@pytest.mark.slow
def test_label_naming_explanations_are_sufficient_until_masked(known_case):
    targets, naming, _ = known_case
    result = score_explanations(naming, targets, LABELS, multi_label=False, config=FROZEN_5_FOLD)
    assert result["unmasked"]["accuracy"] > 0.95
    # with the label words masked nothing is left to recover the label from: chance (1/4)
    assert abs(result["masked"]["accuracy"] - 0.25) < 0.1


@pytest.mark.slow
def test_random_explanations_score_chance(known_case):
    targets, _, unrelated = known_case
    result = score_explanations(unrelated, targets, LABELS, multi_label=False,
                                config=FROZEN_5_FOLD)
    assert abs(result["unmasked"]["accuracy"] - 0.25) < 0.1


def write_predictions(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
def test_file_multi_label_with_finetuned_encoder(tmp_path):
    rng = random.Random(1)
    rows = []
    for i in range(40):
        labels = sorted(rng.sample(["joy", "love", "anger"], rng.randrange(1, 3)))
        rows.append({"id": str(i), "dataset": "semeval-ec", "gold": labels, "pred": labels,
                     "parsed": {"explanation": f"It shows {' and '.join(labels)} in the words "
                                               f"{' '.join(rng.sample(FILLER, 4))}"}})
    rows.append({"id": "bad", "dataset": "semeval-ec", "gold": ["joy"], "pred": None,
                 "raw": "{oops", "error": "invalid JSON"})
    report = sufficiency_file(write_predictions(tmp_path / "p.jsonl", rows),
                              SufficiencyConfig(method="finetune", epochs=1, test_size=0.25))
    assert report["used"] == 40 and report["excluded_unreadable"] == 1
    assert report["primary_metric"] == "jaccard"
    assert 0.0 <= report["sufficiency"] <= 1.0
    assert set(report["unmasked"]) == {"jaccard", "f1_micro", "f1_macro"}


def test_too_few_explanations_is_a_clear_error(tmp_path):
    rows = [{"id": "1", "dataset": "dair-emotion", "gold": "joy", "pred": "joy",
             "parsed": {"explanation": "glad"}}]
    with pytest.raises(EmolabError, match="only 1 rows"):
        sufficiency_file(write_predictions(tmp_path / "p.jsonl", rows))


def test_regression_files_are_refused(tmp_path):
    rows = [{"id": "1", "dataset": "semeval-v-reg", "gold": 0.5, "pred": 0.4}]
    with pytest.raises(EmolabError, match="classification task"):
        sufficiency_file(write_predictions(tmp_path / "p.jsonl", rows))
