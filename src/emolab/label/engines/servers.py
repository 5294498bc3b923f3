"""Several OpenAI-compatible servers (llama.cpp, vLLM, Ollama), several requests in flight each.

Each server gets one worker thread per slot; the workers take texts from one shared queue, so a
fast server simply takes more. Servers are health-checked (``GET <base-url>/models``) before the
run and whenever a request fails: a server that does not answer is set aside and checked again
every ``recheck`` seconds, and the text it failed goes back to the queue for another server.
A text is tried at most ``max_attempts`` times; then its row keeps the error. When every server
has been down for ``give_up`` seconds the run stops (committed shards stay; rerun to resume).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from emolab.errors import EmolabError
from emolab.label.answer import Answerer
from emolab.label.engines.base import Engine, answer_record
from emolab.label.readers import Record
from emolab.label.tasks import RunTask

log = logging.getLogger(__name__)


@dataclass
class Server:
    base_url: str
    answerer: Answerer
    slots: int = 4
    api_key: str | None = None
    healthy: bool = True
    answered: int = 0

    def check(self, timeout: float = 5.0) -> bool:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.get(self.base_url.rstrip("/") + "/models", headers=headers,
                                 timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


@dataclass
class _Job:
    record: Record
    future: Future = field(default_factory=Future)
    attempts: int = 0


class ServerEngine(Engine):
    def __init__(self, servers: list[Server], tasks: list[RunTask], *, max_attempts: int = 3,
                 recheck: float = 10.0, give_up: float = 120.0, owned: list | None = None) -> None:
        """``owned``: things to close with the engine (servers it started itself)."""
        if not servers:
            raise EmolabError("the servers engine needs at least one --base-url")
        self.servers, self.tasks, self.owned = servers, tasks, owned or []
        self.max_attempts, self.recheck, self.give_up = max_attempts, recheck, give_up
        self.window = 2 * sum(s.slots for s in servers)
        self.events: Counter = Counter()  # "retried", "server down", ... for the summary
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._all_down_since: float | None = None
        self._failed: EmolabError | None = None
        for server in servers:
            server.healthy = server.check()
            if not server.healthy:
                log.warning("%s does not answer; it will be checked again", server.base_url)
        if not any(s.healthy for s in servers):
            raise EmolabError("no server answers: " + ", ".join(f"{s.base_url}/models"
                                                                 for s in servers))
        self._threads = [threading.Thread(target=self._work, args=(server,), daemon=True,
                                          name=f"label-{server.base_url}-{slot}")
                         for server in servers for slot in range(server.slots)]
        for thread in self._threads:
            thread.start()

    def submit(self, record: Record) -> Future:
        if self._failed is not None:
            raise self._failed
        job = _Job(record)
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self._drain(EmolabError("the run stopped before this text was answered"))
        for server in self.servers:
            backend = getattr(server.answerer, "backend", None)
            if backend is not None:
                backend.close()
        for thing in self.owned:
            thing.close()

    # -- workers ----------------------------------------------------------------------------

    def _work(self, server: Server) -> None:
        while not self._stop.is_set():
            if not server.healthy:
                self._wait_for(server)
                continue
            try:
                job = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            job.attempts += 1
            try:
                row, failures = answer_record(server.answerer, job.record, self.tasks)
            except Exception as err:  # a bug, not a server problem: stop the run with it
                job.future.set_exception(err)
                continue
            if failures and job.attempts < self.max_attempts:
                if not server.check():
                    self._mark_down(server)
                with self._lock:
                    self.events["texts retried"] += 1
                if self._failed is not None:
                    job.future.set_exception(self._failed)
                else:
                    self._queue.put(job)  # to whichever server is free and healthy
                continue
            with self._lock:
                server.answered += 1
            job.future.set_result(row)

    def _mark_down(self, server: Server) -> None:
        with self._lock:
            if not server.healthy:
                return
            server.healthy = False
            self.events[f"server down: {server.base_url}"] += 1
            if not any(s.healthy for s in self.servers):
                self._all_down_since = time.monotonic()
        log.warning("%s stopped answering; its texts go to the other servers", server.base_url)

    def _wait_for(self, server: Server) -> None:
        if self._stop.wait(self.recheck):
            return
        if server.check():
            with self._lock:
                server.healthy = True
                self._all_down_since = None
                self.events[f"server back: {server.base_url}"] += 1
            log.warning("%s answers again", server.base_url)
            return
        with self._lock:
            since = self._all_down_since
        if since is not None and time.monotonic() - since > self.give_up:
            self._failed = EmolabError(
                f"every server has been down for {self.give_up:.0f} s: "
                + ", ".join(s.base_url for s in self.servers)
                + "; the shards written so far are kept: rerun the command to resume")
            self._drain(self._failed)

    def _drain(self, error: Exception) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if not job.future.done():
                job.future.set_exception(error)


def load_servers(base_urls: list[str], *, tasks: list[RunTask], model: str,
                 api_key: str | None, slots: int, params: Any, constrain: bool,
                 prompt_version: str, timeout: float = 600.0) -> list[Server]:
    """One OpenAI backend + answerer per server; retries are few: a failing server is the
    engine's business (health check, then another server)."""
    from emolab.backends.openai import OpenAIBackend
    from emolab.label.answer import TaskAnswerer

    servers = []
    for url in base_urls:
        backend = OpenAIBackend(model, base_url=url, api_key=api_key, concurrency=slots,
                                max_retries=1, backoff=0.5, timeout=timeout)
        answerer = TaskAnswerer(backend, tasks, params=params, constrain=constrain,
                                prompt_version=prompt_version)
        servers.append(Server(url, answerer, slots=slots, api_key=api_key))
    return servers
