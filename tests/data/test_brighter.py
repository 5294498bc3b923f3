"""SemEval-2025 Task 11 (BRIGHTER): the loader on fixtures in each quirk, then the real files."""

from __future__ import annotations

from collections import Counter

import pytest

from emolab.data import get_dataset, list_datasets, load
from emolab.data.brighter import COUNTS, label_set_of
from emolab.data.registry import with_language
from emolab.errors import DataFormatError, EmolabError

ROOT = "semeval2025_task11"


def test_track_a_reads_quoted_commas_and_newlines(write, tmp_path):
    write(f"{ROOT}/track_a/dev/deu.csv",
          "id,text,anger,disgust,fear,joy,sadness,surprise\r\n"
          'deu_1,"Nein, nie\nwieder!",1,1,0,0,0,0\r\n'
          "deu_2,Ein ganz normaler Tag.,0,0,0,0,0,0\r\n")
    rows = load("brighter-a:deu", "dev", data_dir=tmp_path)
    assert [r.id for r in rows] == ["deu_1", "deu_2"]
    assert rows[0].text == "Nein, nie\nwieder!"
    assert rows[0].labels == ("anger", "disgust")
    assert rows[1].labels == ()  # a row of zeros: no emotion
    assert rows[0].meta == {"language": "deu", "answer_task": "brighter"}


def test_the_label_set_follows_the_language_columns():
    assert get_dataset("brighter-a").name == "brighter-a:eng"  # English by default
    assert get_dataset("brighter-a:eng").scored_labels == ("anger", "fear", "joy", "sadness",
                                                           "surprise")
    assert "surprise" not in get_dataset("brighter-a:afr").scored_labels
    assert get_dataset("brighter-a:deu").labels[-1] == "neutral"  # a model's "no emotion"
    assert "neutral" not in get_dataset("brighter-a:deu").scored_labels
    assert get_dataset("brighter-b:eng").dimensions == label_set_of("eng").scored


def test_a_missing_emotion_column_names_it(write, tmp_path):
    path = write(f"{ROOT}/track_a/train/deu.csv",
                 "id,text,anger,fear,joy,sadness,surprise\ndeu_1,x,0,0,0,0,0\n")
    with pytest.raises(DataFormatError) as err:
        load("brighter-a:deu", "train", data_dir=tmp_path)
    assert (err.value.path, err.value.line, err.value.field) == (path, 1, "disgust")


def test_a_bad_cell_names_its_line_after_a_multiline_text(write, tmp_path):
    path = write(f"{ROOT}/track_a/dev/eng.csv",
                 "id,text,anger,fear,joy,sadness,surprise\n"
                 'e1,"two\nlines",0,0,0,0,0\n'
                 "e2,fine,0,yes,0,0,0\n")
    with pytest.raises(DataFormatError) as err:
        load("brighter-a:eng", "dev", data_dir=tmp_path)
    assert (err.value.path, err.value.line, err.value.field) == (path, 4, "fear")


