"""The Ray engine for real: a local Ray on loopback, fake servers on loopback; the command
killed (SIGKILL) and resumed: every id once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from label_fakes import FakeServer

from emolab.label.readers import read_corpus

pq = pytest.importorskip("pyarrow.parquet")


@pytest.mark.slow
def test_ray_engine_killed_and_resumed(write, tmp_path):
    pytest.importorskip("ray.data")
    path = write("c.jsonl", "".join(json.dumps({"text": f"post {i}"}) + "\n" for i in range(40))
                 + "{broken\n")
    a, b = FakeServer(delay=0.01), FakeServer(delay=0.01)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "emolab", "label", str(path), "--tasks", "ec,v-reg",
               "--out", str(out), "--engine", "ray", "--base-url", a.url, "--base-url", b.url,
               "--model", "fake-model", "--shard-rows", "10", "--concurrency", "2"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "RAY_USAGE_STATS_ENABLED": "0"}
    try:
        # its own session: the Ray processes it starts are killed with it below
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        log, deadline = out / "commits.jsonl", time.monotonic() + 120
        while not (log.exists() and log.read_text().count("\n") >= 1):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180,
                              start_new_session=True)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        a.stop()
        b.stop()
    rows = pq.read_table(out / "data").to_pylist()
    assert [r["id"] for r in rows] == [r.id for r in read_corpus(path)]
    assert rows[-1]["error"].startswith("unreadable row: line 41")
    assert all(r["ec__error"] is None and r["v_reg__answer"] is not None for r in rows[:40])
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["engine"] == "ray"
