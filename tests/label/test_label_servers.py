"""Several OpenAI-compatible servers on loopback: requests in flight, a server dying mid-run,
the command line end to end (also killed and resumed)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from label_fakes import FakeServer
from typer.testing import CliRunner

from emolab.backends import SamplingParams
from emolab.errors import EmolabError
from emolab.label.engines.servers import ServerEngine, load_servers
from emolab.label.readers import read_corpus
from emolab.label.run import label_corpus, open_run
from emolab.label.tasks import resolve_tasks

pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture
def servers():
    started = []

    def start(**options):
        server = FakeServer(**options)
        started.append(server)
        return server

    yield start
    for server in started:
        with contextlib.suppress(OSError):
            server.stop()


def engine_for(urls, tasks, **options):
    found = load_servers(urls, tasks=tasks, model="fake-model", api_key=None, slots=3,
                         params=SamplingParams(max_tokens=32), constrain=True,
                         prompt_version="v1", timeout=10)
    return ServerEngine(found, tasks, recheck=0.2, **options)


def test_a_dead_server_s_texts_go_to_the_other(write, tmp_path, servers):
    tasks = resolve_tasks("ec")
    path = write("c.txt", "".join(f"post {i}\n" for i in range(60)))
    a, b = servers(delay=0.01), servers(delay=0.01)
    run = open_run(tmp_path / "out", {"t": 1}, tasks, corpus=path)
    seen = []

    def on_row(row):
        seen.append(row)
        if len(seen) == 15:
            a.stop()  # crashes mid-run, with requests in flight

    with engine_for([a.url, b.url], tasks) as engine:
        summary = label_corpus(run, read_corpus(path), engine, shard_rows=10, on_row=on_row)
    rows = pq.read_table(tmp_path / "out" / "data").to_pylist()
    assert [r["id"] for r in rows] == [r.id for r in read_corpus(path)]
    assert all(r["ec__error"] is None for r in rows), [r["ec__error"] for r in rows][:3]
    assert summary.events.get(f"server down: {a.url}") == 1
    assert b.answered >= 45 and a.answered + b.answered >= 60


def test_no_server_answers(tmp_path, servers):
    dead = servers()
    dead.stop()
    with pytest.raises(EmolabError, match="no server answers"):
        engine_for([dead.url], resolve_tasks("ec"))


def test_all_servers_gone_stops_the_run_and_keeps_rows(write, tmp_path, servers):
    tasks = resolve_tasks("ec")
    path = write("c.txt", "".join(f"post {i}\n" for i in range(40)))
    only = servers(delay=0.01)
    run = open_run(tmp_path / "out", {"t": 1}, tasks, corpus=path)
    count = []

    def on_row(row):
        count.append(row)
        if len(count) == 10:
            only.stop()

    with pytest.raises(EmolabError, match="every server has been down"), \
            engine_for([only.url], tasks, give_up=0.5) as engine:
        label_corpus(run, read_corpus(path), engine, shard_rows=100, on_row=on_row)
    kept = pq.read_table(tmp_path / "out" / "data").column("id").to_pylist()
    assert len(kept) >= 10 and kept == [r.id for r in read_corpus(path)][:len(kept)]


def test_command_line_with_two_servers_and_a_refused_rerun(write, tmp_path, servers):
    from emolab.cli.main import app

    path = write("c.csv", "id,text\n" + "".join(f"p{i},post {i}\n" for i in range(20)) + "p20,\n")
    a, b = servers(), servers()
    out = tmp_path / "out"
    args = ["label", str(path), "--tasks", "ec,v-oc", "--out", str(out), "--id-column", "id",
            "--base-url", a.url, "--base-url", b.url, "--model", "fake-model",
            "--concurrency", "2", "--shard-rows", "8"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "21 rows in 3 shards, 20 fully answered; failed by kind: empty text 1." in said
    rows = pq.read_table(out / "data").to_pylist()
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(21)]
    assert a.answered > 0 and b.answered > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert [t["column"] for t in manifest["tasks"]] == ["ec", "v_oc"]
    assert manifest["config"]["format"] == "csv" and manifest["config"]["text_column"] == "text"
    # naming the defaults changes nothing that decides a row: the rerun finds all rows done
    again = CliRunner().invoke(app, [*args, "--format", "csv", "--text-column", "text"])
    assert again.exit_code == 0, again.output
    assert "0 rows labelled" in again.output and "21 were already done" in again.output
    refused = CliRunner().invoke(app, [*args[:3], "ec", *args[4:]])
    assert isinstance(refused.exception, EmolabError)
    assert "holds rows made with other settings" in str(refused.exception)


def test_command_line_killed_and_resumed(write, tmp_path, servers):
    path = write("c.jsonl", "".join(json.dumps({"text": f"post {i}"}) + "\n" for i in range(150)))
    server = servers(delay=0.005)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "emolab", "label", str(path), "--tasks", "ec",
               "--out", str(out), "--base-url", server.url, "--model", "fake-model",
               "--shard-rows", "10", "--output-format", "jsonl"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    log = out / "commits.jsonl"
    while not (log.exists() and log.read_text().count("\n") >= 3):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ids = [json.loads(line)["id"] for part in sorted((out / "data").glob("part-*.jsonl"))
           for line in part.read_text().splitlines()]
    assert ids == [r.id for r in read_corpus(path)]
