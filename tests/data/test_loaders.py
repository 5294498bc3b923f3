"""Every loader on small fixtures written in the original file formats, quirks included."""

from __future__ import annotations

import json

import pytest

from emolab.data import get_dataset, load
from emolab.labels import SEMEVAL_EC

EC_HEADER = "ID\tTweet\t" + "\t".join(SEMEVAL_EC.labels)


def ec_row(tweet_id: str, text: str, positives: set[str]) -> str:
    flags = "\t".join("1" if label in positives else "0" for label in SEMEVAL_EC.labels)
    return f"{tweet_id}\t{text}\t{flags}"


def test_semeval_ec_reads_crlf_and_labels(write, tmp_path):
    rows = [EC_HEADER, ec_row("2018-En-1", "so happy & hopeful", {"joy", "optimism"}),
            ec_row("2018-En-2", "meh", set())]
    write("semeval2018_task1/English/E-c/2018-E-c-En-dev.txt", "\r\n".join(rows) + "\r\n")
    examples = load("semeval-ec", "dev", data_dir=tmp_path)
    assert [e.id for e in examples] == ["2018-En-1", "2018-En-2"]
    assert examples[0].labels == ("joy", "optimism")
    assert examples[0].text == "so happy & hopeful"  # no trailing \r
    assert examples[1].labels == ()


def test_semeval_ei_reg_strips_bom_and_keys_by_emotion(write, tmp_path):
    for emotion in ("anger", "fear", "joy", "sadness"):
        body = ("\ufeffID\tTweet\tAffect Dimension\tIntensity Score\r\n"
                f"2018-En-9\tsame tweet\t{emotion}\t0.25\r\n")
        write(f"semeval2018_task1/English/EI-reg/test-gold/2018-EI-reg-En-{emotion}-test-gold.txt",
              body)
    examples = load("semeval-ei-reg", "test", data_dir=tmp_path)
    assert [e.id for e in examples] == [f"2018-En-9:{e}" for e in ("anger", "fear", "joy", "sadness")]
    assert examples[0].scores == {"anger": 0.25}
    assert examples[0].meta["tweet_id"] == "2018-En-9"


def test_semeval_oc_parses_class_integer(write, tmp_path):
    write("semeval2018_task1/English/V-oc/2018-Valence-oc-En-train.txt",
          "ID\tTweet\tAffect Dimension\tIntensity Class\n"
          "a\tawful\tvalence\t-3: very negative emotional state can be inferred\n"
          "b\tfine\tvalence\t0: neutral or mixed emotional state can be inferred\n")
    examples = load("semeval-v-oc", "train", data_dir=tmp_path)
    assert [e.scores["valence"] for e in examples] == [-3, 0]
    assert examples[0].meta["class_text"].startswith("-3:")


def test_dair_with_and_without_header_splits_on_last_semicolon(write, tmp_path):
    write("dair_emotion/train.txt", "text;label_name\ni feel ok; really;joy\ni am sad;sadness\n")
    write("dair_emotion/test.txt", "i am scared;fear\n")
    train = load("dair-emotion", "train", data_dir=tmp_path)
    assert [(e.text, e.labels) for e in train] == [("i feel ok; really", ("joy",)),
                                                    ("i am sad", ("sadness",))]
    assert [e.id for e in train] == ["dair-train-0", "dair-train-1"]
    assert load("dair-emotion", "test", data_dir=tmp_path)[0].labels == ("fear",)


def test_dair_accepts_split_aliases(write, tmp_path):
    write("dair_emotion/val.txt", "text;label\nhi;joy\n")
    assert len(load("dair-emotion", "dev", data_dir=tmp_path)) == 1
    assert len(load("dair-emotion", "validation", data_dir=tmp_path)) == 1


def test_goemotions_label_ids_and_ekman(write, tmp_path, ):
    write("goemotions/dev.tsv", "Thanks so much!\t15\tc1\nWow, ok.\t26,27\tc2\n")
    write("goemotions/ekman_mapping.json", json.dumps({
        "anger": ["anger", "annoyance", "disapproval"], "disgust": ["disgust"],
        "fear": ["fear", "nervousness"],
        "joy": ["joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism",
                "relief", "pride", "admiration", "desire", "caring"],
        "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
        "surprise": ["surprise", "realization", "confusion", "curiosity"]}))
    fine = load("goemotions", "dev", data_dir=tmp_path)
    assert [e.labels for e in fine] == [("gratitude",), ("surprise", "neutral")]
    assert [e.id for e in fine] == ["c1", "c2"]
    ekman = load("goemotions-ekman", "dev", data_dir=tmp_path)
    assert [e.labels for e in ekman] == [("joy",), ("surprise", "neutral")]


