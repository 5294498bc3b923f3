from emolab.probing.lexicon import log_odds_keywords, remove_keywords, words


def test_log_odds_picks_the_word_that_marks_each_label():
    texts = (["i am so happy today the sun"] * 10 + ["i am furious at the rain today"] * 10
             + ["the day was ordinary i am here"] * 10)
    labels = [("joy",)] * 10 + [("anger",)] * 10 + [("neutral",)] * 10
    chosen = log_odds_keywords(texts, labels, ["joy", "anger", "neutral"], k=2)
    assert "neutral" not in chosen  # no keywords for the no-emotion label
    assert set(chosen["joy"]) == {"happy", "sun"} or "happy" in chosen["joy"]
    assert "furious" in chosen["anger"]
    assert not {"i", "am", "the", "today"} & set(chosen["joy"] + chosen["anger"])


def test_remove_keywords_is_whole_word_and_case_blind():
    assert remove_keywords("I was Happy, happyness is near!", {"happy"}) == \
        "I was , happyness is near!"
    assert remove_keywords("Sad.", {"sad"}) == "."
    assert words("Don't STOP") == ["don't", "stop"]


def test_nrc_words_read_from_the_packaged_lexicon_file(tmp_path, monkeypatch):
    # A stand-in for the nrclex package: same module path and file name, three words.
    data = tmp_path / "nrclex" / "data"
    data.mkdir(parents=True)
    (tmp_path / "nrclex" / "__init__.py").write_text("")
    (data / "__init__.py").write_text("")
    (data / "nrc_en.json").write_text(
        '{"abandon": ["fear", "negative", "sadness"], "good": ["positive"], "joyful": ["joy"]}')
    monkeypatch.syspath_prepend(str(tmp_path))
    from emolab.probing.lexicon import nrc_keywords

    words_by_emotion = nrc_keywords()
    assert words_by_emotion["fear"] == ["abandon"] and words_by_emotion["joy"] == ["joyful"]
    assert "good" not in {w for ws in words_by_emotion.values() for w in ws}  # sentiment only
