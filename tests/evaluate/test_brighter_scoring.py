"""SemEval-2025 Task 11 figures: emolab's evaluation against the organisers' definitions
(``sample_submission_files/evaluation.ipynb``: scikit-learn macro / micro F1 over the emotion
columns; track B: Pearson r per emotion, averaged), and submission files that carry the same
figures."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.metrics import f1_score, jaccard_score

from emolab.data import get_dataset, load
from emolab.errors import EmolabError
from emolab.evaluate.predictions import PredictionRow
from emolab.evaluate.runner import evaluate_rows
from emolab.evaluate.submission.semeval2025 import write_semeval2025

ROOT = "semeval2025_task11"


def label_rows(dataset: str, examples, pred_of, failed=frozenset()) -> list[PredictionRow]:
    return [PredictionRow(id=e.id, gold=list(e.labels), dataset=dataset,
                          pred=None if e.id in failed else pred_of(e),
                          error="invalid JSON: cut" if e.id in failed else None,
                          task="multi_label", language=e.meta["language"])
            for e in examples]


def intensity_rows(dataset: str, examples, pred_of, failed=frozenset()) -> list[PredictionRow]:
    return [PredictionRow(id=e.id, gold=e.scores[e.meta["dimension"]], dataset=dataset,
                          dimension=e.meta["dimension"], task="ordinal",
                          pred=None if e.id in failed else pred_of(e),
                          error="invalid JSON: cut" if e.id in failed else None,
                          language=e.meta["language"])
            for e in examples]


def read_table(path: Path) -> dict[str, dict[str, str]]:
    """A gold or submission CSV by id, column names lower-cased (the samples capitalise)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: {k.lower(): v for k, v in row.items()}
                for row in csv.DictReader(handle)}


def notebook_figures(gold: dict, pred: dict, columns: list[str]) -> dict[str, float]:
    """The organisers' definitions on two tables aligned by the gold ids."""
    ids = list(gold)
    y_true = np.array([[int(gold[i][c]) for c in columns] for i in ids])
    y_pred = np.array([[int(pred[i][c]) for c in columns] for i in ids])
    return {"f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=0),
            "f1_micro": f1_score(y_true, y_pred, average="micro", zero_division=0),
            "jaccard": jaccard_score(y_true, y_pred, average="samples", zero_division=1.0)}


def track_b_figure(gold: dict, pred: dict, columns: list[str]) -> float:
    """Pearson r per emotion, averaged; a constant column scores 0 (as SemEval-2018's
    scorer; scipy leaves it undefined)."""
    ids = list(gold)
    per = []
    for c in columns:
        g = np.array([int(gold[i][c]) for i in ids])
        p = np.array([int(pred[i][c]) for i in ids])
        per.append(0.0 if np.ptp(g) == 0 or np.ptp(p) == 0 else pearsonr(g, p)[0])
    return float(np.mean(per))


# ---- the organisers' sample submissions ----------------------------------------------------

SAMPLES = [(track, language) for track in "abc" for language in ("amh", "deu", "eng")]


@pytest.mark.data
@pytest.mark.parametrize(("track", "language"), SAMPLES)
def test_sample_submissions_score_as_the_notebook_defines(real_data_dir, track, language):
    dataset = f"brighter-{track}:{language}"
    sample = read_table(real_data_dir / ROOT / "sample_submission_files" / f"track_{track}"
                        / f"pred_{language}.csv")
    gold_file = read_table(real_data_dir / ROOT / f"track_{track}" / "dev" / f"{language}.csv")
    examples = load(dataset, "dev", data_dir=real_data_dir)
    info = get_dataset(dataset)
    if track == "b":
        columns = list(info.dimensions)
        rows = intensity_rows(dataset, examples,
                              lambda e: int(sample[e.meta["text_id"]][e.meta["dimension"]]))
        report = evaluate_rows(rows)
        assert report["official"] == {"metric": "pearson", "value": pytest.approx(
            track_b_figure(gold_file, sample, columns), abs=1e-9)}
        return
    columns = list(info.scored_labels)
    rows = label_rows(dataset, examples,
                      lambda e: [c for c in columns if sample[e.id][c] == "1"])
    report = evaluate_rows(rows)
    expected = notebook_figures(gold_file, sample, columns)
    assert report["official"]["metric"] == "f1_macro"
    assert {k: report["metrics"][k] for k in expected} == pytest.approx(expected, abs=1e-9)


@pytest.mark.data
def test_the_gold_itself_scores_one_in_every_language(real_data_dir):
    examples = load("brighter-a:all", "dev", data_dir=real_data_dir)
    rows = label_rows("brighter-a:all", examples, lambda e: list(e.labels))
    report = evaluate_rows(rows)
    assert report["languages"] == 28 and report["official"]["averaged_over"] == "languages"
    assert report["metrics"]["f1_macro"] == pytest.approx(1.0)


# ---- several languages, on fixtures ---------------------------------------------------------


@pytest.fixture
def brighter_dir(write, tmp_path) -> Path:
    """Dev files of two track A languages (English without disgust) and English track B."""
    rng = random.Random(3)
    eng_columns = ["anger", "fear", "joy", "sadness", "surprise"]
    deu_columns = ["anger", "disgust", "fear", "joy", "sadness", "surprise"]
    for language, columns in (("eng", eng_columns), ("deu", deu_columns)):
        lines = [",".join(["id", "text", *columns])]
        for i in range(40):
            cells = [str(int(rng.random() < 0.3)) for _ in columns]
            lines.append(",".join([f"{language}_dev_{i:03d}", f'"text, number {i}"', *cells]))
        write(f"{ROOT}/track_a/dev/{language}.csv", "\n".join(lines) + "\n")
    lines = [",".join(["id", "text", *eng_columns])]
    for i in range(40):
        lines.append(",".join([f"eng_b_{i:03d}", f"t{i}",
                               *(str(rng.randint(0, 3)) for _ in eng_columns)]))
    write(f"{ROOT}/track_b/dev/eng.csv", "\n".join(lines) + "\n")
    return tmp_path


