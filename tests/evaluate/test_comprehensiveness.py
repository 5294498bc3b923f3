"""Comprehensiveness: delete the quoted words, ask again, against a random-deletion control."""

import json
import random
from typing import ClassVar

import pytest

from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.classify import Classifier
from emolab.errors import EmolabError
from emolab.evaluate.comprehensiveness import (
    comprehensiveness,
    erase_quotes,
    erase_random,
    erasures,
)
from emolab.evaluate.predictions import PredictionRow
from emolab.tasks import get_task

FILLER = " ".join(f"word{i}" for i in range(30))


class KeywordModel(Backend):
    """Joy while the text says "won", sadness once it does not: the quoted word carries it."""

    name: ClassVar[str] = "keyword"
    supports_schema: ClassVar[bool] = True
    model_id = "keyword-model"
    batch_size = 4

    def __init__(self):
        self.batches = []

    def generate_many(self, conversations, *, schema=None, params=SamplingParams()):
        self.batches.append(len(conversations))
        return super().generate_many(conversations, schema=schema, params=params)

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        text = messages[-1]["content"]
        label = "joy" if "won" in text.lower() else "sadness"
        answer = {"explanation": f'"won" shows {label}.', "most_prominent_emotion": label,
                  "multiple_emotions_present": [label]}
        return [Generation(json.dumps(answer), "stop", 10, 5)]


def row(id_, explanation, pred=("joy",)):
    return PredictionRow(id=id_, gold=["joy"], pred=list(pred) if pred else None,
                         parsed={"explanation": explanation} if explanation else None,
                         task="multi_label")


def test_erasing_quotes_and_as_many_random_words():
    assert erase_quotes("We WON the cup, we won!", ["won"]) == ("We the cup, we !", 2)
    assert erase_quotes("finally won the cup", ["won the cup", "won"]) == ("finally", 3)
    kept = erase_random("a b c d e", 2, random.Random(0)).split()
    assert len(kept) == 3 and set(kept) <= set("abcde")


def test_the_quoted_word_carries_the_answer_far_more_than_random_words():
    texts = {f"t{i}": f"we won today {FILLER}" for i in range(8)}
    rows = [row(f"t{i}", 'The word "won" shows joy.') for i in range(8)]
    rows += [row("t8", "No quote at all."), row("t9", None, pred=None)]
    texts.update(t8="we won " + FILLER, t9="x")
    backend = KeywordModel()
    report = comprehensiveness(Classifier(backend, get_task("semeval-ec")), rows, texts, seed=1)
    assert (report["rows"], report["scored"]) == (10, 8)
    assert (report["no_quote_of_the_text"], report["unreadable"]) == (1, 1)
    assert report["without_quotes"]["changed_share"] == 1.0
    assert report["without_quotes"]["mean_jaccard_distance"] == 1.0
    assert report["random_control"]["changed_share"] < 0.5  # 1 of 32 words, rarely "won"
    assert report["mean_words_deleted"] == 1.0
    assert backend.batches == [4, 4, 4, 4]  # both arms, in the backend's batches
    assert report["examples"][0]["after"] == ["sadness"]


def test_a_row_missing_from_the_split_and_a_score_task_are_refused():
    with pytest.raises(EmolabError, match="--split"):
        erasures([row("elsewhere", '"won" shows joy.')], {"t0": "won"})
    with pytest.raises(EmolabError, match="label tasks"):
        comprehensiveness(Classifier(KeywordModel(), get_task("ei-reg", "anger")), [], {})


def test_the_command_reads_the_split_again_and_shows_both_arms(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import emolab.backends
    from emolab.cli.main import app
    from tests_support import write_rows, write_semeval

    tweets = [(f"2018-En-{i:05d}", f"we won today {FILLER}") for i in range(5)]
    write_semeval(tmp_path / "data", tweets)
    predictions = write_rows(tmp_path / "preds.jsonl", [
        {"id": i, "gold": ["joy"], "pred": ["joy"], "dataset": "semeval-ec",
         "task": "multi_label", "prompt_version": "compact",
         "parsed": {"explanation": 'The word "won" shows joy.'}} for i, _ in tweets])
    made = []
    monkeypatch.setattr(emolab.backends, "load_backend",
                        lambda name, **options: made.append(options) or KeywordModel())
    result = CliRunner().invoke(app, ["comprehensiveness", str(predictions), "--data-dir",
                                      str(tmp_path / "data"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["dataset"], report["split"], report["scored"]) == ("semeval-ec", "dev", 5)
    assert report["without_quotes"]["changed_share"] == 1.0
    assert made[0]["model"]  # the model policy's choice was passed on
    shown = CliRunner().invoke(app, ["comprehensiveness", str(predictions), "--data-dir",
                                     str(tmp_path / "data"), "--split", "train"])
    assert shown.exit_code != 0  # the split holds no such rows (no train file at all)
