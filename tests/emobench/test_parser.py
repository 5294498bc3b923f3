"""The lenient reader of free-text answers: each documented rule, and what it refuses."""

from __future__ import annotations

import pytest

from emolab.emobench.parser import read_choice, read_pair

CHOICES = ["Delight", "Anger", "Anger and Guilt", "Guilt"]


@pytest.mark.parametrize(("text", "expected"), [
    ("b", 1), ("(b)", 1), ("[B]", 1), ("B.", 1), ("d)", 3),
    ("(b) Anger", 1), ("b) Anger", 1), ("C. Anger and Guilt", 2), ("(c)Anger and Guilt", 2),
    ("Option B", 1), ("option (d)", 3), ("The answer is a.", 0), ("Answer: c", 2),
    ("I would choose (c) here.", 2),
    ("Delight", 0), ("She feels anger and guilt.", 2),  # the longer matching choice wins
    ("（Ｂ）", 1), ("答案：B", 1),
    ('{"answer": "d"}', 3), ('{"reasoning": "maybe (a)", "answer": "c"}', 2),
    ('```json\n{"answer": "b"}\n```', 1),
    ("1. Dorea might feel delight (a) at first.\n\nSo the answer is (d) Guilt", 3),
    ('(c) "I\nknow how you feel"', 2),  # a quoted answer that spans lines
    ("(c) Guilt", 2),  # letter and text disagree: the letter wins
])
def test_reads_documented_forms(text: str, expected: int) -> None:
    assert read_choice(text, CHOICES) == expected


@pytest.mark.parametrize("text", [
    "", "I am not sure.", "a good question", "(e) Pride",  # (e) is beyond the four choices
    "a, d", "A & D", "So, my conclusion is: c & d.",  # several answers name none
    "Earlier I said (a).\nMy answer: a and c",  # a list on the last line stops the reading
    "Anger or Delight, hard to say",  # two separate choice texts
])
def test_refuses_what_names_no_single_choice(text: str) -> None:
    assert read_choice(text, CHOICES) is None


def test_none_and_letters_beyond_choices() -> None:
    assert read_choice(None, CHOICES) is None
    assert read_choice("f", ["x", "y"]) is None


def test_read_pair_json_and_lines() -> None:
    causes = ["it rained", "she won", "he left"]
    assert read_pair('{"emotion": "b", "cause": "c"}', CHOICES, causes) == (1, 2)
    assert read_pair("Emotion: (a)\nCause: she won", CHOICES, causes) == (0, 1)
    assert read_pair("Question 1: d\nQuestion 2: a", CHOICES, causes) == (3, 0)
    assert read_pair("no idea", CHOICES, causes) == (None, None)
