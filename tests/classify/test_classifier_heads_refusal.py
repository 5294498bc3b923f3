"""Score heads always answer the tasks they cover: both local backends apply them, and a
backend that cannot never answers those tasks with the model's own weaker numbers: the
classifier refuses them, and only them."""

from __future__ import annotations

import pytest

from emolab.classify import Classifier
from emolab.errors import EmolabError
from emolab.models.tuned import require_shipped
from emolab.tasks import get_task


@pytest.fixture
def headless_backend(fake):
    backend = fake.Backend("emolab-affect-v1 (transformers)")
    backend.unapplied_readout = require_shipped().readout  # as a backend without embed() would
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
def test_the_transformers_backend_answers_a_score_task_with_the_tuned_models_heads():
    """The defect of issue 27: --backend transformers on the tuned model once let the model
    write its own EI-reg numbers (r 0.10 against the heads' 0.55). It now reads the same
    mean-pooled features as llama.cpp and its heads answer, to within 0.02 of llama.cpp's."""
    from emolab.backends import load_backend

    texts = ["I can't believe we finally won the cup!!", "my dog died and I can't stop crying"]
    task = get_task("ei-reg:joy")
    with load_backend("llamacpp", model="emolab", n_threads=2) as engine:
        by_llamacpp = [engine.readout.value(task, f) for f in engine.embed(texts)]
    with load_backend("transformers", model="emolab", n_threads=2) as engine:
        assert engine.readout is not None and engine.unapplied_readout is None
        classifier = Classifier(engine, task, prompt_version="compact")
        results = [classifier.classify(text) for text in texts]
    for result, expected in zip(results, by_llamacpp, strict=True):
        assert result.best.error is None
        assert result.best.parsed["intensity"] == result.extra["head_answer"]
        assert abs(result.extra["head_answer"] - expected) <= 0.02
