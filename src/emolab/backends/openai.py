"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp) over HTTP.

The server enforces the JSON schema (``response_format``). Requests are retried with
exponential backoff on 429, 5xx and connection errors, honouring ``Retry-After``; a semaphore
caps how many requests are in flight, whichever thread sends them. The API key is kept out of
every repr, log line and error message.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from emolab.backends.base import (
    Backend,
    Generation,
    Message,
    SamplingParams,
    SchemaOrSchemas,
    schemas_per_conversation,
)
from emolab.errors import EmolabError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
SCHEMA_FORMATS = ("auto", "json_schema", "json_object")
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is treated as down


class OpenAIBackend(Backend):
    name = "openai"
    supports_schema = True
    can_sample_n = True

    def __init__(self, model: str, *, base_url: str | None = None, api_key: str | None = None,
                 concurrency: int = 4, max_retries: int = 4, timeout: float = 120.0,
                 backoff: float = 1.0, max_backoff: float = 30.0,
                 schema_format: str = "auto") -> None:
        """``base_url`` and ``api_key`` default to ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``
        (no key is fine for local servers). ``concurrency``: requests in flight at once.
        ``max_retries``: extra attempts after a 429 / 5xx / connection error, waiting
        ``backoff`` · 2^attempt seconds (at most ``max_backoff``) unless the server says how long.
        ``schema_format``: ``json_schema`` (the OpenAI form), ``json_object`` (llama-cpp-python's
        server: ``{"type": "json_object", "schema": ...}``) or ``auto`` (the first, falling back to
        the second once if the server rejects it).
        """
        import httpx

        if concurrency < 1 or max_retries < 0 or timeout <= 0:
            raise ValueError("need concurrency >= 1, max_retries >= 0, timeout > 0")
        if schema_format not in SCHEMA_FORMATS:
            raise ValueError(f"schema_format must be one of {SCHEMA_FORMATS}")
        self.model_id = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
                         ).rstrip("/")
        self._key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.schema_format = schema_format
        self._slots = threading.BoundedSemaphore(concurrency)
        self._n_supported: bool | None = None  # learnt from the first n > 1 answer
        self._max_tokens_key = "max_tokens"  # or max_completion_tokens, learnt from a 400
        self._client = httpx.Client(timeout=httpx.Timeout(timeout),
                                    limits=httpx.Limits(max_connections=concurrency))

    def __repr__(self) -> str:
        key = "set" if self._key else "none"
        return (f"OpenAIBackend(model={self.model_id!r}, base_url={self.base_url!r}, "
                f"api_key=<{key}>, concurrency={self.concurrency})")

    def close(self) -> None:
        self._client.close()

    # -- public -------------------------------------------------------------------------------

    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        self.require_schema(schema)
        gens: list[Generation] = []
        # Some servers (llama-cpp-python's) ignore ``n`` and answer with one choice: count the
        # choices and ask again for the rest, each time with a new seed so samples differ.
        while len(gens) < params.n:
            want = params.n - len(gens)
            ask = want if self._n_supported is not False else 1
            seed = None if params.seed is None else params.seed + len(gens)
            got = self._complete(messages, schema, params, ask, seed)
            if not got:
                raise EmolabError(f"{self.base_url}: the server answered with no choices")
            if ask > 1:
                self._n_supported = len(got) >= ask
            gens.extend(got[:want])
        return gens

    def generate_many(self, conversations: list[list[Message]], *,
                      schema: SchemaOrSchemas = None,
                      params: SamplingParams = SamplingParams()) -> list[list[Generation]]:
        """Several conversations at once (at most ``concurrency`` requests in flight)."""
        schemas = schemas_per_conversation(schema, len(conversations))
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = [pool.submit(self.generate, m, schema=s, params=params)
                       for m, s in zip(conversations, schemas, strict=True)]
            return [f.result() for f in futures]

    # -- one request ------------------------------------------------------------------------

    def _complete(self, messages: list[Message], schema: dict[str, Any] | None,
                  params: SamplingParams, n: int, seed: int | None) -> list[Generation]:
        body: dict[str, Any] = {
            "model": self.model_id, "messages": messages, "max_tokens": params.max_tokens,
            "temperature": params.temperature, "top_p": params.top_p,
        }
        if n > 1:
            body["n"] = n
        if seed is not None:
            body["seed"] = seed
        if schema is not None:
            body["response_format"] = self._response_format(schema)
        if self._max_tokens_key != "max_tokens":
            body[self._max_tokens_key] = body.pop("max_tokens")
        start = time.perf_counter()
        status, data = self._post("/chat/completions", body)
        while status != 200 and self._adapt(body, schema, _error_text(data)):  # at most twice
            status, data = self._post("/chat/completions", body)
        if status != 200:
            raise EmolabError(self._redact(
                f"{self.base_url}/chat/completions answered {status}: {_error_text(data)}"
                + (" (check OPENAI_API_KEY)" if status in (401, 403) else "")))
        seconds = time.perf_counter() - start
        usage = data.get("usage") or {}
        choices = sorted(data.get("choices") or [], key=lambda c: c.get("index", 0))
        return [Generation(
            text=_content(choice),
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            # usage adds up all choices; per choice it is known only when there is one
            completion_tokens=usage.get("completion_tokens") if len(choices) == 1 else None,
            seconds=seconds,
        ) for choice in choices]

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.schema_format == "json_object":
            return {"type": "json_object", "schema": schema}
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(schema.get("title", "answer")))[:64]
        return {"type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True}}

    def _adapt(self, body: dict[str, Any], schema: dict[str, Any] | None, error: str) -> bool:
        """Rewrite ``body`` for a server that rejected one of two known dialect differences;
        the change is remembered for later requests. True when worth sending again."""
        if schema is not None and self._rejects_json_schema(error):
            log.warning("%s rejects response_format json_schema; using json_object + schema",
                        self.base_url)
            self.schema_format = "json_object"
            body["response_format"] = self._response_format(schema)
            return True
        # OpenAI's reasoning models refuse max_tokens and ask for max_completion_tokens.
        if "max_completion_tokens" in error and "max_tokens" in body:
            self._max_tokens_key = "max_completion_tokens"
            body["max_completion_tokens"] = body.pop("max_tokens")
            return True
        return False

    def _rejects_json_schema(self, text: str) -> bool:
        """True when an auto-mode server says it knows only ``text`` / ``json_object``."""
        return (self.schema_format == "auto" and "response_format" in text
                and "json_object" in text and "json_schema" in text)

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST with retries; returns (status, parsed body) of the last answer."""
        import httpx

        url = self.base_url + path
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        for attempt in range(self.max_retries + 1):
            wait = None
            try:
                with self._slots:
                    response = self._client.post(url, json=body, headers=headers)
            except httpx.TransportError as err:  # connect / read errors and timeouts
                problem = f"{type(err).__name__}: {err}"
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response.status_code, _json(response)
                problem = f"HTTP {response.status_code}: {_error_text(_json(response))}"
                wait = _retry_after(response.headers)
                if wait is not None and wait > MAX_RETRY_AFTER:
                    problem += f" (asks to wait {wait:.0f} s)"
                    break
                if response.status_code >= 500 and self._rejects_json_schema(problem):
                    return response.status_code, _json(response)  # not transient
            if attempt == self.max_retries:
                break
            if wait is None:  # exponential with jitter, so parallel callers do not retry in step
                wait = min(self.max_backoff, self.backoff * 2 ** attempt) * random.uniform(0.5, 1)
            log.warning("%s: %s; retry %d/%d in %.1f s", url, self._redact(problem),
                        attempt + 1, self.max_retries, wait)
            time.sleep(wait)
        raise EmolabError(self._redact(
            f"{url} failed after {attempt + 1} attempt(s): {problem}")) from None

    def _redact(self, text: str) -> str:
        """Remove the key (should a server echo it back) from text that may reach a user."""
        return text.replace(self._key, "***") if self._key else text


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"message": response.text[:500]}}


def _error_text(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("message", data["error"]))[:500]
    return str(data)[:500]


def _content(choice: dict[str, Any]) -> str:
    message = choice.get("message") or {}
    # A refusal has no content; keep its words so the raw answer is never lost.
    return message.get("content") or message.get("refusal") or ""


def _retry_after(headers: Any) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms`` (OpenAI), then ``Retry-After``."""
    if "retry-after-ms" in headers:
        try:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
