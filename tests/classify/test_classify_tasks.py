"""`emolab classify` on score and class tasks with a backend that follows the schema."""

from __future__ import annotations

import json
from typing import ClassVar

from typer.testing import CliRunner

import emolab.backends as backends
from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.cli.main import app

runner = CliRunner()


def follow(schema: dict) -> str:
    """The answer a schema-following model gives: the middle of every range, the last enum."""
    answer = {}
    for key, prop in schema["properties"].items():
        if key == "explanation":
            answer[key] = "it says 'so angry'"
        elif "enum" in prop:
            answer[key] = prop["enum"][-1]
        elif "minimum" in prop:
            answer[key] = (prop["minimum"] + prop["maximum"]) / 2
        else:  # a label list
            answer[key] = [prop["items"]["enum"][0]]
    if "most_prominent_emotion" in answer:
        answer["multiple_emotions_present"] = [answer["most_prominent_emotion"]]
    return json.dumps(answer)


class SchemaFollower(Backend):
    name: ClassVar[str] = "follower"
    supports_schema: ClassVar[bool] = True
    made: ClassVar[list] = []

    def __init__(self, model: str = "follower", *, seed: int | None = None) -> None:
        self.model_id = model
        self.calls: list = []
        SchemaFollower.made.append(self)

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        self.calls.append((messages, schema))
        return [Generation(follow(schema), "stop", 10, 5)]


def use_follower(monkeypatch):
    SchemaFollower.made = []
    monkeypatch.setattr(backends, "backend_class", lambda name: SchemaFollower)


def test_one_text_intensity_of_an_emotion(monkeypatch):
    use_follower(monkeypatch)
    result = runner.invoke(app, ["classify", "so angry!!", "--task", "ei-reg", "--emotion",
                                 "anger", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"explanation": "it says 'so angry'", "intensity": 0.5}
    messages, schema = SchemaFollower.made[0].calls[0]
    assert "anger" in messages[0]["content"] and schema["properties"]["intensity"]["maximum"] == 1


def test_one_text_valence_class_and_inline_dimension(monkeypatch):
    use_follower(monkeypatch)
    result = runner.invoke(app, ["classify", "meh", "--task", "v-oc", "--json"])
    assert json.loads(result.output)["valence_class"] == 3
    result = runner.invoke(app, ["classify", "meh", "--task", "emobank:arousal", "--json"])
    assert json.loads(result.output)["arousal"] == 3.0
    result = runner.invoke(app, ["classify", "meh", "--task", "ei-oc"])
    assert "ei-oc:NAME" in str(result.exception)


def test_dataset_of_emotion_intensities_keeps_dimensions(tmp_path, monkeypatch):
    use_follower(monkeypatch)
    folder = tmp_path / "semeval2018_task1" / "English" / "EI-reg"
    header = "ID\tTweet\tAffect Dimension\tIntensity Score\n"
    for emotion in ("anger", "fear", "joy", "sadness"):
        path = folder / "development" / f"2018-EI-reg-En-{emotion}-dev.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + f"t1\tweet one\t{emotion}\t0.25\nt2\ttweet two\t{emotion}\t0.75\n")
    out = tmp_path / "ei.jsonl"
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ei-reg", "--data-dir",
                                 str(tmp_path), "--out", str(out), "--emotion", "fear"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["dimension"], r["gold"], r["pred"]) for r in rows] == [
        ("t1:fear", "fear", 0.25, 0.5), ("t2:fear", "fear", 0.75, 0.5)]
    assert rows[0]["task"] == "regression"
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ei-reg", "--data-dir",
                                 str(tmp_path), "--out", str(tmp_path / "all.jsonl")])
    rows = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert {r["dimension"] for r in rows} == {"anger", "fear", "joy", "sadness"}
    prompts = {messages[0]["content"] for messages, _ in SchemaFollower.made[-1].calls}
    assert len(prompts) == 4  # one prompt per emotion
    scored = runner.invoke(app, ["evaluate", str(tmp_path / "all.jsonl"), "--json"])
    assert scored.exit_code == 0, scored.output
    report = json.loads(scored.output)
    assert set(report["by_dimension"]) == {"anger", "fear", "joy", "sadness"}
    assert report["failed"] == 0


def test_tasks_command_lists_every_task():
    result = runner.invoke(app, ["tasks", "--json"])
    names = {row["name"] for row in json.loads(result.output)}
    assert {"semeval-ec", "ei-reg", "ei-oc", "v-reg", "v-oc", "sst", "sst5", "tdt", "emobank",
            "vader", "isear"} <= names
    table = runner.invoke(app, ["tasks"])
    assert "semeval-ei-reg" in table.output
