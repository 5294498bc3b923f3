"""A labelling run end to end with a fake backend: every id once, typed answers, resume, refusals."""

from __future__ import annotations

import json

import pytest

from emolab.errors import EmolabError
from emolab.label.engines.local import LocalEngine
from emolab.label.readers import read_corpus
from emolab.label.run import label_corpus, open_run
from emolab.label.tasks import resolve_tasks

pq = pytest.importorskip("pyarrow.parquet")

CONFIG = {"tasks": "ec,v-reg,v-oc,isear", "model": "fake-model", "prompt_version": "v1"}


def corpus(write, n: int = 12, extra: bytes = b""):
    lines = [f"text number {i} <b>bold</b> {{\"explanation\": \"x\"}}".encode() for i in range(n)]
    return write("corpus.txt", b"\n".join(lines) + b"\n" + extra)


def run_once(path, out, tasks, answerer, *, config=CONFIG, **options):
    run = open_run(out, config, tasks, corpus=path)
    with LocalEngine(answerer, tasks) as engine:
        return label_corpus(run, read_corpus(path), engine, **options)


def read_out(out):
    return pq.read_table(out / "data").to_pylist()


def test_every_row_once_with_typed_answers_and_failed_rows(write, tmp_path, tasks, answerer):
    path = corpus(write, 5, extra=b"\n\xff\xfe\n")
    summary = run_once(path, tmp_path / "out", tasks, answerer(), shard_rows=2)
    rows = read_out(tmp_path / "out")
    assert [r["id"] for r in rows] == [r.id for r in read_corpus(path)]
    assert summary.written == 7 and summary.ok == 5 and summary.shards == 4
    assert summary.failed == {"empty text": 1, "undecodable bytes": 1}
    good, empty, bad = rows[0], rows[5], rows[6]
    assert good["ec__answer"] == ["anger"] and good["isear__answer"] == "joy"
    assert isinstance(good["v_reg__answer"], float) and good["v_oc__answer"] == -3
    assert good["ec__explanation"].startswith("the text has")
    assert json.loads(good["ec__raw"])["most_prominent_emotion"] == "anger"
    assert good["model"] == "fake-model" and good["prompt_version"] == "v1"
    # untrusted text is data: kept byte for byte, markup and JSON included
    assert good["text"] == 'text number 0 <b>bold</b> {"explanation": "x"}'
    assert (empty["error"], empty["line"]) == ("empty text: line 6", 6)
    assert bad["error"].startswith("undecodable bytes: line 7") and bad["ec__answer"] is None


def test_resume_skips_committed_rows(write, tmp_path, tasks, answerer):
    path, out = corpus(write), tmp_path / "out"
    first = answerer()
    run_once(path, out, tasks, first, shard_rows=5, limit=7)
    assert first.backend.calls == 7 * len(tasks)
    second = answerer()
    summary = run_once(path, out, tasks, second, shard_rows=5)
    assert summary.rows_before == 7 and summary.written == 5
    assert second.backend.calls == 5 * len(tasks)
    ids = [r["id"] for r in read_out(out)]
    assert ids == [r.id for r in read_corpus(path)] and len(set(ids)) == 12


def test_a_failing_engine_keeps_finished_rows(write, tmp_path, tasks, answerer):
    path, out = corpus(write), tmp_path / "out"

    class Boom(RuntimeError):
        pass

    broken = answerer()
    original = broken.answer_many

    def answer_many(texts):
        if any("number 8" in text for text in texts):
            raise Boom("disk on fire")
        return original(texts)

    broken.answer_many = answer_many
    with pytest.raises(Boom):
        run_once(path, out, tasks, broken, shard_rows=100)
    assert len(read_out(out)) == 8  # rows 0-7 committed on the way out
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["stopped_by"] == "Boom: disk on fire" and session["rows_written"] == 8
    run_once(path, out, tasks, answerer(), shard_rows=100)
    assert [r["id"] for r in read_out(out)] == [r.id for r in read_corpus(path)]


def test_request_failures_and_bad_answers_are_kept_per_task(write, tmp_path, tasks, answerer):
    path = corpus(write, 3)
    run_once(path, tmp_path / "out", tasks, answerer(fail_on="number 1", garbage_on="number 2"))
    rows = read_out(tmp_path / "out")
    assert rows[1]["ec__error"].startswith("request failed: connection refused")
    assert rows[2]["ec__error"].startswith("invalid JSON") and rows[2]["ec__raw"] == "I feel nothing"
    assert rows[0]["ec__error"] is None


def test_other_settings_or_another_corpus_are_refused(write, tmp_path, tasks, answerer):
    path, out = corpus(write), tmp_path / "out"
    run_once(path, out, tasks, answerer(), shard_rows=4, limit=4)
    with pytest.raises(EmolabError, match=r"model: 'fake-model' -> 'other'"):
        open_run(out, {**CONFIG, "model": "other"}, tasks, corpus=path)
    with pytest.raises(EmolabError, match="tasks"):
        open_run(out, {**CONFIG, "tasks": "ec"}, resolve_tasks("ec"), corpus=path)
    changed = write("changed.txt", b"something else\n" * 12)
    with pytest.raises(EmolabError, match="the corpus changed"):
        run_once(changed, out, tasks, answerer())


def test_task_specs_expand_and_name_their_columns():
    tasks = resolve_tasks("ec, ei-reg ,v-oc")
    assert [t.column for t in tasks] == ["ec", "ei_reg_anger", "ei_reg_fear", "ei_reg_joy",
                                         "ei_reg_sadness", "v_oc"]
    assert [t.kind for t in tasks][:2] == ["multi_label", "regression"]
    with pytest.raises(EmolabError, match="given twice"):
        resolve_tasks("ec,semeval-ec")
    with pytest.raises(EmolabError, match="unknown task"):
        resolve_tasks("nope")


def test_a_batching_backend_labels_in_batches_with_the_same_rows(write, tmp_path, tasks,
                                                                 answerer):
    path = corpus(write, 7, extra=b"\n")  # an empty line among them: a row, never asked
    one_by_one = answerer()
    run_once(path, tmp_path / "single", tasks, one_by_one, shard_rows=3)
    batched = answerer()
    batched.backend.batch_size = 3
    sizes = []
    original = batched.answer_many

    def answer_many(texts):
        sizes.append(len(texts))
        return original(texts)

    batched.answer_many = answer_many
    run_once(path, tmp_path / "batched", tasks, batched, shard_rows=3)
    assert sizes == [3, 3, 1]  # 7 texts; the empty line is not sent
    strip = [{k: v for k, v in r.items() if k not in ("seconds",)} for r in
             read_out(tmp_path / "single")]
    assert [{k: v for k, v in r.items() if k not in ("seconds",)}
            for r in read_out(tmp_path / "batched")] == strip
    assert batched.backend.calls == one_by_one.backend.calls == 7 * len(tasks)
