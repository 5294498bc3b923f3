"""Own evidence per named label: what issue 26 asks an explanation to give."""

from emolab.evaluate.evidence import label_evidence, own_evidence_share

CUP = "I can't believe we finally won the cup!! So proud of my boys"


def test_one_word_for_three_emotions_is_no_label_s_own_evidence():
    found = label_evidence('The word "cup" points to joy, love and optimism.', CUP,
                           ["joy", "love", "optimism"])
    assert found.quotes == ("cup",)
    assert all(found.by_label[label] == ("cup",) for label in ("joy", "love", "optimism"))
    assert not any(found.own(label) for label in ("joy", "love", "optimism"))


def test_each_emotion_with_its_own_words_in_its_own_clause():
    explanation = ('"finally won" and "!!" show joy; "proud of my boys" shows love. '
                   'Optimism: the text says "can\'t believe".')
    found = label_evidence(explanation, CUP, ["joy", "love", "optimism"])
    assert found.by_label == {"joy": ("finally won", "!!"), "love": ("proud of my boys",),
                              "optimism": ("can't believe",)}
    assert all(found.own(label) for label in ("joy", "love", "optimism"))


def test_quotes_that_are_not_in_the_text_and_label_forms_inside_quotes_do_not_count():
    found = label_evidence('"victory" shows joy. The text is "proud": love.', CUP,
                           ["joy", "love"])
    assert found.quotes == ("proud",)  # "victory" is not in the text
    assert found.by_label["joy"] == () and found.own("love")
    # a label word that is only quoted is the text's word, not the label named
    assert label_evidence('It says "proud".', "proud of joy", ["joy"]).by_label["joy"] == ()
    # forms of a label name it: "joyful" names joy
    assert label_evidence('"finally won" is joyful.', CUP, ["joy"]).own("joy")


def test_the_share_counts_every_named_label_once():
    answers = [('The word "cup" points to joy and love.', CUP, ["joy", "love"]),
               ('"finally won" shows joy.', CUP, ["joy", "joy"]),
               ("Joy and love, no quote at all.", CUP, ["joy", "love"])]
    share = own_evidence_share(answers)
    assert share == {"named_labels": 5, "own_evidence_share": 0.2, "any_evidence_share": 0.6}
    assert own_evidence_share([])["named_labels"] == 0
