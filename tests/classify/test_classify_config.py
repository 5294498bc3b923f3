"""`emolab classify --config FILE.yaml` and `--run NAME`: settings precedence, validation, the
run folder (predictions, config.yaml, manifest.json), resume and refused reruns."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from emolab.classify.config import ClassifyConfig, conflicts
from emolab.cli.main import app
from emolab.errors import EmolabError
from tests_support import write_semeval

runner = CliRunner()


def write_yaml(path, settings):
    path.write_text(yaml.safe_dump(settings))
    return path


@pytest.fixture
def data(tmp_path):
    return write_semeval(tmp_path / "data", [(f"id{i}", f"tweet {i}") for i in range(4)])


def run_args(data, tmp_path, *extra):
    return ["classify", "--dataset", "semeval-ec", "--data-dir", str(data),
            "--run", "r1", "--runs-dir", str(tmp_path / "runs"), *extra]


# ---- settings: YAML, flags, validation ------------------------------------------------------

def test_yaml_sets_settings_and_only_given_flags_override(tmp_path, built):
    config = write_yaml(tmp_path / "c.yaml", {"model": "m.gguf", "n": 2, "temperature": 0.4,
                                              "top-p": 0.8, "seed": 5, "labels": "isear",
                                              "max_tokens": 99})
    result = runner.invoke(app, ["classify", "yay", "--json", "--config", str(config),
                                 "--seed", "9", "--n", "3"])
    assert result.exit_code == 0, result.output
    backend = built[0]
    assert backend.model_id == "m.gguf" and backend.seed == 9  # YAML model, flag seed
    params = backend.calls[0]["params"]
    assert (params.n, params.temperature, params.top_p, params.max_tokens, params.seed) == (
        3, 0.4, 0.8, 99, 9)  # defaults of the flags did not overwrite the file
    schema = backend.calls[0]["schema"]
    assert schema["properties"]["most_prominent_emotion"]["enum"][-1] == "guilt"  # isear


def test_no_constrain_flag_overrides_the_file(tmp_path, built):
    config = write_yaml(tmp_path / "c.yaml", {"constrain": True})
    result = runner.invoke(app, ["classify", "yay", "--json", "--config", str(config),
                                 "--no-constrain"])
    assert result.exit_code == 0, result.output
    assert built[0].calls[0]["schema"] is None


def test_from_sources_precedence():
    cfg = ClassifyConfig.from_sources(None, {"seed": None, "n": 2})
    assert (cfg.seed, cfg.n, cfg.split, cfg.max_tokens, cfg.constrain) == (None, 2, "dev", 900,
                                                                          True)


def test_unknown_key_is_named(tmp_path, built):
    config = write_yaml(tmp_path / "c.yaml", {"temprature": 0.3, "model": "m"})
    result = runner.invoke(app, ["classify", "yay", "--config", str(config)])
    assert isinstance(result.exception, EmolabError)
    assert str(result.exception) == "unknown classify settings: temprature"
    assert not built


def test_an_api_key_in_the_file_is_refused(tmp_path, built):
    config = write_yaml(tmp_path / "c.yaml", {"api_key": "sk-in-file"})
    result = runner.invoke(app, ["classify", "yay", "--config", str(config)])
    assert isinstance(result.exception, EmolabError)
    assert "api_key is not a setting" in str(result.exception)
    assert "sk-in-file" not in str(result.exception)


@pytest.mark.parametrize(("settings", "message"), [
    ({"n": 0}, "n must be at least 1, not 0"),
    ({"limit": 0}, "limit must be at least 1"),
    ({"temperature": -0.5}, "temperature must be >= 0"),
    ({"top_p": 1.5}, "top_p must be in (0, 1]"),
    ({"n": "two"}, "n must be a whole number, not 'two'"),
    ({"temperature": "hot"}, "temperature must be a number"),
    ({"constrain": "yes"}, "constrain must be true or false"),
    ({"split": None}, "split must be set"),
    ({"backend": "vllm"}, "unknown backend 'vllm'"),
    ({"backend": "openai"}, "the openai backend needs a model"),
    ({"labels": "nope"}, "unknown label set 'nope'"),
    ({"dataset": "nope"}, "unknown data set 'nope'"),
    ({"dataset": "semeval-ec", "split": "holdout"}, "has no split 'holdout'"),
    ({"prompt_version": "v99"}, "unknown prompt version 'v99'"),
])
def test_bad_values_are_clear_errors(tmp_path, built, settings, message):
    with pytest.raises(EmolabError) as caught:
        ClassifyConfig(**settings)
    assert message in str(caught.value)
    config = write_yaml(tmp_path / "c.yaml", settings)  # the same through the command line
    result = runner.invoke(app, ["classify", "yay", "--config", str(config)])
    assert isinstance(result.exception, EmolabError) and message in str(result.exception)


def test_whole_number_floats_are_accepted():
    cfg = ClassifyConfig(temperature=1, top_p=1)
    assert cfg.temperature == 1.0 and isinstance(cfg.temperature, float)


def test_text_with_a_data_set_config_uses_its_label_set(tmp_path, built):
    config = write_yaml(tmp_path / "c.yaml", {"dataset": "dair-emotion", "split": "test"})
    result = runner.invoke(app, ["classify", "yay", "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    enum = built[0].calls[0]["schema"]["properties"]["most_prominent_emotion"]["enum"]
    assert "surprise" in enum and "optimism" not in enum  # dair-emotion, not semeval-ec
    result = runner.invoke(app, ["classify", "yay", "--dataset", "dair-emotion"])
    assert "either a TEXT or --dataset" in str(result.exception)  # a typed one still clashes


def test_data_dir_from_the_file_beats_the_environment(tmp_path, data, built, monkeypatch):
    monkeypatch.setenv("EMOLAB_DATA", str(tmp_path / "nowhere"))
    config = write_yaml(tmp_path / "c.yaml", {"dataset": "semeval-ec", "data_dir": str(data),
                                              "limit": 2})
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", "--config", str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["id0", "id1"]


# ---- run folders ----------------------------------------------------------------------------

def test_run_folder_contents_and_resume(tmp_path, data, built):
    first = runner.invoke(app, run_args(data, tmp_path, "--limit", "1", "--seed", "3"))
    assert first.exit_code == 0, first.output
    folder = tmp_path / "runs" / "r1"
    assert sorted(p.name for p in folder.iterdir()) == ["config.yaml", "manifest.json",
                                                       "predictions.jsonl"]
    saved = yaml.safe_load((folder / "config.yaml").read_text())
    # Left to emolab, E-c is answered by its tuned model with the prompt it was trained on.
    assert ClassifyConfig(**saved) == ClassifyConfig(dataset="semeval-ec", data_dir=str(data),
                                                     limit=1, seed=3, labels="semeval-ec",
                                                     model="emolab", prompt_version="compact")
    # no --limit: the rest; --labels spelled out is the same label set as the data set's
    second = runner.invoke(app, run_args(data, tmp_path, "--seed", "3", "--labels", "semeval-ec"))
    assert second.exit_code == 0, second.output
    assert "3 rows written, 1 already" in second.output
    rows = [json.loads(line) for line in (folder / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["id0", "id1", "id2", "id3"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["predictions"] == "predictions.jsonl" and manifest["seed"] == 3
    assert manifest["settings"]["dataset"] == "semeval-ec" and manifest["settings"]["limit"] is None
    assert manifest["config"]["model"] == "emolab" and manifest["config"]["split"] == "dev"
    assert manifest["data"]["rows"] == 4 and manifest["data"]["split_rows"] == 4
    assert len(manifest["data"]["split_sha256"]) == 64
    assert manifest["versions"]["python"]
    sessions = manifest["sessions"]
    assert [(s["rows_written"], s["rows_already"], s["settings"]["limit"]) for s in sessions] == [
        (1, 0, 1), (3, 1, None)]
    assert all(s["started_utc"] <= s["finished_utc"] and s["seconds"] >= 0 for s in sessions)
    assert yaml.safe_load((folder / "config.yaml").read_text())["limit"] is None


def test_run_dir_is_the_folder_itself(tmp_path, data, built):
    folder = tmp_path / "elsewhere" / "mine"
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ec", "--data-dir", str(data),
                                 "--run-dir", str(folder), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert (folder / "predictions.jsonl").read_text().count("\n") == 2
    assert (folder / "manifest.json").is_file() and (folder / "config.yaml").is_file()


def test_a_conflicting_rerun_is_refused_and_harmless_changes_are_not(tmp_path, data, built):
    assert runner.invoke(app, run_args(data, tmp_path, "--limit", "2")).exit_code == 0
    folder = tmp_path / "runs" / "r1"
    before = (folder / "predictions.jsonl").read_text()
    for extra, named in [(["--model", "other.gguf"], "model: 'emolab' -> 'other.gguf'"),
                         (["--temperature", "0.7", "--seed", "1"], "temperature: 0.0 -> 0.7"),
                         (["--split", "test"], "split: 'dev' -> 'test'"),
                         (["--no-constrain"], "constrain: True -> False")]:
        result = runner.invoke(app, run_args(data, tmp_path, *extra))
        assert isinstance(result.exception, EmolabError), extra
        assert named in str(result.exception) and str(folder) in str(result.exception)
        assert "another --run name" in str(result.exception)
    assert len(built) == 1  # refused before any model was loaded
    assert (folder / "predictions.jsonl").read_text() == before
    assert yaml.safe_load((folder / "config.yaml").read_text())["model"] == "emolab"
    harmless = runner.invoke(app, run_args(data, tmp_path, "--threads", "2", "--limit", "3"))
    assert harmless.exit_code == 0, harmless.output
    assert "1 rows written, 2 already" in harmless.output


def test_continue_a_run_with_its_own_config(tmp_path, data, built):
    first = runner.invoke(app, run_args(data, tmp_path, "--limit", "1", "--temperature", "0.5",
                                        "--seed", "2"))
    assert first.exit_code == 0, first.output
    saved = tmp_path / "runs" / "r1" / "config.yaml"
    again = runner.invoke(app, ["classify", "--config", str(saved), "--run", "r1",
                                "--runs-dir", str(tmp_path / "runs"), "--limit", "2"])
    assert again.exit_code == 0, again.output
    assert "1 rows written, 1 already" in again.output


def test_changed_data_is_refused(tmp_path, data, built):
    assert runner.invoke(app, run_args(data, tmp_path, "--limit", "1")).exit_code == 0
    write_semeval(data, [("id0", "a different tweet"), ("id1", "tweet 1")])
    result = runner.invoke(app, run_args(data, tmp_path))
    assert isinstance(result.exception, EmolabError)
    assert "data checksum" in str(result.exception)


def test_a_folder_without_predictions_takes_new_settings(tmp_path, data, built):
    folder = tmp_path / "runs" / "r1"
    folder.mkdir(parents=True)  # as left by a first attempt whose model failed to load
    ClassifyConfig(dataset="semeval-ec", model="missing.gguf").write_yaml(folder / "config.yaml")
    result = runner.invoke(app, run_args(data, tmp_path, "--limit", "1"))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((folder / "config.yaml").read_text())["model"] == "emolab"


def test_api_key_is_never_written(tmp_path, data, built, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-123")
    result = runner.invoke(app, run_args(data, tmp_path, "--limit", "1", "--api-key",
                                         "sk-typed-456"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "plain.jsonl"
    result = runner.invoke(app, ["classify", "--dataset", "semeval-ec", "--data-dir", str(data),
                                 "--out", str(out), "--limit", "1", "--api-key", "sk-typed-456"])
    assert result.exit_code == 0, result.output
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "data" not in p.parts]
    assert len(written) == 5  # run folder: 3 files; --out: predictions + manifest
    for path in written:
        text = path.read_text()
        assert "sk-from-env-123" not in text and "sk-typed-456" not in text, path
        assert '"api_key"' not in text and "\napi_key:" not in text, path


@pytest.mark.parametrize(("extra", "message"), [
    (["--out", "x.jsonl"], "give --out FILE or a run folder"),
    (["--run-dir", "somewhere"], "give --run NAME or --run-dir DIR, not both"),
])
def test_run_option_clashes(tmp_path, data, built, extra, message):
    result = runner.invoke(app, run_args(data, tmp_path, *extra))
    assert isinstance(result.exception, EmolabError) and message in str(result.exception)


@pytest.mark.parametrize(("args", "message"), [
    (["classify", "yay", "--run", "r1"], "a single TEXT writes no files"),
    (["classify", "--dataset", "semeval-ec", "--run", "a/b"], "--run takes a plain name"),
    (["classify", "--dataset", "semeval-ec", "--run", ".."], "--run takes a plain name"),
    (["classify", "--dataset", "semeval-ec", "--out", "x.jsonl", "--runs-dir", "r"],
     "--runs-dir goes with --run NAME"),
    (["classify", "--dataset", "semeval-ec"], "needs --out FILE (the predictions file, "
                                              "resumable) or --run NAME"),
])
def test_run_usage_errors(built, args, message):
    result = runner.invoke(app, args)
    assert isinstance(result.exception, EmolabError), result.output
    assert message in str(result.exception)


def test_conflicts_ignores_harmless_settings_and_other_backends_options():
    cfg = ClassifyConfig(dataset="semeval-ec", limit=5, threads=2, base_url="http://a/v1")
    saved = {**ClassifyConfig(dataset="semeval-ec").to_dict(), "from_a_newer_version": 1}
    assert conflicts(saved, cfg) == []  # base_url means nothing to llamacpp
    remote = ClassifyConfig(backend="openai", model="gpt", base_url="http://b/v1")
    saved = {**remote.to_dict(), "base_url": "http://a/v1", "temperature": 0}
    assert conflicts(saved, remote) == ["base_url: 'http://a/v1' -> 'http://b/v1'"]


# ---- the real embedded model (slow; one short run) ------------------------------------------

@pytest.mark.slow
def test_real_model_run_folder(tmp_path):
    data = write_semeval(tmp_path / "data", [("a", "We won the cup!!"), ("b", "I miss you")])
    args = ["classify", "--dataset", "semeval-ec", "--data-dir", str(data), "--run", "real",
            "--runs-dir", str(tmp_path / "runs"), "--limit", "2", "--max-tokens", "120",
            "--threads", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "runs" / "real"
    rows = [json.loads(line) for line in (folder / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"] and rows[0]["backend"] == "llamacpp"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["config"]["model"] == rows[0]["model"]
    assert manifest["versions"]["xllamacpp"]
    again = runner.invoke(app, args)
    assert "0 rows written, 2 already" in again.output
