"""`emolab classify` end to end with the embedded model (marked slow; a few short runs)."""

import json
import signal
import subprocess
import sys
import time

import pytest

from emolab.labels import SEMEVAL_EC, get_label_set
from emolab.schemas import answer_model

pytestmark = pytest.mark.slow
EMOLAB = [sys.executable, "-c", "from emolab.cli.main import run; run()"]


def emolab(*args, **kwargs):
    # Generous: the machine these run on may be shared; an idle 2-core one needs seconds.
    return subprocess.run([*EMOLAB, *args], capture_output=True, text=True, timeout=900, **kwargs)


def test_one_text_json_validates():
    done = emolab("classify", "I can't believe we finally won the cup!!", "--json",
                  "--max-tokens", "200")
    assert done.returncode == 0, done.stderr
    answer_model(SEMEVAL_EC).model_validate_json(done.stdout)  # the whole output is the object


def test_pretty_output_other_label_set_and_footer():
    done = emolab("classify", "Je suis tellement fière de ma fille !", "--labels", "isear",
                  "--max-tokens", "200")
    assert done.returncode == 0, done.stderr
    assert "SmolLM2-135M-Instruct.Q4_1.gguf · llamacpp · prompt v1" in done.stdout
    body = done.stdout[: done.stdout.rindex("}") + 1]
    answer_model(get_label_set("isear")).model_validate_json(body)


def test_empty_text_is_one_clear_line():
    done = emolab("classify", " \t ")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: empty text: there is nothing to classify"


def test_long_text_is_truncated_and_answered():
    text = ("The match was long and the crowd was loud. " * 500)[:20_000]
    done = emolab("classify", text)  # a hang would hit the subprocess timeout
    assert done.returncode == 0, done.stderr
    assert "text truncated to fit the context" in done.stdout
    answer_model(SEMEVAL_EC).model_validate_json(done.stdout[: done.stdout.rindex("}") + 1])


def write_semeval(root, rows):
    folder = root / "semeval2018_task1" / "English" / "E-c"
    folder.mkdir(parents=True)
    header = "\t".join(["ID", "Tweet", *SEMEVAL_EC.labels])
    body = ["\t".join([i, t, *("1" if name == "joy" else "0" for name in SEMEVAL_EC.labels)])
            for i, t in rows]
    (folder / "2018-E-c-En-dev.txt").write_text("\n".join([header, *body]) + "\n")


def test_dataset_run_survives_a_kill(tmp_path):
    tweets = ["We won!!", "I miss you so much", "This traffic makes me furious",
              "Cannot wait for the holidays", "What a disgusting thing to say"]
    write_semeval(tmp_path, [(f"id{i}", t) for i, t in enumerate(tweets)])
    out = tmp_path / "preds.jsonl"
    args = ["classify", "--dataset", "semeval-ec", "--data-dir", str(tmp_path), "--out", str(out),
            "--max-tokens", "120"]
    proc = subprocess.Popen([*EMOLAB, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 600
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = out.read_text().count("\n")
    assert 2 <= before < 5
    with out.open("a") as handle:  # as if the kill had cut a row in half
        handle.write('{"id": "id4", "gold": [')
    done = emolab(*args)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == [f"id{i}" for i in range(5)]
    assert f"{5 - before} rows written, {before} already" in done.stderr
    assert all(r["schema_valid"] for r in rows)
