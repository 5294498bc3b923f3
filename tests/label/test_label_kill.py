"""Kill the labelling process for real (SIGKILL) again and again: every id appears once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from emolab.label.readers import read_corpus

pq = pytest.importorskip("pyarrow.parquet")

SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from emolab.backends import SamplingParams
    from emolab.label.answer import TaskAnswerer
    from emolab.label.engines.local import LocalEngine
    from emolab.label.readers import read_corpus
    from emolab.label.run import label_corpus, open_run
    from emolab.label.tasks import resolve_tasks
    from label_fakes import SchemaBackend

    tasks = resolve_tasks("ec,v-reg")
    run = open_run({out!r}, {{"tasks": "ec,v-reg", "model": "fake"}}, tasks, corpus={corpus!r})
    answerer = TaskAnswerer(SchemaBackend(delay=0.002), tasks, params=SamplingParams(max_tokens=8))
    with LocalEngine(answerer, tasks) as engine:
        label_corpus(run, read_corpus({corpus!r}), engine, shard_rows=7)
""")


def committed(out: Path) -> int:
    log = out / "commits.jsonl"
    return log.read_text().count("\n") if log.exists() else 0


def test_sigkill_at_random_moments_loses_and_repeats_nothing(write, tmp_path):
    lines = [f"post {i}: what a day".encode() for i in range(300)]
    lines[17], lines[120] = b"", b"broken \xc3\x28 bytes"
    path = write("posts.txt", b"\n".join(lines) + b"\n")
    out = tmp_path / "out"
    script = SCRIPT.format(tests=str(Path(__file__).parent), out=str(out), corpus=str(path))
    rng = random.Random(14)
    kills = 0
    for _ in range(8):
        before = committed(out)
        process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while committed(out) < before + 2 and process.poll() is None:
            assert time.monotonic() < deadline, "no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))  # land anywhere in the write / rename / log cycle
        if process.poll() is not None:
            assert process.returncode == 0, process.stderr.read().decode()[-2000:]
            break
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
        kills += 1
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    assert kills >= 3, "the run ended before it could be killed often enough"
    ids = pq.read_table(out / "data").column("id").to_pylist()
    expected = [r.id for r in read_corpus(path)]
    assert len(ids) == len(set(ids)) == 300
    assert ids == expected  # exactly once, in corpus order
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["sessions"]) >= 1  # the killed sessions wrote none; the last one did
    assert not [p for p in (out / "data").iterdir() if p.name.endswith(".tmp")]
