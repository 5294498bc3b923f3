"""SemEval-2018 Task 1 submission files: the layout of the gold files, imputation, refusals,
and the same figures from emolab and from the organisers' scoring rules."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.metrics import cohen_kappa_score, f1_score, jaccard_score

from emolab.data import load
from emolab.data.reading import iter_lines
from emolab.data.semeval import EI_EMOTIONS, ec_file, ei_file, valence_file
from emolab.errors import EmolabError
from emolab.evaluate.predictions import PredictionRow
from emolab.evaluate.runner import evaluate_rows
from emolab.evaluate.submission.semeval2018 import write_semeval2018
from emolab.labels import SEMEVAL_EC

EI_TEXT = {0: "no {e} can be inferred", 1: "low amount of {e} can be inferred",
           2: "moderate amount of {e} can be inferred", 3: "high amount of {e} can be inferred"}
V_TEXT = {-3: "very negative", -2: "moderately negative", -1: "slightly negative",
          0: "neutral or mixed", 1: "slightly positive", 2: "moderately positive",
          3: "very positive"}
TASK = {"semeval-ec": "multi_label", "semeval-ei-reg": "regression", "semeval-ei-oc": "ordinal",
        "semeval-v-reg": "regression", "semeval-v-oc": "ordinal"}
N = 40  # tweets per fixture file


# ---- fixture: a data dir in the release's layout (CRLF; test-gold files start with a BOM) ----

def _write_tsv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\r\n".join("\t".join(cells) for cells in [header, *rows]) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def _tweet(rng: random.Random, i: int) -> str:
    return f"tweet {i} it's {rng.choice(['fine', 'awful', 'ok'])} \\n #yay 😀 & “quotes”"


def make_data(root: Path, seed: int = 0) -> Path:
    rng = random.Random(seed)
    for split, first in (("train", 10000), ("dev", 20000), ("test", 30000)):
        bom = split == "test"
        ids = [f"2018-En-{first + i:05d}" for i in range(N)]
        ec = [[i, _tweet(rng, n), *("1" if rng.random() < 0.25 else "0" for _ in SEMEVAL_EC.labels)]
              for n, i in enumerate(ids)]
        ec[0][2:] = ["0"] * len(SEMEVAL_EC.labels)  # a tweet with no emotion
        _write_tsv(ec_file(root, split), ["ID", "Tweet", *SEMEVAL_EC.labels], ec, bom=bom)
        for emotion in EI_EMOTIONS:
            # EI files list the tweets of one emotion in their own order.
            own = rng.sample(ids, N)
            scores = [[i, _tweet(rng, n), emotion, f"{rng.random():.3f}"] for n, i in enumerate(own)]
            _write_tsv(ei_file(root, "EI-reg", emotion, split),
                       ["ID", "Tweet", "Affect Dimension", "Intensity Score"], scores, bom=bom)
            # Class 3 of fear appears in train only: its text must come from there.
            top = 2 if emotion == "fear" and split != "train" else 3
            classes = [rng.randint(0, top) for _ in own]
            oc = [[i, _tweet(rng, n), emotion, f"{k}: {EI_TEXT[k].format(e=emotion)}"]
                  for n, (i, k) in enumerate(zip(own, classes, strict=True))]
            _write_tsv(ei_file(root, "EI-oc", emotion, split),
                       ["ID", "Tweet", "Affect Dimension", "Intensity Class"], oc, bom=bom)
        vreg = [[i, _tweet(rng, n), "valence", f"{rng.random():.3f}"] for n, i in enumerate(ids)]
        _write_tsv(valence_file(root, "reg", split),
                   ["ID", "Tweet", "Affect Dimension", "Intensity Score"], vreg, bom=bom)
        voc = []
        for n, i in enumerate(ids):
            k = rng.randint(-3, 3)
            voc.append([i, _tweet(rng, n), "valence",
                        f"{k}: {V_TEXT[k]} emotional state can be inferred"])
        _write_tsv(valence_file(root, "oc", split),
                   ["ID", "Tweet", "Affect Dimension", "Intensity Class"], voc, bom=bom)
    return root


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_data(tmp_path / "data")


def gold_of(dataset: str, example) -> list[str] | float | int:
    if dataset == "semeval-ec":
        return list(example.labels)
    value = next(iter(example.scores.values()))
    return int(value) if dataset.endswith("-oc") else value


def rows_for(dataset: str, split: str, data_dir: Path, *, pred_of=None, failed=frozenset(),
             seed: int = 1) -> list[PredictionRow]:
    """Prediction rows over a split: ``pred_of(rng, example)`` (default: the gold), ``failed``
    ids unreadable; shuffled, since the file's order must come from the gold file."""
    rng = random.Random(seed)
    rows = []
    for example in load(dataset, split, data_dir=data_dir):
        bad = example.id in failed
        rows.append(PredictionRow(
            id=example.id, gold=gold_of(dataset, example), dataset=dataset, task=TASK[dataset],
            dimension=example.meta.get("dimension"),
            pred=None if bad else (pred_of(rng, example) if pred_of else gold_of(dataset, example)),
            error="invalid JSON: truncated" if bad else None))
    rng.shuffle(rows)
    return rows


