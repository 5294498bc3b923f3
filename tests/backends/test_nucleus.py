"""Top-p selection of the schema-aware llama.cpp sampler, on known distributions."""

import numpy as np
import pytest

from emolab.backends.llamacpp_xgrammar import _TOP_P_CANDIDATES, _nucleus


def test_keeps_the_smallest_set_reaching_the_mass():
    ids = np.array([10, 11, 12, 13])
    probs = np.array([0.1, 0.5, 0.3, 0.1])
    kept, renormed = _nucleus(ids, probs, 0.75)
    assert list(kept) == [11, 12]
    assert renormed == pytest.approx([0.5 / 0.8, 0.3 / 0.8])


@pytest.mark.parametrize("peaked", [True, False])
def test_large_vocabularies_match_a_full_sort(peaked):
    rng = np.random.default_rng(0)
    size = _TOP_P_CANDIDATES * 40
    logits = rng.normal(size=size) * (8 if peaked else 0.1)  # flat: the head is not enough
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    ids = np.arange(size) + 7
    kept, _ = _nucleus(ids, probs, 0.9)
    order = np.argsort(-probs, kind="stable")
    expected = order[: np.searchsorted(np.cumsum(probs[order]), 0.9) + 1] + 7
    assert list(kept) == list(expected)
