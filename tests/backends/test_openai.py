"""OpenAIBackend against a real llama.cpp server on loopback (xllamacpp), and tiny loopback
servers of our own for the failure paths (429 / 5xx, refused connections, a 401 that echoes
the key, a server that ignores n)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emolab.backends import SamplingParams, load_backend
from emolab.errors import EmolabError
from emolab.labels import SEMEVAL_EC
from emolab.schemas import ANSWER_KEYS, answer_model, answer_schema

KEY = "sk-emolab-test-0123456789abcdef"
MESSAGES = [
    {"role": "system", "content": "Classify the emotions of the text. Answer with JSON. "
                                  "Emotions: " + ", ".join(SEMEVAL_EC.labels)},
    {"role": "user", "content": "Finally got the job!!! Best day ever, thank you all"},
]
OK_BODY = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"},
                        "finish_reason": "stop"}],
           "usage": {"prompt_tokens": 3, "completion_tokens": 1}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a real llama.cpp server -------------------------------------------------------------------

@pytest.fixture(scope="module")
def llama_server():
    """llama.cpp's own server (xllamacpp, in this process) on a loopback port."""
    pytest.importorskip("xllamacpp")
    from emolab.label.engines.llama_server import LlamaServer

    with LlamaServer("base", slots=3, threads=2, alias="smollm2") as server:  # n <= slots
        yield server.url


@pytest.mark.slow
def test_llama_server_answer_validates_with_keys_in_order(llama_server):
    schema = answer_schema(SEMEVAL_EC, max_explanation_chars=80)
    with load_backend("openai", model="smollm2", base_url=llama_server, timeout=300) as backend:
        [gen] = backend.generate(MESSAGES, schema=schema, params=SamplingParams(max_tokens=160))
        assert backend.schema_format == "auto"  # it takes OpenAI's json_schema form as it is
    assert gen.finish_reason == "stop", gen.text
    answer = json.loads(gen.text)
    assert tuple(answer) == ANSWER_KEYS
    answer_model(SEMEVAL_EC, max_explanation_chars=80).model_validate(answer)


@pytest.mark.slow
def test_llama_server_answers_n_candidates_in_one_request(llama_server):
    params = SamplingParams(n=3, temperature=1.0, max_tokens=6, seed=5)
    with load_backend("openai", model="smollm2", base_url=llama_server, timeout=300,
                      concurrency=2) as backend:
        [gens, more] = backend.generate_many([MESSAGES, MESSAGES[1:]], params=params)
        assert backend._n_supported is True
    assert len(gens) == 3 and len(more) == 3
    assert all(g.text and g.finish_reason == "length" for g in gens + more)


# -- our own loopback servers for the failure paths -------------------------------------------

class Script:
    """A loopback HTTP server answering POSTs from a list of (status, headers, body, delay)."""

    def __init__(self, answers, default=(200, {}, OK_BODY, 0.0)):
        self.answers, self.default = list(answers), default
        self.times, self.auth, self.bodies = [], [], []
        self.in_flight = self.peak = 0
        self.lock = threading.Lock()
        script = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                with script.lock:
                    script.bodies.append(body)
                    script.times.append(time.monotonic())
                    script.auth.append(self.headers.get("authorization"))
                    script.in_flight += 1
                    script.peak = max(script.peak, script.in_flight)
                    status, headers, answer, delay = (
                        script.answers.pop(0) if script.answers else script.default)
                time.sleep(delay)
                with script.lock:
                    script.in_flight -= 1
                payload = json.dumps(answer).replace("$AUTH", self.headers.get("authorization", ""))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def script():
    servers = []

    def make(answers, **kw):
        servers.append(Script(answers, **kw))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def error(message):
    return {"error": {"message": message}}


def test_a_server_ignoring_n_is_filled_up(script):
    """Some servers answer one choice whatever n asks: the backend asks again, one at a time."""
    server = script([])  # every answer: one choice
    with load_backend("openai", model="m", base_url=server.url) as backend:
        gens = backend.generate(MESSAGES, params=SamplingParams(n=3, temperature=1.0,
                                                                 max_tokens=6))
        assert backend._n_supported is False
    assert len(gens) == 3 and len(server.bodies) == 3
    assert server.bodies[0]["n"] == 3 and all(b.get("n", 1) == 1 for b in server.bodies[1:])


def test_retry_after_is_respected_then_success(script):
    server = script([(429, {"Retry-After": "1"}, error("slow down"), 0.0)])
    with load_backend("openai", model="m", base_url=server.url, backoff=0.01) as backend:
        [gen] = backend.generate(MESSAGES)
    assert gen.text == "{}" and len(server.times) == 2
    assert server.times[1] - server.times[0] >= 0.95  # not the 0.01 s backoff


def test_server_errors_back_off_exponentially(script):
    busy = (503, {}, error("overloaded"), 0.0)
    server = script([busy, busy, busy])
    with load_backend("openai", model="m", base_url=server.url, backoff=0.2,
                      max_retries=3) as backend:
        backend.generate(MESSAGES)
    gaps = [b - a for a, b in zip(server.times, server.times[1:], strict=False)]
    assert len(gaps) == 3
    # waits are backoff * 2^attempt * jitter in [0.5, 1]: 0.1-0.2, 0.2-0.4, 0.4-0.8 s
    assert 0.09 <= gaps[0] < 0.4 and gaps[2] >= 0.39 and gaps[2] > gaps[0]


