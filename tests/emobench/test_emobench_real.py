"""The embedded SmolLM2 (llamacpp backend, default model) answering for real, constrained."""

from __future__ import annotations

import json

import pytest
from emobench_support import write_items
from typer.testing import CliRunner

from emolab.cli.main import app

pytestmark = pytest.mark.slow
runner = CliRunner()

ITEMS = [
    {"qid": "1", "language": "en", "coarse_category": "complex_emotions",
     "finegrained_category": "emotion_transition",
     "scenario": "Mira spent a month knitting a scarf for her brother. He unwrapped it, laughed "
                 "at the uneven stitches, then wore it all evening and thanked her twice.",
     "subject": "Mira", "emotion_choices": ["Touched", "Humiliated", "Bored", "Furious"],
     "emotion_label": "Touched",
     "cause_choices": ["Her brother kept wearing the scarf and thanked her",
                       "Her brother laughed at the stitches", "Knitting took a month",
                       "The evening was long"],
     "cause_label": "Her brother kept wearing the scarf and thanked her"},
    {"qid": "1", "language": "en", "category": "Personal-Self", "question type": "Action",
     "scenario": "Lena failed her driving test for the second time and has a third attempt "
                 "booked next month.", "subject": "Lena",
     "choices": ["Cancel the test and give up driving", "Book extra lessons on the parts she "
                 "got wrong", "Blame the examiner to her friends", "Skip practice until the test"],
     "label": "Book extra lessons on the parts she got wrong"},
    {"qid": "2", "language": "en", "category": "Social-Others", "question type": "Response",
     "scenario": "Ravi's coworker says quietly that her father is in hospital and she cannot "
                 "focus on the report due today.", "subject": "Ravi",
     "choices": ["\"Deadlines are deadlines.\"", "\"I can take over part of the report; go "
                 "be with him if you need to.\"", "\"Hospitals are usually fine.\"",
                 "\"Why tell me?\""],
     "label": "\"I can take over part of the report; go be with him if you need to.\""},
]


def _run(items, out, *extra):
    result = runner.invoke(app, ["emobench", "run", "--items", str(items), "--backend",
                                 "llamacpp", "--model", "default", "--threads", "2", "--out",
                                 str(out), *extra])
    assert result.exit_code == 0, (result.output, result.exception)


def test_constrained_answers_are_all_readable(tmp_path) -> None:
    items = write_items(tmp_path / "items.jsonl", ITEMS)
    _run(items, tmp_path / "run", "--limit", "1")
    rows = [json.loads(line) for line in (tmp_path / "run" / "answers.jsonl").open()]
    assert {(r["task"], r["item"]) for r in rows} == {("EU", "en-1"), ("EA", "en-1")}
    for row in rows:
        for sample in row["samples"]:
            for answer in sample.values():
                assert json.loads(answer["raw"])["answer"] in "abcd"  # the schema held
    scored = runner.invoke(app, ["emobench", "score", str(tmp_path / "run"), "--json"])
    figures = json.loads(scored.output)
    assert figures["EU"]["parse_failures"] == {"answers": 2, "unreadable": 0, "rate": 0.0}
    assert figures["EA"]["parse_failures"]["rate"] == 0.0
    assert 0 <= figures["EU"]["accuracy"] <= 100
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["constrained"] is True and manifest["backend"] == "llamacpp"


def test_resume_with_the_real_model_adds_no_duplicates(tmp_path) -> None:
    items = write_items(tmp_path / "items.jsonl", ITEMS)
    out = tmp_path / "run"
    _run(items, out, "--task", "EA", "--limit", "1")
    first = (out / "answers.jsonl").read_text()
    _run(items, out, "--task", "EA")
    _run(items, out, "--task", "EA")  # nothing left: writes nothing
    text = (out / "answers.jsonl").read_text()
    assert text.startswith(first)  # the first answer was kept, not asked again
    keys = [(r["task"], r["item"], r["order"]) for r in map(json.loads, text.splitlines())]
    assert keys == [("EA", "en-1", 0), ("EA", "en-2", 0)]
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["units_written"] for s in sessions] == [1, 1, 0]
