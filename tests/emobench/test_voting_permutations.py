"""Votes (unreadable loses, ties to the first given) and seeded choice orders."""

from __future__ import annotations

from emolab.emobench.permutations import permutation, position_of, shown, to_original
from emolab.emobench.voting import vote


def test_vote_majority_and_unreadable_loses() -> None:
    assert vote([1, 2, 2, None, 1, 2]) == 2
    assert vote([None, None, None, 3, None]) == 3  # one readable beats four unreadable
    assert vote([None, None]) is None
    assert vote([]) is None


def test_vote_tie_goes_to_the_first_given() -> None:
    assert vote([2, 0, 0, 2]) == 2
    assert vote([None, 0, 2, 2, 0]) == 0


def test_permutations_are_seeded_distinct_and_map_back() -> None:
    first = permutation(6, k=1, seed=0, key="EU:en-1:emotion")
    assert first == permutation(6, k=1, seed=0, key="EU:en-1:emotion")
    assert sorted(first) == list(range(6)) and first != list(range(6))
    assert permutation(6, k=0, seed=0, key="x") == list(range(6))
    others = {tuple(permutation(6, k=k, seed=s, key="EU:en-1:emotion"))
              for k in (1, 2, 3) for s in (0, 1)}
    assert len(others) > 1
    choices = ["a0", "a1", "a2", "a3", "a4", "a5"]
    display = shown(choices, first)
    for position, text in enumerate(display):
        assert choices[to_original(position, first)] == text
        assert position_of(choices.index(text), first) == position
    assert to_original(None, first) is None