def test_too_many_failures_give_a_clear_error(script):
    server = script([], default=(500, {}, error("boom"), 0.0))
    with (load_backend("openai", model="m", base_url=server.url, backoff=0.01,
                       max_retries=2) as backend,
          pytest.raises(EmolabError, match=r"failed after 3 attempt\(s\): HTTP 500: boom")):
        backend.generate(MESSAGES)
    assert len(server.times) == 3


def test_closed_port_fails_after_retries():
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with (load_backend("openai", model="m", base_url=url, api_key=KEY, backoff=0.01,
                       max_retries=2) as backend,
          pytest.raises(EmolabError, match=r"failed after 3 attempt\(s\): ConnectError") as err):
        backend.generate(MESSAGES)
    assert KEY not in str(err.value)


def test_client_errors_are_not_retried(script):
    server = script([(400, {}, error("bad max_tokens"), 0.0)])
    with (load_backend("openai", model="m", base_url=server.url, backoff=0.01) as backend,
          pytest.raises(EmolabError, match="answered 400: bad max_tokens")):
        backend.generate(MESSAGES)
    assert len(server.times) == 1


def test_api_key_is_sent_but_never_shown(script, caplog, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    # 500 that echoes the Authorization header (retried, logged), then a 401 that does too.
    server = script([(500, {}, error("upstream saw $AUTH"), 0.0),
                     (401, {}, error("Incorrect API key provided: $AUTH"), 0.0)])
    caplog.set_level(logging.DEBUG)
    with load_backend("openai", model="m", base_url=server.url, backoff=0.01) as backend:
        assert KEY not in repr(backend) and KEY not in str(backend)
        with pytest.raises(EmolabError) as err:
            backend.generate(MESSAGES)
    assert server.auth == [f"Bearer {KEY}"] * 2
    assert "Incorrect API key provided: Bearer ***" in str(err.value)
    assert "OPENAI_API_KEY" in str(err.value)
    assert "retry 1/" in caplog.text
    shown = "".join(traceback.format_exception(err.value))
    for text in (shown, repr(err.value), caplog.text, repr(backend)):
        assert KEY not in text


def test_concurrency_limit_is_respected(script):
    server = script([], default=(200, {}, OK_BODY, 0.3))
    with load_backend("openai", model="m", base_url=server.url, concurrency=2) as backend:
        results = backend.generate_many([MESSAGES] * 6)
        assert [len(r) for r in results] == [1] * 6
        assert server.peak == 2  # two at once, never more
        # Callers' own threads share the same limit (a semaphore, not just a pool size).
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: backend.generate(MESSAGES), range(6)))
    assert server.peak == 2 and len(server.times) == 12


def test_n_is_sent_when_the_server_honours_it(script):
    two = {"choices": [{"index": i, "message": {"content": f"c{i}"}, "finish_reason": "stop"}
                       for i in (1, 0)], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
    server = script([(200, {}, two, 0.0)])
    with load_backend("openai", model="m", base_url=server.url) as backend:
        gens = backend.generate(MESSAGES, params=SamplingParams(n=2, temperature=0.4))
        assert backend._n_supported is True
    assert [g.text for g in gens] == ["c0", "c1"] and len(server.times) == 1


def test_max_completion_tokens_dialect_is_learnt(script):
    refuse = error("Unsupported parameter: 'max_tokens' is not supported with this model. "
                   "Use 'max_completion_tokens' instead.")
    server = script([(400, {}, refuse, 0.0)])
    with load_backend("openai", model="m", base_url=server.url) as backend:
        backend.generate(MESSAGES, params=SamplingParams(max_tokens=7))
        backend.generate(MESSAGES, params=SamplingParams(max_tokens=9))
    assert [b.get("max_tokens") for b in server.bodies] == [7, None, None]
    assert [b.get("max_completion_tokens") for b in server.bodies] == [None, 7, 9]


def test_schema_goes_out_as_strict_json_schema(script):
    server = script([])
    schema = answer_schema(SEMEVAL_EC)
    with load_backend("openai", model="m", base_url=server.url) as backend:
        backend.generate(MESSAGES, schema=schema, params=SamplingParams(seed=3))
    sent = server.bodies[0]
    assert sent["response_format"] == {"type": "json_schema", "json_schema": {
        "name": schema["title"], "schema": schema, "strict": True}}
    assert sent["seed"] == 3 and "n" not in sent and sent["messages"] == MESSAGES


def test_a_long_retry_after_is_not_waited_for(script):
    server = script([(429, {"Retry-After": "3600"}, error("quota"), 0.0)])
    with (load_backend("openai", model="m", base_url=server.url) as backend,
          pytest.raises(EmolabError, match="asks to wait 3600 s")):
        backend.generate(MESSAGES)
    assert len(server.times) == 1
