"""Helpers of the web app tests: a small pairs project, the auth header, a real server."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from emolab.preference.store import PairStore, Response

# Markup a careless page would run or draw; it must show as these very characters.
HOSTILE_TEXT = ('<script>window.__pwned = "script"</script><img src=x '
                'onerror="window.__pwned = \'img\'"><b>not bold</b> & ready?')


def answer(prominent: str, listed: list[str], explanation: str) -> dict:
    return {"explanation": explanation, "most_prominent_emotion": prominent,
            "multiple_emotions_present": listed}


def build_project(path: Path) -> dict[str, str]:
    """Four items of dair-emotion (the fourth of no known data set) and five people.

    Item 1 is ordinary, item 2 carries markup in its text and an explanation, item 3's first
    response could not be parsed, item 4 cannot be fixed (no label set). Returns the tokens.
    """
    with PairStore(path, create=True) as store:
        def add(example_id: str, text: str, gold: list[str], first: dict | None,
                second: dict, dataset: str | None = "dair-emotion") -> None:
            responses = [
                Response(slot=0, raw="{not json" if first is None else str(first), parsed=first,
                         error="invalid JSON" if first is None else None, correct=True),
                Response(slot=1, raw=str(second), parsed=second, error=None, correct=False),
            ]
            store.add_item(example_id=example_id, dataset=dataset, text=text, gold=gold,
                           messages=[{"role": "user", "content": text}], status="kept",
                           responses=responses)

        add("ex-1", "Finally got the keys to our first flat!! Cannot stop smiling", ["joy"],
            answer("joy", ["joy", "surprise"], "'cannot stop smiling' shows delight"),
            answer("surprise", ["surprise"], "'finally' suggests it was unexpected"))
        add("ex-2", HOSTILE_TEXT, ["anger"],
            answer("anger", ["anger"], "<i>markup</i> in an explanation stays text"),
            answer("fear", ["fear"], "sounds worried"))
        add("ex-3", "I miss you so much it hurts", ["sadness", "love"], None,
            answer("sadness", ["sadness", "love"], "'miss you' and 'hurts'"))
        add("ex-4", "No idea what this is", ["joy"], answer("joy", ["joy"], "a guess"),
            answer("joy", ["joy"], "another guess"), dataset=None)
        return {name: store.add_user(name, role) for name, role in [
            ("alice", "annotator"), ("bob", "annotator"), ("carol", "annotator"),
            ("judy", "adjudicator")]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`emolab annotate serve` in a subprocess on a free loopback port, as users start it."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "emolab", "annotate", "serve", str(path),
                                "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # the shared CI machine can be slow to import
        while True:
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start:\n{process.communicate()[0]}")
            time.sleep(0.2)
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout:
            process.stdout.close()
