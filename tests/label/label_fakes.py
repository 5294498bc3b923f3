"""A tiny real backend for the label tests: it answers any task with the first valid answer its
JSON schema allows, instantly, so the real Classifier, parser and writer run on it."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.errors import EmolabError


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in node:
        return _resolve(node["anyOf"][0], root)
    return node


def first_answer(schema: dict[str, Any], text: str) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for key, spec in schema["properties"].items():
        spec = _resolve(spec, schema)
        if "enum" in spec:
            answer[key] = spec["enum"][0]
        elif "const" in spec:
            answer[key] = spec["const"]
        elif spec.get("type") == "array":
            item = _resolve(spec["items"], schema)
            answer[key] = [item["enum"][0]] if "enum" in item else [item.get("const", "x")]
        elif spec.get("type") == "integer":
            answer[key] = spec.get("minimum", 0)
        elif spec.get("type") == "number":
            answer[key] = (spec.get("minimum", 0) + spec.get("maximum", 1)) / 2
        else:
            answer[key] = f"the text has {len(text)} characters"
    return answer


class SchemaBackend(Backend):
    """Answers with ``first_answer``; ``fail_on``: texts containing it raise like a dead server;
    ``delay``: seconds per request; ``garbage_on``: texts containing it get a non-JSON answer."""

    name = "fake"
    supports_schema = True

    def __init__(self, *, delay: float = 0.0, fail_on: str | None = None,
                 garbage_on: str | None = None, model_id: str = "fake-model") -> None:
        self.delay, self.fail_on, self.garbage_on = delay, fail_on, garbage_on
        self.model_id = model_id
        self.calls = 0
        self._lock = threading.Lock()

    def generate(self, messages, *, schema=None, params=SamplingParams()) -> list[Generation]:
        with self._lock:
            self.calls += 1
        text = messages[-1]["content"]
        if self.delay:
            time.sleep(self.delay)
        if self.fail_on and self.fail_on in text:
            raise EmolabError("connection refused (fake)")
        if self.garbage_on and self.garbage_on in text:
            return [Generation("I feel nothing", "stop")]
        assert schema is not None, "the label tests run constrained"
        return [Generation(json.dumps(first_answer(schema, text)), "stop")]


class FakeServer:
    """An OpenAI-compatible chat server on loopback that answers like ``SchemaBackend``.

    ``stop()`` closes it the way a crashed server goes: the port then refuses connections.
    """

    def __init__(self, *, delay: float = 0.0, model: str = "fake-model") -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from tests_support import JsonReplies  # here: killed subprocesses import this module

        owner = self
        self.delay, self.model, self.answered = delay, model, 0

        class Handler(JsonReplies, BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/v1/models":
                    self._send(200, {"data": [{"id": owner.model}]})
                else:
                    self._send(404, {"error": {"message": "no such path"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if owner.delay:
                    time.sleep(owner.delay)
                schema = body["response_format"]["json_schema"]["schema"]
                text = body["messages"][-1]["content"]
                answer = json.dumps(first_answer(schema, text))
                owner.answered += 1
                self._send(200, {"choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"content": answer}}],
                                 "usage": {"prompt_tokens": 10, "completion_tokens": 5}})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
