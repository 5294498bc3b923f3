"""Every kind of answer from the embedded SmolLM2 through llama.cpp, for real (slow)."""

from __future__ import annotations

import pytest

from emolab.backends import SamplingParams, load_backend
from emolab.classify import Classifier
from emolab.tasks import get_task

pytestmark = pytest.mark.slow
TEXT = "Honestly furious that the train was cancelled AGAIN, third time this week"


@pytest.fixture(scope="module")
def engine():
    with load_backend("llamacpp", n_threads=2) as backend:
        yield backend


@pytest.mark.parametrize("spec", ["ei-reg:anger", "ei-oc:anger", "v-reg", "v-oc", "sst5",
                                  "vader", "emobank:arousal", "tdt"])
def test_constrained_answers_validate_and_stay_in_range(engine, spec):
    task = get_task(spec)
    classifier = Classifier(engine, task, params=SamplingParams(max_tokens=400))
    result = classifier.classify(TEXT)
    best = result.best
    assert best.error is None and best.schema_valid, best.raw
    value = task.pred(best.parsed)
    assert task.scale.low <= value <= task.scale.high
    assert list(best.parsed) == list(task.answer_keys)  # explanation first


def test_unconstrained_answers_are_read_leniently_or_fail_with_a_kind(engine):
    task = get_task("v-oc")
    classifier = Classifier(engine, task, params=SamplingParams(max_tokens=120),
                            constrain=False)
    best = classifier.classify(TEXT).best
    assert best.raw  # kept whatever happens
    assert best.error is None or best.error.split(":")[0] in (
        "invalid JSON", "missing field", "answer out of range")
