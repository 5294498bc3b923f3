"""``emolab reason generate`` and ``emolab reason export`` end to end, scripted backend."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from emolab.backends import BACKENDS
from emolab.cli.main import app


def test_generate_then_export(tmp_path, monkeypatch):
    monkeypatch.setitem(BACKENDS, "scripted", "reason_scripted:ScriptedBackend")
    runner = CliRunner()
    run = tmp_path / "run"
    args = ["reason", "generate", "--backend", "scripted", "--pipeline", "dialogue", "--n", "4",
            "--seed", "5", "--out", str(run), "--data-dir", str(tmp_path / "nodata")]
    result = runner.invoke(app, args)
    assert result.exit_code != 0  # no EmoBench under --data-dir: the test-item check cannot run
    (tmp_path / "data" / "emobench").mkdir(parents=True)
    eu = {"qid": "1", "language": "en", "coarse_category": "emotional_cues",
          "finegrained_category": "x", "scenario": "Tom dropped the cake.", "subject": "Tom",
          "emotion_choices": ["Sad", "Glad"], "emotion_label": "Sad",
          "cause_choices": ["The cake fell", "Rain"], "cause_label": "The cake fell"}
    ea = {"qid": "1", "language": "en", "category": "Social-Self", "question type": "Action",
          "scenario": "Ann lost her keys.", "subject": "Ann", "choices": ["Look", "Cry"],
          "label": "Look"}
    for name, row in (("EU", eu), ("EA", ea)):
        (tmp_path / "data" / "emobench" / f"{name}.jsonl").write_text(json.dumps(row) + "\n")
    args[-1] = str(tmp_path / "data")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "4 items kept" in result.output
    result = runner.invoke(app, ["reason", "export", str(run), "--format", "trl", "--out",
                                 str(tmp_path / "sft.jsonl")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and {r["kind"] for r in rows} == {"eu", "ea"}
    result = runner.invoke(app, ["reason", "export", str(run), "--format", "emobench", "--out",
                                 str(tmp_path / "eb.jsonl")])
    assert result.exit_code != 0  # two kinds, one file
    result = runner.invoke(app, ["reason", "export", str(run), "--format", "emobench", "--kind",
                                 "ea", "--out", str(tmp_path / "eb.jsonl")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "eb.jsonl").read_text().splitlines()) == 2
    other_seed = [*args[:args.index("--seed") + 1], "6", *args[args.index("--seed") + 2:]]
    result = runner.invoke(app, other_seed)
    assert result.exit_code != 0 and "other settings" in str(result.exception)