def noisy_pred(dataset: str):
    """Predictions near the gold (seeded), so that every figure is informative."""
    def pred(rng: random.Random, example):
        gold = gold_of(dataset, example)
        if dataset == "semeval-ec":
            return [label for label in SEMEVAL_EC.labels
                    if (label in gold) != (rng.random() < 0.2)]
        if dataset.endswith("-reg"):
            return min(1.0, max(0.0, gold + rng.gauss(0, 0.2)))  # full precision: kept as is
        low, high = (0, 3) if dataset == "semeval-ei-oc" else (-3, 3)
        return gold if rng.random() < 0.5 else rng.randint(low, high)
    return pred


def parsed(path: Path) -> list[list[str]]:
    return [line.split("\t") for _, line in iter_lines(path)]


# ---- the organisers' rules, as their evaluation script applies them ----------------------

def _official_table(path: Path) -> tuple[int, dict[str, list[str]]]:
    # The script splits raw bytes on b"\n" (readlines), keeps the rest of each line, skips the
    # first line as the header and aligns rows by the ID column.
    lines = path.read_bytes().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    table = {}
    for line in lines[1:]:
        parts = line.decode("utf-8").split("\t")
        assert parts[0] not in table, f"repeated id {parts[0]}"
        table[parts[0]] = parts
    return len(lines), table


