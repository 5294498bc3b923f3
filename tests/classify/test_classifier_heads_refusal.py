"""A backend that cannot apply the tuned model's score heads never answers their tasks with
the model's own weaker numbers: the classifier refuses them, and only them."""

from __future__ import annotations

import pytest

from emolab.classify import Classifier
from emolab.errors import EmolabError
from emolab.models.tuned import require_shipped
from emolab.tasks import get_task


@pytest.fixture
def headless_backend(fake):
    backend = fake.Backend("emolab-affect-v1 (transformers)")
    backend.unapplied_readout = require_shipped().readout  # as the transformers backend sets it
    return backend


@pytest.mark.parametrize("task", ["ei-reg:anger", "ei-oc:joy", "v-reg", "v-oc"])
def test_a_score_task_the_heads_answer_is_refused(headless_backend, task):
    with pytest.raises(EmolabError, match=r"cannot apply them.*--backend llamacpp"):
        Classifier(headless_backend, get_task(task), prompt_version="compact")
    assert headless_backend.calls == []


def test_a_label_task_runs_and_a_per_row_score_task_is_refused(headless_backend):
    classifier = Classifier(headless_backend, get_task("semeval-ec"), prompt_version="compact")
    assert classifier.classify("We won the cup!").best.error is None
    with pytest.raises(EmolabError, match="score heads answer ei-reg:fear"):
        classifier.classify("So scared", get_task("ei-reg:fear"))
    assert len(headless_backend.calls) == 1  # the refused one never reached the model


def test_a_backend_that_applies_its_heads_or_has_none_is_not_refused(fake):
    Classifier(fake.Backend(), get_task("ei-reg:anger"), prompt_version="compact")


@pytest.mark.slow
def test_the_transformers_backend_on_the_tuned_model_refuses_a_score_task():
    from emolab.backends import load_backend

    with load_backend("transformers", model="emolab", n_threads=2) as engine:
        assert engine.unapplied_readout == require_shipped().readout
        with pytest.raises(EmolabError, match="transformers backend cannot apply"):
            Classifier(engine, get_task("ei-reg:anger"), prompt_version="compact")
        answer = Classifier(engine, get_task("semeval-ec"), prompt_version="compact").classify(
            "I can't believe we finally won the cup!!")
        assert answer.best.error is None