ISEAR_HEADER = "|".join([f"C{i}" for i in range(36)] + ["Field1", "Field3", "Field2", "MYKEY",
                                                         "SIT", "STATE", ""])


def isear_row(key: str, emotion: str, text: str) -> str:
    return "|".join(["1"] * 36 + [emotion, "1", "1", key, text, "1", ""])


def test_isear_keeps_pipes_inside_text(write, tmp_path):
    write("isear/isear.csv", "\n".join([
        ISEAR_HEADER, isear_row("k1", "joy", "We won | finally á at last"),
        isear_row("k2", "guilt", "[ No response.]"),
    ]) + "\n")
    examples = load("isear", "all", data_dir=tmp_path)
    assert examples[0].text == "We won | finally at last"
    assert examples[0].labels == ("joy",)
    assert examples[1].meta.get("placeholder") is True


def test_isear_hash_splits_partition_all(write, tmp_path):
    rows = [isear_row(f"k{i}", "fear", f"text {i}") for i in range(60)]
    write("isear/isear.csv", "\n".join([ISEAR_HEADER, *rows]) + "\n")
    parts = {s: {e.id for e in load("isear", s, data_dir=tmp_path)} for s in ("train", "dev", "test")}
    assert sum(map(len, parts.values())) == 60
    assert not (parts["train"] & parts["dev"]) and not (parts["train"] & parts["test"])
    assert len(parts["train"]) > len(parts["dev"])


def test_emobench_eu_two_questions_and_language_split(write, tmp_path):
    item = {"qid": "1", "coarse_category": "complex_emotions", "finegrained_category": "x",
            "scenario": "S", "subject": "A", "emotion_choices": ["Joy", "Anger"],
            "emotion_label": "Joy", "cause_choices": ["c1", "c2"], "cause_label": "c2"}
    write("emobench/EU.jsonl", "\n".join(json.dumps({**item, "language": lang})
                                         for lang in ("en", "zh")) + "\n")
    en = load("emobench-eu", "en", data_dir=tmp_path)
    assert len(en) == 1 and en[0].labels == ("Joy", "c2")
    assert [q["name"] for q in en[0].meta["questions"]] == ["emotion", "cause"]
    assert len(load("emobench-eu", "all", data_dir=tmp_path)) == 2


def test_emobench_ea(write, tmp_path):
    item = {"qid": "3", "language": "en", "category": "Social-Self", "question type": "Action",
            "scenario": "S", "subject": "B", "choices": ["a", "b"], "label": "b"}
    write("emobench/EA.jsonl", json.dumps(item) + "\n")
    (example,) = load("emobench-ea", "en", data_dir=tmp_path)
    assert example.labels == ("b",) and example.meta["category"] == "Social-Self"


def test_emollms_extracts_text_from_instruction(write, tmp_path):
    rows = [
        {"instruction": "Task: Classify ... 0: very negative, 4: very positive. Text: good film . "
                        "Sentiment Class: ", "input": "", "output": "3: positive"},
        {"instruction": "Task: Classify ... Text: dull . Sentiment Class: ", "input": "",
         "output": "1: negative"},
    ]
    write("emollms_aeb/data-split/sst5_test.json", "\n".join(map(json.dumps, rows)) + "\n")
    examples = load("emollms-sst5", "test", data_dir=tmp_path)
    assert [(e.text, e.scores["sentiment"]) for e in examples] == [("good film .", 3), ("dull .", 1)]


def test_emollms_goemotions_multi_label(write, tmp_path):
    row = {"instruction": "Task: Categorize ... Text: Wow! This tweet contains emotions: ",
           "input": "", "output": "joy, surprise"}
    write("emollms_aeb/data-split/goemotion_test.json", json.dumps(row) + "\n")
    (example,) = load("emollms-goemotions", "test", data_dir=tmp_path)
    assert example.text == "Wow!" and example.labels == ("joy", "surprise")


def test_registry_knows_every_paper_data_set():
    names = {"semeval-ec", "semeval-ei-reg", "semeval-ei-oc", "semeval-v-reg", "semeval-v-oc",
             "dair-emotion", "goemotions", "goemotions-ekman", "isear", "emobench-eu",
             "emobench-ea"}
    from emolab.data import list_datasets

    assert names <= {info.name for info in list_datasets()}
    assert len(get_dataset("goemotions").labels) == 28
    assert len(get_dataset("isear").labels) == 7


def test_unknown_split_names_the_choices(tmp_path):
    from emolab.errors import EmolabError

    with pytest.raises(EmolabError, match="choose one of: train, dev, test"):
        load("semeval-ec", "holdout", data_dir=tmp_path)
