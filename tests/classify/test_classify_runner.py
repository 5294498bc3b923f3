import json

import pytest

from emolab.backends.base import CapabilityError, SamplingParams
from emolab.classify import Classifier
from emolab.classify.runner import EMPTY_TEXT
from emolab.data import Example, TaskKind
from emolab.errors import EmolabError
from emolab.evaluate.predictions import read_predictions
from emolab.labels import get_label_set

SEMEVAL = get_label_set("semeval-ec")


def examples(n):
    return [Example(id=f"t{i}", text=f"text number {i}", labels=("joy",)) for i in range(n)]


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_classify_sends_schema_and_params(fake_backend):
    params = SamplingParams(max_tokens=64, seed=3)
    result = Classifier(fake_backend, SEMEVAL, params=params).classify("We won!")
    call = fake_backend.calls[0]
    assert call["schema"]["properties"]["most_prominent_emotion"]["enum"] == list(SEMEVAL.labels)
    assert call["params"] == params
    assert call["messages"][-1]["content"].endswith("We won!")
    assert result.best.error is None and result.best.schema_valid


def test_unconstrained_sends_no_schema_and_schemaless_backend_refuses_constraint(fake):
    backend = fake.NoSchema()
    Classifier(backend, SEMEVAL, constrain=False).classify("hi")
    assert backend.calls[0]["schema"] is None
    with pytest.raises(CapabilityError, match="--no-constrain"):
        Classifier(fake.NoSchema(), SEMEVAL)


def test_empty_text_is_a_clear_error(fake_backend):
    with pytest.raises(EmolabError, match="empty text"):
        Classifier(fake_backend, SEMEVAL).classify(" \x00\n ")
    assert fake_backend.calls == []


def test_rows_match_the_predictions_format(tmp_path, fake):
    backend = fake.Backend(replies={"number 1": "not json", "number 2": fake.answer("fear", ["joy"])})
    out = tmp_path / "preds.jsonl"
    data = [*examples(3), Example(id="empty", text="  ", labels=("joy",))]
    written = Classifier(backend, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL,
                                              dataset="semeval-ec")
    assert written == 4
    rows = {r.id: r for r in read_predictions(out)}  # what `emolab evaluate` reads
    assert rows["t0"].pred == ["joy"] and rows["t0"].gold == ["joy"] and rows["t0"].error is None
    assert rows["t1"].pred is None and rows["t1"].raw == "not json"
    assert rows["t1"].error.startswith("invalid JSON")
    assert rows["t2"].pred is None and rows["t2"].parsed["most_prominent_emotion"] == "fear"
    assert rows["empty"].error == EMPTY_TEXT and rows["empty"].raw is None
    raw_row = lines(out)[0]
    assert raw_row["task"] == "multi_label" and raw_row["prompt_version"] == "v1"
    assert raw_row["model"] == "fake-model" and raw_row["backend"] == "fake"
    assert raw_row["sampling"]["max_tokens"] == 900 and "candidates" not in raw_row


def test_single_label_rows_use_strings_and_n_candidates(tmp_path, fake_backend):
    out = tmp_path / "p.jsonl"
    params = SamplingParams(n=2, temperature=0.4, top_p=0.8, seed=7)
    Classifier(fake_backend, get_label_set("dair-emotion"), params=params).run(
        examples(1), out, task=TaskKind.SINGLE_LABEL, dataset="dair-emotion")
    row = lines(out)[0]
    assert row["gold"] == "joy" and row["pred"] == "joy"
    assert [c["index"] for c in row["candidates"]] == [0, 1]
    assert row["candidates"][1]["pred"] == "joy"
    assert row["sampling"] == {"n": 2, "temperature": 0.4, "top_p": 0.8, "max_tokens": 256,
                               "seed": 7}


def test_resume_after_kill_classifies_nothing_twice(tmp_path, fake):
    out = tmp_path / "p.jsonl"
    data = examples(6)
    with pytest.raises(KeyboardInterrupt):
        Classifier(fake.Backend(fail_on="number 3"), SEMEVAL).run(
            data, out, task=TaskKind.MULTI_LABEL, dataset="semeval-ec")
    assert [r["id"] for r in lines(out)] == ["t0", "t1", "t2"]
    # the kill also cut a row in half while it was being written
    with out.open("a") as handle:
        handle.write('{"id": "t3", "gold": ["jo')
    again = fake.Backend()
    written = Classifier(again, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL,
                                             dataset="semeval-ec")
    assert written == 3 and len(again.calls) == 3
    assert [r["id"] for r in lines(out)] == [f"t{i}" for i in range(6)]
    assert Classifier(again, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL,
                                          dataset="semeval-ec") == 0


