"""`emolab instruct build` on small fixture files: leaks out, evidence quoted, resumable."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from emolab.aeb.freetext import read_answer
from emolab.cli.main import app
from emolab.errors import DataFormatError
from emolab.tasks import get_task
from tests_support import write_semeval

runner = CliRunner()
ANGRY = ["so furious about the delay", "furious and livid again", "livid at the referee",
         "furious customer service fail", "absolutely livid right now"]
HAPPY = ["what a joyful sunny morning", "joyful news today", "so joyful for you both",
         "a joyful little surprise", "joyful times with friends"]


def labels_of(text):
    return ["anger"] if ("furious" in text or "livid" in text) else ["joy"]


def corpus(root):
    rows = [(f"2017-En-{i:05d}", t) for i, t in enumerate(ANGRY + HAPPY)]
    write_semeval(root, rows, split="train", labels_of=labels_of)
    # A dev tweet that also sits in train (as SemEval's tasks share tweets): must be removed.
    write_semeval(root, [("2018-En-00001", "Joyful news today!")], split="dev",
                  labels_of=labels_of)
    write_semeval(root, [("2018-En-00002", "nothing here")], split="test", labels_of=labels_of)
    return root


def build(root, out, *more):
    return runner.invoke(app, ["instruct", "build", "--tasks", "ec", "--per-task", "20",
                               "--data-dir", str(root), "--out", str(out), *more])


def test_rows_validate_quote_evidence_and_leave_leaks_out(tmp_path):
    root = corpus(tmp_path / "data")
    result = build(root, tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert len(rows) == 9  # ten training tweets, one of them a dev tweet
    assert all("joyful news today" not in r["prompt"][-1]["content"].lower() for r in rows)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["tasks"]["semeval-ec"]["removed_as_leaks"] == {"text in semeval-ec/dev": 1}
    task = get_task("ec")
    for row in rows:
        answer = row["completion"][0]["content"]
        parsed = task.parse(answer, max_explanation_chars=200)
        assert parsed.ok and parsed.schema_valid
        explanation = parsed.parsed["explanation"]
        evidence = "furious" in explanation or "livid" in explanation or "joyful" in explanation
        assert evidence, explanation  # the keyword, not just the label name
        assert row["messages"] == row["prompt"] + row["completion"]
        assert row["prompt"][0]["content"].startswith("Task semeval-ec:")  # the compact prompt
    assert report["tasks"]["semeval-ec"]["quoting_share"] == 1.0


def test_rerun_resumes_and_changed_settings_are_refused(tmp_path):
    root = corpus(tmp_path / "data")
    assert build(root, tmp_path / "out").exit_code == 0
    again = build(root, tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())["tasks"]["semeval-ec"]
    assert again.exit_code == 0 and report["written"] == 0 and report["already"] == 9
    refused = build(root, tmp_path / "out", "--seed", "7")
    assert "other settings" in str(refused.exception)


def test_emollms_layout_reads_back_with_the_free_text_rules(tmp_path):
    root = corpus(tmp_path / "data")
    assert build(root, tmp_path / "out", "--format", "emollms").exit_code == 0
    rows = [json.loads(line) for line in
            (tmp_path / "out" / "train-emollms.jsonl").read_text().splitlines()]
    for row in rows:
        human, gpt = row["conversations"]
        assert human["from"] == "human" and human["value"].endswith("Emotions:")
        value, why = read_answer(gpt["value"], get_task("ec"))
        assert why is None and value in (["anger"], ["joy"])


def test_a_broken_training_file_names_its_line_and_keeps_what_was_built(tmp_path):
    root = corpus(tmp_path / "data")
    assert build(root, tmp_path / "out").exit_code == 0
    folder = root / "semeval2018_task1" / "English" / "V-reg"
    folder.mkdir(parents=True)
    (folder / "2018-Valence-reg-En-train.txt").write_text(
        "ID\tTweet\tAffect Dimension\tIntensity Score\n2017-En-1\tok\tvalence\tlots\n")
    result = runner.invoke(app, ["instruct", "build", "--tasks", "ec,v-reg", "--per-task", "20",
                                 "--data-dir", str(root), "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, DataFormatError)
    assert "2018-Valence-reg-En-train.txt:2" in str(result.exception)
    assert len((tmp_path / "out" / "train.jsonl").read_text().splitlines()) == 9


def test_unknown_task_is_refused():
    result = runner.invoke(app, ["instruct", "build", "--tasks", "sst", "--out", "x"])
    assert "no training split" in str(result.exception)


def test_per_label_explanations_give_every_label_its_own_words(tmp_path):
    """Issue 26: each emotion named is tied to words of its own, none shared."""
    from emolab.evaluate.evidence import own_evidence_share
    from emolab.instruct.evidence import EvidenceModel
    from emolab.instruct.explain import explanation_per_label

    root = tmp_path / "data"
    both = ["finally won so proud", "won again so proud", "finally won the final", "so proud"]
    rows = [(f"2017-En-{i:05d}", t) for i, t in enumerate(ANGRY + HAPPY + both)]
    write_semeval(root, rows, split="train", labels_of=lambda t: (
        ["joy", "love"] if "proud" in t and "won" in t else ["joy"] if "won" in t
        else ["love"] if "proud" in t else labels_of(t)))
    write_semeval(root, [("2018-En-00001", "nothing")], split="dev")
    write_semeval(root, [("2018-En-00002", "nothing")], split="test")
    result = build(root, tmp_path / "out", "--explanations", "per-label")
    assert result.exit_code == 0, result.output
    built = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text()
             .splitlines()]
    task = get_task("ec")
    answers = []
    for row in built:
        parsed = task.parse(row["completion"][0]["content"], max_explanation_chars=200).parsed
        answers.append((parsed["explanation"], row["prompt"][-1]["content"],
                        parsed["multiple_emotions_present"]))
    assert own_evidence_share(answers)["own_evidence_share"] == 1.0, answers
    two = [a for a in answers if len(a[2]) == 2]
    assert two and all(";" in a[0] for a in two), two  # a clause per label

    # A phrase where two words carry the label together, and a cap that keeps every clause.
    from emolab.data import Example
    from emolab.tasks import get_task as task_named

    ec = task_named("ec")
    model = EvidenceModel.fit([(ec, Example(id=str(i), text=t, labels=tuple(labels_of(t))))
                               for i, t in enumerate(ANGRY + HAPPY)])
    own = model.own_evidence("so furious and joyful today", ["anger", "joy"])
    assert own == {"anger": ["furious"], "joy": ["joyful"]}
    import random

    short = explanation_per_label("t", ["anger", "joy"], {"anger": ["furious", "livid", "mad"],
                                  "joy": ["joyful", "sunny", "glad"]},
                                  rng=random.Random(0), max_chars=60)
    assert len(short) <= 60 and "furious" in short and "joyful" in short
