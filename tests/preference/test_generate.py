"""Pair generation: the correctness filter, rationalization, resume."""

from __future__ import annotations

import pytest
from scripted import answer

from emolab.backends.base import CANDIDATE_SAMPLING
from emolab.classify import Classifier
from emolab.data.records import Example, TaskKind
from emolab.labels import DAIR_EMOTION, SEMEVAL_EC
from emolab.preference.generate import generate_pairs, is_correct
from emolab.preference.store import PairStore


@pytest.mark.parametrize(("parsed", "gold", "multi", "expected"), [
    ({"most_prominent_emotion": "joy", "multiple_emotions_present": ["joy", "love"]},
     ["love", "joy"], True, True),
    ({"most_prominent_emotion": "joy", "multiple_emotions_present": ["joy"]},
     ["joy", "love"], True, False),  # the set must be equal, not a subset
    ({"most_prominent_emotion": "fear", "multiple_emotions_present": ["joy", "love"]},
     ["joy", "love"], True, False),  # the most prominent emotion must be in the gold set
    ({"most_prominent_emotion": "joy", "multiple_emotions_present": ["joy", "fear"]},
     ["joy"], False, True),  # single-label: only the most prominent emotion counts
    (None, ["joy"], False, False),
])
def test_correctness_criterion(parsed, gold, multi, expected):
    assert is_correct(parsed, gold, multi_label=multi) is expected


def examples():
    return [Example("a", "we won the cup", ("joy", "optimism")),
            Example("b", "they lied again", ("anger", "disgust")),
            Example("c", "nothing to see", ("sadness",))]


def test_keep_rationalize_and_drop(tmp_path, scripted):
    backend = scripted([
        answer(["joy", "optimism"]), answer(["joy"]),          # a: one correct -> kept
        answer(["fear"]), answer(["joy"]),                     # b: both wrong ...
        answer(["anger", "disgust"], "anger", "'lied' shows anger and disgust"),  # ... rationalized
        answer(["joy"]), answer(["love"]),                     # c: both wrong ...
        answer(["joy"], "joy"),                                # ... rationalization still wrong
    ])
    classifier = Classifier(backend, SEMEVAL_EC, params=CANDIDATE_SAMPLING)
    with PairStore(tmp_path, create=True) as store:
        counts = generate_pairs(store, classifier, examples(), task=TaskKind.MULTI_LABEL,
                                dataset="semeval-ec", rationalize_wrong=True)
        assert (counts.kept, counts.rationalized, counts.dropped) == (1, 1, 1)
        items = {item.example_id: item for item in store.items(pairs_only=False)}
    assert [r.correct for r in items["a"].responses] == [True, False]
    b = items["b"].responses
    assert b[0].rationalized and b[0].correct and not b[1].correct
    assert "anger" not in items["b"].messages[-1]["content"]  # the stored prompt has no hint
    hint_call = backend.calls[2]  # a: 1 call (n=2), b: 1 call, then the rationalization
    assert "Hint: the emotions expressed in this text are: anger, disgust" in \
        hint_call["messages"][-1]["content"]
    assert hint_call["schema"]["properties"]["multiple_emotions_present"]["const"] == \
        ["anger", "disgust"]
    assert items["c"].status == "dropped"


def test_without_rationalization_wrong_pairs_are_dropped(tmp_path, scripted):
    backend = scripted([answer(["fear"]), answer(["joy"])])
    classifier = Classifier(backend, DAIR_EMOTION, params=CANDIDATE_SAMPLING)
    with PairStore(tmp_path, create=True) as store:
        counts = generate_pairs(store, classifier, [Example("x", "so sad", ("sadness",))],
                                task=TaskKind.SINGLE_LABEL, dataset="dair-emotion")
    assert (counts.kept, counts.dropped) == (0, 1)


def test_resume_skips_done_items_and_keeps_them(tmp_path, scripted):
    classifier = Classifier(scripted([answer(["joy", "optimism"]), answer(["joy"])]), SEMEVAL_EC,
                            params=CANDIDATE_SAMPLING)
    with PairStore(tmp_path, create=True) as store:
        generate_pairs(store, classifier, examples()[:1], task=TaskKind.MULTI_LABEL,
                       dataset="semeval-ec")
    # a second run (after a kill) sees item "a" done and only asks about "b"
    backend = scripted([answer(["anger", "disgust"]), answer(["anger"])])
    classifier = Classifier(backend, SEMEVAL_EC, params=CANDIDATE_SAMPLING)
    with PairStore(tmp_path) as store:
        counts = generate_pairs(store, classifier, examples()[:2], task=TaskKind.MULTI_LABEL,
                                dataset="semeval-ec")
        assert counts.skipped_done == 1 and counts.kept == 1
        assert len(store.items()) == 2
    assert len(backend.calls) == 1


def test_a_crash_mid_item_loses_nothing_saved(tmp_path, scripted):
    backend = scripted([answer(["joy", "optimism"]), answer(["joy"])])  # runs dry on item "b"
    classifier = Classifier(backend, SEMEVAL_EC, params=CANDIDATE_SAMPLING)
    with PairStore(tmp_path, create=True) as store, pytest.raises(IndexError):
        generate_pairs(store, classifier, examples(), task=TaskKind.MULTI_LABEL,
                       dataset="semeval-ec")
    with PairStore(tmp_path) as store:
        assert store.done_example_ids() == {"a"}