def noisy_labels(columns, seed=5):
    rng = random.Random(seed)

    def pred(e):
        labels = [c for c in columns if (c in e.labels) != (rng.random() < 0.25)]
        return labels
    return pred


def test_languages_are_scored_apart_and_averaged(brighter_dir):
    rows = []
    per_language = {}
    for language in ("eng", "deu"):
        examples = load(f"brighter-a:{language}", "dev", data_dir=brighter_dir)
        columns = list(get_dataset(f"brighter-a:{language}").scored_labels)
        # one file of a "--language all" run: the rows name the data set as NAME:all
        group = label_rows("brighter-a:all", examples, noisy_labels(columns),
                           failed={examples[0].id})
        rows += group
        gold = {e.id: {c: str(int(c in e.labels)) for c in columns} for e in examples}
        pred = {r.id: {c: str(int(c in (r.pred or []))) for c in columns} for r in group}
        per_language[language] = notebook_figures(gold, pred, columns)
    report = evaluate_rows(rows)
    assert set(report["by_language"]) == {"eng", "deu"}
    for language, expected in per_language.items():
        got = report["by_language"][language]
        assert {k: got[k] for k in expected} == pytest.approx(expected, abs=1e-9)
        assert got["failed"] == 1
    mean = np.mean([f["f1_macro"] for f in per_language.values()])
    assert report["official"]["value"] == pytest.approx(mean)
    assert report["failed"] == 2


def test_a_submission_file_carries_emolab_figures(brighter_dir, tmp_path):
    examples = load("brighter-a:eng", "dev", data_dir=brighter_dir)
    columns = list(get_dataset("brighter-a:eng").scored_labels)
    failed = {e.id for e in examples[:4]}
    rows = label_rows("brighter-a:eng", examples, noisy_labels(columns), failed)
    out = tmp_path / "submission"
    report = write_semeval2025(rows, out, data_dir=brighter_dir)
    [written] = report.files
    assert written.path == out / "track_a" / "pred_eng.csv"
    assert (written.split, written.rows, written.imputed) == ("dev", 40, 4)
    text = written.path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "id,anger,fear,joy,sadness,surprise"  # no text column
    submitted = read_table(written.path)
    assert list(submitted) == [e.id for e in examples]  # the gold file's order
    assert all(set(submitted[i].values()) - {i} <= {"0"} for i in failed)
    gold = read_table(brighter_dir / ROOT / "track_a" / "dev" / "eng.csv")
    expected = notebook_figures(gold, submitted, columns)
    ours = evaluate_rows(rows)["metrics"]
    assert {k: ours[k] for k in expected} == pytest.approx(expected, abs=1e-6)
    assert 0 < expected["f1_macro"] < 1


def test_a_track_b_submission_carries_emolab_figures(brighter_dir, tmp_path):
    examples = load("brighter-b:eng", "dev", data_dir=brighter_dir)
    rng = random.Random(9)
    rows = intensity_rows("brighter-b:eng", examples,
                          lambda e: min(3, max(0, e.scores[e.meta["dimension"]]
                                               + rng.randint(-1, 1))),
                          failed={examples[1].id, examples[7].id})
    [written] = write_semeval2025(rows, tmp_path / "out", data_dir=brighter_dir).files
    assert written.path.name == "pred_eng.csv" and written.path.parent.name == "track_b"
    assert (written.rows, written.imputed) == (40, 2)
    submitted = read_table(written.path)
    gold = read_table(brighter_dir / ROOT / "track_b" / "dev" / "eng.csv")
    columns = list(get_dataset("brighter-b:eng").dimensions)
    assert evaluate_rows(rows)["official"]["value"] == pytest.approx(
        track_b_figure(gold, submitted, columns), abs=1e-6)


def test_a_partial_run_is_refused(brighter_dir, tmp_path):
    examples = load("brighter-a:deu", "dev", data_dir=brighter_dir)[:10]
    rows = label_rows("brighter-a:deu", examples, lambda e: list(e.labels))
    with pytest.raises(EmolabError, match="30 of 40 rows have no prediction"):
        write_semeval2025(rows, tmp_path / "out", data_dir=brighter_dir)
    assert not (tmp_path / "out").exists()


def test_other_data_sets_are_refused(brighter_dir, tmp_path):
    row = PredictionRow(id="x", gold=["joy"], pred=["joy"], dataset="semeval-ec")
    with pytest.raises(EmolabError, match="not a SemEval-2025 Task 11 data set"):
        write_semeval2025([row], tmp_path / "out", data_dir=brighter_dir)


def test_a_row_of_an_all_languages_run_must_name_its_language(brighter_dir, tmp_path):
    row = PredictionRow(id="deu_dev_000", gold=[], pred=[], dataset="brighter-a:all",
                        task="multi_label")
    with pytest.raises(EmolabError, match="names no language"):
        write_semeval2025([row], tmp_path / "out", data_dir=brighter_dir)
    with pytest.raises(EmolabError, match="names no language"):
        evaluate_rows([row])
