"""`emolab classify` with the scripted backend: output shapes, option passing, resume."""

import json

from typer.testing import CliRunner

import emolab.backends as backends
from emolab.cli.main import app
from emolab.errors import EmolabError
from tests_support import write_semeval

runner = CliRunner()


def test_one_text_pretty_with_footer(built):
    result = runner.invoke(app, ["classify", "We finally won the cup!!"])
    assert result.exit_code == 0, result.output
    assert '"most_prominent_emotion": "joy"' in result.output
    # the tuned model's name reaches the backend (the fake echoes it), with its own prompt
    assert "emolab · fake · prompt compact" in result.output


def test_json_flag_prints_only_the_object_and_passes_options(built):
    result = runner.invoke(app, ["classify", "yay", "--json", "--labels", "isear",
                                 "--model", "m.gguf", "--seed", "5", "--n", "2",
                                 "--temperature", "0.4", "--top-p", "0.8"])
    assert result.exit_code == 0, result.output
    answers = json.loads(result.output)
    assert len(answers) == 2 and answers[0]["most_prominent_emotion"] == "joy"
    backend = built[0]
    assert backend.model_id == "m.gguf" and backend.seed == 5
    call = backend.calls[0]
    assert call["schema"]["properties"]["most_prominent_emotion"]["enum"][-1] == "guilt"
    assert (call["params"].n, call["params"].temperature, call["params"].seed) == (2, 0.4, 5)


def test_options_a_backend_does_not_take_are_not_passed(built):
    result = runner.invoke(app, ["classify", "yay", "--json", "--base-url", "http://x"])
    assert result.exit_code == 0
    assert len(built) == 1  # built without the unknown keyword (it would raise TypeError)


def test_unparseable_answer_exits_1_and_shows_raw(monkeypatch, fake):
    class Chatty(fake.Backend):
        def __init__(self, **_):
            super().__init__(replies={"yay": "I feel joy!"})

    monkeypatch.setattr(backends, "backend_class", lambda name: Chatty)
    result = runner.invoke(app, ["classify", "yay", "--json", "--no-constrain"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {"error": "invalid JSON: no JSON object could be read",
                                         "raw": "I feel joy!"}


def test_usage_errors_are_emolab_errors(built):
    for args, message in [(["classify"], "either a TEXT or --dataset"),
                          (["classify", "   "], "empty text"),
                          (["classify", "--dataset", "semeval-ec"], "needs --out"),
                          (["classify", "x", "--labels", "nope"], "unknown label set"),
                          (["classify", "x", "--top-p", "0"], "top_p")]:
        result = runner.invoke(app, args)
        assert isinstance(result.exception, EmolabError), args
        assert message in str(result.exception)


def test_dataset_run_resumes(tmp_path, built):
    data = write_semeval(tmp_path / "data", [(f"id{i}", f"tweet {i}") for i in range(5)])
    out = tmp_path / "preds.jsonl"
    args = ["classify", "--dataset", "semeval-ec", "--split", "dev", "--data-dir", str(data),
            "--out", str(out)]
    first = runner.invoke(app, [*args, "--limit", "3"])
    assert first.exit_code == 0, first.output
    assert "3 rows written, 0 already" in first.output
    second = runner.invoke(app, args)
    assert "2 rows written, 3 already" in second.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [f"id{i}" for i in range(5)]
    assert rows[0]["gold"] == ["joy"] and rows[0]["dataset"] == "semeval-ec"
    assert sum(len(b.calls) for b in built) == 5


def test_dataset_checks(tmp_path, built):
    result = runner.invoke(app, ["classify", "--dataset", "emobench-eu", "--split", "en",
                                 "--out", "x.jsonl"])
    assert "emobench run" in str(result.exception)
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ec", "--labels", "isear",
                                 "--out", "x.jsonl"])
    assert "answered as task 'semeval-ec', not 'isear'" in str(result.exception)
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ei-reg", "--task", "v-reg",
                                 "--out", "x.jsonl"])
    assert "answered as task 'ei-reg'" in str(result.exception)


def test_dataset_run_writes_a_manifest_with_one_session_per_run(tmp_path, built):
    data = write_semeval(tmp_path / "data", [("a", "yay"), ("b", "boo")])
    out = tmp_path / "preds.jsonl"
    args = ["classify", "--dataset", "semeval-ec", "--data-dir", str(data), "--out", str(out)]
    runner.invoke(app, [*args, "--limit", "1"])
    runner.invoke(app, args)
    manifest = json.loads((tmp_path / "preds.manifest.json").read_text())
    assert [s["rows_written"] for s in manifest["sessions"]] == [1, 1]
    assert manifest["config"]["dataset"] == "semeval-ec" and manifest["data"]["rows"] == 2
    # The tuned model's prompt bounds the explanation with emolab's own keyword (escapes).
    explanation = manifest["config"]["schema"]["properties"]["explanation"]
    assert explanation["x-emolab-quoting"] is True and explanation["maxLength"] == 200
    assert manifest["config"]["prompt_version"] == "compact"


def test_unused_options_are_mentioned_only_when_typed(built, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    quiet = runner.invoke(app, ["classify", "yay"])
    assert "not used by" not in quiet.output
    typed = runner.invoke(app, ["classify", "yay", "--api-key", "sk-typed"])
    assert "note: api_key not used by the llamacpp backend" in typed.output


def test_the_tuned_models_prompt_bounds_the_explanation_with_a_quoting_string():
    """XGrammar cannot decode an escape inside a maxLength string, and the tuned model quotes
    with \\" : its prompt adds emolab's keyword, whose XGrammar string admits escapes."""
    class FakeBackend:  # all that building a Classifier asks of its backend
        def require_schema(self, schema):
            return None

    from emolab.classify import Classifier
    from emolab.tasks import get_task

    for spec in ("semeval-ec", "ei-reg:anger", "v-oc"):
        task = get_task(spec)
        tuned = Classifier(FakeBackend(), task, prompt_version="compact").schema
        taught = Classifier(FakeBackend(), task, prompt_version="v1").schema
        assert tuned["properties"]["explanation"]["x-emolab-quoting"] is True
        assert tuned["properties"]["explanation"]["maxLength"] == 200
        assert "x-emolab-quoting" not in taught["properties"]["explanation"]
        assert taught["properties"]["explanation"]["maxLength"] == 200
        assert tuned["properties"]["explanation"]["type"] == "string"
        assert {k: v for k, v in tuned.items() if k != "properties"} == {
            k: v for k, v in taught.items() if k != "properties"}
        kept = Classifier(FakeBackend(), task, prompt_version="compact",
                          bounded_explanation=True).schema
        assert kept["properties"]["explanation"]["maxLength"] == 200
        assert "x-emolab-quoting" not in kept["properties"]["explanation"]