def test_resume_keeps_a_whole_last_row_missing_only_its_newline(tmp_path, fake_backend):
    out = tmp_path / "p.jsonl"
    Classifier(fake_backend, SEMEVAL).run(examples(2), out, task=TaskKind.MULTI_LABEL)
    out.write_bytes(out.read_bytes().rstrip(b"\n"))
    backend = type(fake_backend)()
    Classifier(backend, SEMEVAL).run(examples(3), out, task=TaskKind.MULTI_LABEL)
    assert len(backend.calls) == 1
    assert [r["id"] for r in lines(out)] == ["t0", "t1", "t2"]


def test_damaged_middle_row_and_other_run_are_refused(tmp_path, fake_backend):
    out = tmp_path / "p.jsonl"
    Classifier(fake_backend, SEMEVAL).run(examples(2), out, task=TaskKind.MULTI_LABEL,
                                          dataset="semeval-ec")
    other = type(fake_backend)(model="another-model")
    with pytest.raises(EmolabError, match="model='fake-model'"):
        Classifier(other, SEMEVAL).run(examples(3), out, task=TaskKind.MULTI_LABEL,
                                       dataset="semeval-ec")
    text = out.read_text().splitlines()
    out.write_text("garbage\n" + "\n".join(text) + "\n")
    with pytest.raises(EmolabError, match=r"p.jsonl:1: unreadable row"):
        Classifier(fake_backend, SEMEVAL).run(examples(3), out, task=TaskKind.MULTI_LABEL)


def test_parallel_workers_write_every_row_once(tmp_path, fake_backend):
    out = tmp_path / "p.jsonl"
    data = [*examples(20), *examples(3)]  # repeated ids in the input are classified once
    assert Classifier(fake_backend, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL,
                                                 workers=4) == 20
    assert sorted(r["id"] for r in lines(out)) == sorted(f"t{i}" for i in range(20))


def test_a_batching_backend_gets_its_batch_size_of_rows_per_call(tmp_path, fake):
    class Batching(fake.Backend):
        batch_size = 3

        def generate_many(self, conversations, *, schema=None, params=SamplingParams()):
            self.batches.append([m[-1]["content"] for m in conversations])
            if any("number 5" in m[-1]["content"] for m in conversations):
                raise KeyboardInterrupt  # a process killed inside the second batch
            return super().generate_many(conversations, schema=schema, params=params)

    backend = Batching()
    backend.batches = []
    data = examples(8)
    data[1] = Example(id="t1", text="   ", labels=("joy",))  # empty: a row, never a prompt
    out = tmp_path / "p.jsonl"
    with pytest.raises(KeyboardInterrupt):
        Classifier(backend, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL)
    # the first batch's rows were kept before the second started; the empty text is a row
    assert [r["id"] for r in lines(out)] == ["t0", "t1", "t2"]
    assert lines(out)[1]["error"] == EMPTY_TEXT
    assert [len(b) for b in backend.batches] == [2, 3]
    assert all(isinstance(c["schema"], dict) for c in backend.calls)  # one schema per row

    again = fake.Backend()
    assert Classifier(again, SEMEVAL).run(data, out, task=TaskKind.MULTI_LABEL) == 5
    assert [r["id"] for r in lines(out)] == [f"t{i}" for i in range(8)]


class CountingBackend:
    """Mixin: pretends every character is a token and the context holds 2000 of them."""

    context_length = 2000

    def count_tokens(self, text):
        return len(text)


def test_long_text_is_cut_to_fit_the_context(fake):
    backend = type("Counting", (CountingBackend, fake.Backend), {})()
    classifier = Classifier(backend, get_label_set("isear"), params=SamplingParams(max_tokens=50),
                            max_text_chars=100_000)
    result = classifier.classify("x" * 20_000)
    sent = backend.calls[0]["messages"]
    assert result.truncated
    assert sum(len(m["content"]) for m in sent) <= 2000 - 50
    assert sent[-1]["content"].endswith("x" * 100)  # the text is cut, not dropped


def test_context_too_small_for_the_prompt_is_a_clear_error(fake):
    backend = type("Counting", (CountingBackend, fake.Backend), {})()
    classifier = Classifier(backend, get_label_set("goemotions"),
                            params=SamplingParams(max_tokens=500))
    with pytest.raises(EmolabError, match="context window"):
        classifier.classify("hello")
