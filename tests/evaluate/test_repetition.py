from emolab.evaluate.repetition import is_degenerate


def test_a_sentence_or_four_words_three_times_is_degenerate():
    assert is_degenerate("The team won. The team won! The team won?")
    assert is_degenerate("joy, the team won the cup and the team won the cup, the team won the cup")
    assert not is_degenerate("The team won. The team won. The crowd sang.")  # twice is allowed
    assert not is_degenerate("")
    assert is_degenerate("The team won. The team won.", times=2)
