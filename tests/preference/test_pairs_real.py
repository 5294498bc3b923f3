"""`emolab pairs generate` with the embedded model for real: a killed run keeps what it saved
and a rerun finishes the rest without redoing anything."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from emolab.labels import SEMEVAL_EC

EMOLAB = [sys.executable, "-c", "from emolab.cli.main import run; run()"]
TWEETS = ["We won the cup!!", "I miss you so much", "This traffic makes me furious",
          "Cannot wait for the holidays"]


def write_semeval_train(folder, tweets):
    path = folder / "semeval2018_task1" / "English" / "E-c" / "2018-E-c-En-train.txt"
    path.parent.mkdir(parents=True)
    header = "ID\tTweet\t" + "\t".join(SEMEVAL_EC.labels)
    gold = {"joy", "optimism"}
    rows = [f"t{i}\t{text}\t" + "\t".join("1" if label in gold else "0" for label in SEMEVAL_EC.labels)
            for i, text in enumerate(tweets)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def items(project):
    with sqlite3.connect(project / "pairs.sqlite") as db:
        return db.execute("SELECT example_id, status FROM items ORDER BY id").fetchall()


def items_so_far(project):
    """``items`` while the generator may still be creating the store: the file appears before
    its tables (seen on a loaded machine), which counts as nothing saved yet."""
    if not (project / "pairs.sqlite").exists():
        return []
    try:
        return items(project)
    except sqlite3.OperationalError:
        return []


@pytest.mark.slow
def test_generate_survives_a_kill_and_resumes(tmp_path):
    write_semeval_train(tmp_path, TWEETS)
    project = tmp_path / "project"
    args = ["pairs", "generate", "--dataset", "semeval-ec", "--data-dir", str(tmp_path),
            "--out", str(project), "--max-tokens", "120", "--rationalize"]
    proc = subprocess.Popen([*EMOLAB, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # an unread pipe would block the child
    deadline = time.time() + 600
    while time.time() < deadline and not items_so_far(project):
        assert proc.poll() is None, "the generator stopped before it was killed"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = items(project)
    assert 1 <= len(saved) < len(TWEETS)
    done = subprocess.run([*EMOLAB, *args], capture_output=True, text=True, timeout=900,
                          check=False)
    assert done.returncode == 0, done.stderr
    after = items(project)
    assert after[: len(saved)] == saved  # what was saved stays as it was
    assert sorted(e for e, _ in after) == [f"t{i}" for i in range(len(TWEETS))]
    assert f"({len(saved)} already done)" in done.stderr
    assert "texts kept as pairs" in done.stdout