def official_figures(kind: str, pred_path: Path, gold_path: Path) -> dict[str, float]:
    """``kind``: ec, reg or oc. Names are emolab's names of the same figures."""
    n_pred, pred = _official_table(pred_path)
    n_gold, gold = _official_table(gold_path)
    assert n_pred == n_gold, "different number of lines"
    assert set(pred) == set(gold), "ids differ"
    ids = list(gold)
    if kind == "ec":
        y_true = np.array([[int(v) for v in gold[i][2:13]] for i in ids])
        y_pred = np.array([[int(v) for v in pred[i][2:13]] for i in ids])
        return {"jaccard": jaccard_score(y_true, y_pred, average="samples", zero_division=1.0),
                "f1_micro": f1_score(y_true, y_pred, average="micro", zero_division=0.0),
                "f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=0.0)}
    if kind == "reg":
        def score(parts: list[str]) -> float:
            try:
                return float(parts[3])
            except ValueError:
                return 0.5  # the script's value for an invalid score
        g = np.array([score(gold[i]) for i in ids])
        p = np.array([score(pred[i]) for i in ids])
        if np.std(p) == 0 or np.std(g) == 0:
            return {"pearson": 0.0, "pearson_gold_ge_0.5": 0.0}
        high = g >= 0.5
        return {"pearson": pearsonr(p, g)[0], "pearson_gold_ge_0.5": pearsonr(p[high], g[high])[0]}
    g = np.array([int(gold[i][3].split(":")[0]) for i in ids])
    p = np.array([int(pred[i][3].split(":")[0]) for i in ids])
    if np.std(p) == 0 or np.std(g) == 0:
        return dict.fromkeys(("pearson", "pearson_some_emotion", "qwk", "qwk_some_emotion"), 0.0)
    some = g != 0
    labels = sorted(set(g.tolist()))  # the script fixes the labels to all gold classes
    return {"pearson": pearsonr(p, g)[0], "pearson_some_emotion": pearsonr(p[some], g[some])[0],
            "qwk": cohen_kappa_score(p, g, labels=labels, weights="quadratic"),
            "qwk_some_emotion": cohen_kappa_score(p[some], g[some], labels=labels,
                                                  weights="quadratic")}


# ---- unit tests -------------------------------------------------------------------------

def test_ec_file_keeps_gold_header_and_order_and_imputes_zeros(data, tmp_path):
    rows = rows_for("semeval-ec", "dev", data, pred_of=noisy_pred("semeval-ec"),
                    failed={"2018-En-20003", "2018-En-20007"})
    report = write_semeval2018(rows, tmp_path / "out", data_dir=data)
    [written] = report.files
    assert written.path == tmp_path / "out" / "E-C_en_pred.txt"
    assert (written.dataset, written.split, written.rows, written.imputed) == \
        ("semeval-ec", "dev", N, 2)
    raw = written.path.read_bytes()
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
    out, gold = parsed(written.path), parsed(ec_file(data, "dev"))
    assert out[0] == gold[0]  # the header, label columns in the gold file's order
    assert [r[:2] for r in out] == [r[:2] for r in gold]  # ID and Tweet, in gold order
    by_id = {row.id: row for row in rows}
    for cells in out[1:]:
        row = by_id[cells[0]]
        expected = [] if row.failed else row.pred
        assert cells[2:] == ["1" if label in expected else "0" for label in SEMEVAL_EC.labels]


def test_ec_label_outside_the_set_is_imputed_as_emolab_scores_it(data, tmp_path):
    rows = rows_for("semeval-ec", "dev", data)
    rows[0].pred = ["joy", "boredom"]
    [written] = write_semeval2018(rows, tmp_path, data_dir=data).files
    assert written.imputed == 1
    cells = next(c for c in parsed(written.path) if c[0] == rows[0].id)
    assert cells[2:] == ["0"] * 11
    assert evaluate_rows(rows)["failed"] == 1


def test_ei_reg_writes_four_files_with_full_precision_scores(data, tmp_path):
    rows = rows_for("semeval-ei-reg", "test", data, pred_of=noisy_pred("semeval-ei-reg"),
                    failed={"2018-En-30001:joy"})
    report = write_semeval2018(rows, tmp_path, data_dir=data)
    assert [f.path.name for f in report.files] == [f"EI-reg_en_{e}_pred.txt" for e in EI_EMOTIONS]
    assert [f.imputed for f in report.files] == [0, 0, 1, 0] and report.imputed == 1
    assert {f.split for f in report.files} == {"test"}
    by_id = {row.id: row for row in rows}
    for written, emotion in zip(report.files, EI_EMOTIONS, strict=True):
        out, gold = parsed(written.path), parsed(ei_file(data, "EI-reg", emotion, "test"))
        assert out[0] == gold[0] == ["ID", "Tweet", "Affect Dimension", "Intensity Score"]
        assert [r[:3] for r in out] == [r[:3] for r in gold]
        for cells in out[1:]:
            row = by_id[f"{cells[0]}:{emotion}"]
            assert float(cells[3]) == (0.5 if row.failed else row.pred)  # round-trips exactly
            assert cells[3] == repr(0.5 if row.failed else row.pred)


@pytest.mark.parametrize(("dataset", "dimension", "file_name"),
                         [("semeval-ei-oc", "fear", "EI-oc_en_fear_pred.txt"),
                          ("semeval-v-oc", "valence", "V-oc_en_pred.txt")])
def test_ordinal_classes_written_with_the_gold_files_descriptions(data, tmp_path, dataset,
                                                                  dimension, file_name):
    pred = {"semeval-ei-oc": 3, "semeval-v-oc": -3}[dataset]
    rows = [row for row in rows_for(dataset, "dev", data, pred_of=lambda rng, e: pred,
                                    failed={"2018-En-20002", "2018-En-20002:fear"})]
    report = write_semeval2018(rows, tmp_path, data_dir=data)
    written = next(f for f in report.files if f.path.name == file_name)
    assert written.imputed == 1
    out = parsed(written.path)
    values = {cells[0]: cells[3] for cells in out[1:]}
    if dataset == "semeval-ei-oc":
        # Class 3 of fear is only in the train file: its description comes from there.
        assert values["2018-En-20000"] == "3: high amount of fear can be inferred"
        assert values["2018-En-20002"] == "0: no fear can be inferred"  # imputed class 0
    else:
        assert values["2018-En-20000"] == "-3: very negative emotional state can be inferred"
        assert values["2018-En-20002"] == "0: neutral or mixed emotional state can be inferred"
    gold = parsed(ei_file(data, "EI-oc", "fear", "dev") if dataset == "semeval-ei-oc"
                  else valence_file(data, "oc", "dev"))
    assert [r[:3] for r in out] == [r[:3] for r in gold]


def test_v_reg_file_and_several_data_sets_at_once(data, tmp_path):
    rows = (rows_for("semeval-v-reg", "test", data, failed={"2018-En-30005"})
            + rows_for("semeval-ec", "dev", data))
    report = write_semeval2018(rows, tmp_path, data_dir=data)
    assert [(f.path.name, f.split, f.imputed) for f in report.files] == \
        [("V-reg_en_pred.txt", "test", 1), ("E-C_en_pred.txt", "dev", 0)]
    out = parsed(tmp_path / "V-reg_en_pred.txt")
    assert out[0] == ["ID", "Tweet", "Affect Dimension", "Intensity Score"]
    assert dict((c[0], c[3]) for c in out[1:])["2018-En-30005"] == "0.5"


def test_class_never_in_the_gold_files_is_refused(data, tmp_path):
    rows = rows_for("semeval-v-oc", "dev", data)
    rows[0].pred = 5
    with pytest.raises(EmolabError, match="class 5 never appears"):
        write_semeval2018(rows, tmp_path, data_dir=data)


def test_missing_predictions_are_refused_and_nothing_is_written(data, tmp_path):
    rows = rows_for("semeval-ec", "test", data)[:3] + rows_for("semeval-v-oc", "dev", data)
    with pytest.raises(EmolabError, match=r"semeval-ec test: 37 of 40 tweets have no prediction "
                                          r"\(a --limit run\?\); the official scorer needs"):
        write_semeval2018(rows, tmp_path / "out", data_dir=data)
    assert not (tmp_path / "out").exists()
    ei = rows_for("semeval-ei-reg", "dev", data)[1:]
    with pytest.raises(EmolabError, match="semeval-ei-reg dev: 1 of 160 tweet-emotion pairs"):
        write_semeval2018(ei, tmp_path, data_dir=data)


def test_an_id_in_no_split_is_refused(data, tmp_path):
    rows = rows_for("semeval-ec", "dev", data)
    rows[0].id = "2018-En-99999"
    with pytest.raises(EmolabError, match=r"semeval-ec: no single split holds all 40 .*"
                                          r"dev: 1 ids not in it, e.g. '2018-En-99999'"):
        write_semeval2018(rows, tmp_path, data_dir=data)
    mixed = rows_for("semeval-ec", "dev", data) + rows_for("semeval-ec", "test", data)
    with pytest.raises(EmolabError, match="no single split holds all 80"):
        write_semeval2018(mixed, tmp_path, data_dir=data)


def test_other_data_sets_and_duplicates_are_refused(data, tmp_path):
    rows = rows_for("semeval-ec", "dev", data)
    other = PredictionRow(id="x", gold=["joy"], pred=["joy"], dataset="goemotions")
    with pytest.raises(EmolabError, match="'goemotions' is not a SemEval-2018 Task 1 data set"):
        write_semeval2018([*rows, other], tmp_path, data_dir=data)
    with pytest.raises(EmolabError, match="has two predictions"):
        write_semeval2018([*rows, rows[0]], tmp_path, data_dir=data)


# ---- agreement: emolab's figures are the figures of the written files -------------------

AGREEMENT = [("semeval-ec", "dev"), ("semeval-ei-reg", "test"), ("semeval-ei-oc", "dev"),
             ("semeval-v-reg", "dev"), ("semeval-v-oc", "test")]


def _gold_path(data: Path, dataset: str, split: str, dimension: str | None) -> Path:
    return {"semeval-ec": lambda: ec_file(data, split),
            "semeval-ei-reg": lambda: ei_file(data, "EI-reg", dimension, split),
            "semeval-ei-oc": lambda: ei_file(data, "EI-oc", dimension, split),
            "semeval-v-reg": lambda: valence_file(data, "reg", split),
            "semeval-v-oc": lambda: valence_file(data, "oc", split)}[dataset]()


def _dimension(file_name: str) -> str | None:
    """EI-oc_en_joy_pred.txt -> joy; V-*: valence; E-c: none."""
    parts = file_name.split("_")
    return parts[2] if len(parts) == 4 else None if parts[0] == "E-C" else "valence"


def _failed_ids(dataset: str, split: str, data: Path) -> set[str]:
    examples = load(dataset, split, data_dir=data)
    return {e.id for e in random.Random(7).sample(examples, 5)}


@pytest.mark.parametrize(("dataset", "split"), AGREEMENT)
def test_emolab_figures_equal_the_official_figures_of_the_file(data, tmp_path, dataset, split):
    rows = rows_for(dataset, split, data, pred_of=noisy_pred(dataset),
                    failed=_failed_ids(dataset, split, data))
    report = write_semeval2018(rows, tmp_path, data_dir=data)
    assert report.imputed == 5
    ours = evaluate_rows(rows)
    kind = "ec" if dataset == "semeval-ec" else dataset[-3:].lstrip("-")
    for written in report.files:
        dimension = _dimension(written.path.name)
        official = official_figures(kind, written.path, _gold_path(data, dataset, split, dimension))
        emolab = ours["metrics"] if kind == "ec" else ours["by_dimension"][dimension]
        assert {name: emolab[name] for name in official} == pytest.approx(official, abs=1e-6)
        assert all(0.0 < abs(value) < 1.0 for value in official.values())  # not degenerate


def test_an_unreadable_answer_on_an_empty_gold_row_scores_as_the_scorer_reads_it(data, tmp_path):
    """The official scorer reads the imputed all-zeros row and scores it 1.0 against an empty
    gold; emolab's figure is the same, and the failure is counted apart."""
    rows = rows_for("semeval-ec", "dev", data)  # pred = gold: every tweet right
    empty = next(row for row in rows if row.gold == [])
    empty.pred, empty.error = None, "invalid JSON: truncated"
    [written] = write_semeval2018(rows, tmp_path, data_dir=data).files
    official = official_figures("ec", written.path, ec_file(data, "dev"))
    ours = evaluate_rows(rows)
    assert official["jaccard"] == pytest.approx(1.0)
    assert ours["metrics"]["jaccard"] == pytest.approx(1.0)
    assert ours["failed"] == 1


@pytest.mark.parametrize(("dataset", "split"), [("semeval-ei-oc", "dev"), ("semeval-v-oc", "test")])
def test_some_emotion_kappa_weighs_over_every_gold_class(data, tmp_path, dataset, split):
    """The official "some emotion" kappa keeps the labels of all gold classes (class 0 too):
    an answer of class 0 on such a row stays in the matrix, and V-oc's -1 and 1 are two steps
    apart. Checked against scikit-learn with those labels."""
    rows = rows_for(dataset, split, data, pred_of=noisy_pred(dataset),
                    failed=_failed_ids(dataset, split, data))
    ours = evaluate_rows(rows)["by_dimension"]
    for written in write_semeval2018(rows, tmp_path, data_dir=data).files:
        dimension = _dimension(written.path.name)
        gold_path = _gold_path(data, dataset, split, dimension)
        _, pred = _official_table(written.path)
        _, gold = _official_table(gold_path)
        g = np.array([int(cells[3].split(":")[0]) for cells in gold.values()])
        p = np.array([int(pred[i][3].split(":")[0]) for i in gold])
        some = g != 0
        reference = cohen_kappa_score(p[some], g[some], labels=sorted(set(g.tolist())),
                                      weights="quadratic")
        assert ours[dimension]["qwk_some_emotion"] == pytest.approx(reference, abs=1e-6)


def test_imputed_values_are_the_official_scorers():
    from emolab.evaluate.submission.semeval2018 import _imputed_value

    assert [_imputed_value(d, dim) for d, dim in [("semeval-ei-reg", "anger"),
                                                  ("semeval-v-reg", "valence"),
                                                  ("semeval-ei-oc", "joy"),
                                                  ("semeval-v-oc", "valence")]] == [0.5, 0.5, 0, 0]


# ---- the real files ---------------------------------------------------------------------

@pytest.mark.data
@pytest.mark.parametrize(("dataset", "split", "kind"),
                         [("semeval-ec", "test", "ec"), ("semeval-v-oc", "dev", "oc")])
def test_gold_as_predictions_rewrites_the_gold_file(real_data_dir, tmp_path, dataset, split,
                                                    kind):
    rows = rows_for(dataset, split, real_data_dir)  # pred = gold
    [written] = write_semeval2018(rows, tmp_path, data_dir=real_data_dir).files
    gold = _gold_path(real_data_dir, dataset, split, None)
    assert (written.split, written.rows, written.imputed) == (split, len(rows), 0)
    # The whole file is the gold file, but for its CRLF line ends and BOM.
    assert parsed(written.path) == parsed(gold)
    official = official_figures(kind, written.path, gold)
    ours = evaluate_rows(rows)["metrics"]
    names = ("jaccard", "f1_micro", "f1_macro") if kind == "ec" else \
        ("pearson", "pearson_some_emotion", "qwk", "qwk_some_emotion")
    for name in names:
        assert official[name] == pytest.approx(1.0)
        assert ours[name] == pytest.approx(1.0)