def test_one_empty_cell_in_a_labelled_file_is_an_error(write, tmp_path):
    write(f"{ROOT}/track_a/dev/eng.csv",
          "id,text,anger,fear,joy,sadness,surprise\ne1,a,0,1,0,0,0\ne2,b,0,,0,0,0\n")
    with pytest.raises(DataFormatError, match="got ''") as err:
        load("brighter-a:eng", "dev", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (3, "fear")


def test_a_short_row_names_the_first_missing_field(write, tmp_path):
    write(f"{ROOT}/track_a/dev/eng.csv",
          "id,text,anger,fear,joy,sadness,surprise\ne1,a,0,1,0\n")
    with pytest.raises(DataFormatError, match="unclosed quote") as err:
        load("brighter-a:eng", "dev", data_dir=tmp_path)
    assert (err.value.line, err.value.field) == (2, "sadness")


def test_english_test_gold_comes_from_track_c_by_text(write, tmp_path):
    header = "id,text,anger,fear,joy,sadness,surprise\n"
    write(f"{ROOT}/track_a/test/eng.csv",
          header + "eng_test_track_a_1,It was pouring.,,,,,\neng_test_track_a_2,Yay!,,,,,\n")
    write(f"{ROOT}/track_c/test/eng.csv",
          header + "eng_test_track_c_9,Yay!,0,0,1,0,1\neng_test_track_c_8,It was pouring.,0,1,0,0,0\n")
    rows = load("brighter-a:eng", "test", data_dir=tmp_path)
    assert [(r.id, r.labels) for r in rows] == [("eng_test_track_a_1", ("fear",)),
                                                ("eng_test_track_a_2", ("joy", "surprise"))]
    assert rows[0].meta["gold_from"] == "track_c/test/eng.csv"


def test_an_unlabelled_text_missing_from_track_c_is_named(write, tmp_path):
    header = "id,text,anger,fear,joy,sadness,surprise\n"
    path = write(f"{ROOT}/track_a/test/eng.csv", header + "a1,Yay!,,,,,\na2,Gone,,,,,\n")
    write(f"{ROOT}/track_c/test/eng.csv", header + "c1,Yay!,0,0,1,0,0\n")
    with pytest.raises(DataFormatError, match="not in track_c") as err:
        load("brighter-a:eng", "test", data_dir=tmp_path)
    assert (err.value.path, err.value.line, err.value.field) == (path, 3, "text")


def test_track_b_has_a_row_per_text_and_emotion(write, tmp_path):
    write(f"{ROOT}/track_b/dev/eng.csv",
          "id,text,anger,fear,joy,sadness,surprise\neng_b_1,Ugh,3,0,0,1,0\n")
    rows = load("brighter-b:eng", "dev", data_dir=tmp_path)
    assert [r.id for r in rows] == [f"eng_b_1:{e}" for e in ("anger", "fear", "joy", "sadness",
                                                             "surprise")]
    assert rows[0].scores == {"anger": 3} and rows[3].scores == {"sadness": 1}
    assert rows[0].meta["text_id"] == "eng_b_1"


def test_track_b_refuses_a_class_outside_0_to_3(write, tmp_path):
    write(f"{ROOT}/track_b/dev/eng.csv",
          "id,text,anger,fear,joy,sadness,surprise\neng_b_1,Ugh,4,0,0,1,0\n")
    with pytest.raises(DataFormatError, match="expected one of 0, 1, 2, 3") as err:
        load("brighter-b:eng", "dev", data_dir=tmp_path)
    assert err.value.field == "anger"


def test_languages_and_splits_are_checked():
    with pytest.raises(EmolabError, match="no language 'xx'"):
        get_dataset("brighter-a:xx")
    with pytest.raises(EmolabError, match="one language"):
        get_dataset("semeval-ec:eng")
    with pytest.raises(EmolabError, match="no split 'train'"):
        get_dataset("brighter-b:ron").canonical_split("train")
    with pytest.raises(EmolabError, match="no split 'train'"):
        get_dataset("brighter-c:deu").canonical_split("train")
    assert with_language("brighter-a", "amh") == "brighter-a:amh"
    with pytest.raises(EmolabError, match="also given"):
        with_language("brighter-a:deu", "amh")


def test_data_list_shows_each_track_once():
    names = [info.name for info in list_datasets()]
    assert [n for n in names if n.startswith("brighter")] == ["brighter-a", "brighter-b",
                                                              "brighter-c"]
    assert len(get_dataset("brighter-a").languages) == 28
    assert len(get_dataset("brighter-c:all").languages) == 32


# ---- the real files ------------------------------------------------------------------------

TRACK_SPLITS = [(f"brighter-{track}:{language}", split)
                for track, languages in COUNTS.items()
                for language, splits in languages.items() for split in splits]


@pytest.mark.data
@pytest.mark.parametrize(("name", "split"), TRACK_SPLITS)
def test_official_counts_of_every_language(real_data_dir, name, split):
    rows = load(name, split, data_dir=real_data_dir)
    assert len(rows) == get_dataset(name).official_counts[split]
    assert len({row.id for row in rows}) == len(rows)
    assert all(row.text.strip() for row in rows)


@pytest.mark.data
def test_every_language_at_once(real_data_dir):
    rows = load("brighter-a:all", "dev", data_dir=real_data_dir)
    assert len(rows) == get_dataset("brighter-a:all").official_counts["dev"] == 8505
    assert len({r.meta["language"] for r in rows}) == 28


@pytest.mark.data
def test_english_test_gold_agrees_with_track_b(real_data_dir):
    """MANIFEST: the stand-in labels equal "track B intensity > 0" for 2,759 of 2,761 texts."""
    gold = {r.text: set(r.labels) for r in load("brighter-a:eng", "test", data_dir=real_data_dir)}
    present: dict[str, set[str]] = {}
    for row in load("brighter-b:eng", "test", data_dir=real_data_dir):
        present.setdefault(row.text, set())
        if row.scores[row.meta["dimension"]] > 0:
            present[row.text].add(row.meta["dimension"])
    same = sum(gold[text] == labels for text, labels in present.items() if text in gold)
    assert len(gold) == 2761 and same >= 2759
    counts = Counter(label for labels in gold.values() for label in labels)
    assert set(counts) == {"anger", "fear", "joy", "sadness", "surprise"}
