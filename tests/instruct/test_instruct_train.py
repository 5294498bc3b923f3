"""A few real multi-task SFT steps on instruction rows; every task's answer then validates
(the embedded SmolLM2, transformers backend with the schema; slow)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from emolab.cli.main import app
from tests_support import write_semeval

pytestmark = pytest.mark.slow
runner = CliRunner()


def write_valence(root, rows):
    folder = root / "semeval2018_task1" / "English" / "V-oc"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2018-Valence-oc-En-train.txt").write_text(
        "ID\tTweet\tAffect Dimension\tIntensity Class\n"
        + "".join(f"2017-En-{i:05d}\t{t}\tvalence\t{c}: some words\n"
                  for i, (t, c) in enumerate(rows)))


def test_multi_task_steps_then_every_task_answers_in_its_schema(tmp_path):
    from emolab.backends import SamplingParams
    from emolab.backends.transformers import TransformersBackend
    from emolab.classify import Classifier
    from emolab.tasks import get_task
    from emolab.train.config import TrainConfig
    from emolab.train.run import train

    root = tmp_path / "data"
    texts = ["so furious about the delay", "joyful news today", "livid at the referee",
             "what a joyful morning"]
    write_semeval(root, [(f"2017-En-{i:05d}", t) for i, t in enumerate(texts)], split="train",
                  labels_of=lambda t: ["anger"] if "joy" not in t else ["joy", "optimism"])
    write_valence(root, [(t, -2 if "joy" not in t else 2) for t in texts])
    out = tmp_path / "instruct"
    built = runner.invoke(app, ["instruct", "build", "--tasks", "ec,v-oc", "--per-task", "4",
                                "--data-dir", str(root), "--out", str(out)])
    assert built.exit_code == 0, built.output
    cfg = TrainConfig.from_sources(None, {
        "method": "sft", "pairs": str(out / "train.jsonl"), "out": str(tmp_path / "run"),
        "max_steps": 2, "batch_size": 2, "grad_accum": 1, "eval_share": 0.0,
        "save_steps": 2, "eval_steps": 2, "threads": 2, "progress": False})
    result = train(cfg, echo=lambda _: None)
    assert result["global_step"] == 2 and result["data"]["train_rows"] == 8
    backend = TransformersBackend(tmp_path / "run" / "merged", n_threads=2)
    for spec in ("ec", "v-oc"):
        task = get_task(spec)
        # A few steps teach the format, not when to stop: keep the explanation's length
        # bound (which the shipped model's compact prompt leaves to the token cap).
        classifier = Classifier(backend, task, params=SamplingParams(max_tokens=200),
                                prompt_version="compact", bounded_explanation=True)
        best = classifier.classify("absolutely livid with the bus company").best
        assert best.error is None and best.schema_valid, best.raw
