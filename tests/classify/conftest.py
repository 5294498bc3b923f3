"""A scripted in-memory backend: the runner, store and CLI logic without a model."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest

from emolab.backends.base import Backend, Generation, SamplingParams


def answer(prominent: str = "joy", listed: list[str] | None = None,
           explanation: str = "says 'won the cup'") -> str:
    return json.dumps({"explanation": explanation, "most_prominent_emotion": prominent,
                       "multiple_emotions_present": listed or [prominent]})


class FakeBackend(Backend):
    """Answers from ``replies`` (text in the prompt -> raw output), else a valid joy answer."""

    name: ClassVar[str] = "fake"
    supports_schema: ClassVar[bool] = True

    def __init__(self, model: str = "fake-model", *, seed: int | None = None,
                 replies: dict[str, str] | None = None, fail_on: str | None = None) -> None:
        self.model_id = model
        self.replies = replies or {}
        self.fail_on = fail_on  # raise when this text comes, as a killed process would stop
        self.calls: list[dict[str, Any]] = []

    def generate(self, messages, *, schema=None, params=SamplingParams()):
        self.require_schema(schema)
        user = messages[-1]["content"]
        self.calls.append({"messages": messages, "schema": schema, "params": params})
        if self.fail_on is not None and self.fail_on in user:
            raise KeyboardInterrupt  # not an Exception: nothing may catch and record it
        raw = next((r for t, r in self.replies.items() if t in user), answer())
        return [Generation(raw, "stop", 10, 5, 0.01) for _ in range(params.n)]


class NoSchemaBackend(FakeBackend):
    name: ClassVar[str] = "fake-noschema"
    supports_schema: ClassVar[bool] = False


@pytest.fixture
def fake_backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def fake() -> Any:
    """The helpers themselves, for tests that build their own backends and answers."""

    class Helpers:
        Backend = FakeBackend
        NoSchema = NoSchemaBackend
        answer = staticmethod(answer)

    return Helpers


@pytest.fixture
def built(monkeypatch, fake):
    """Route every backend name to the fake one; remember each instance built."""
    import emolab.backends as backends

    made = []

    class Recorded(fake.Backend):
        def __init__(self, model="fake-model", *, seed=None):
            super().__init__(model, seed=seed)
            self.seed = seed
            made.append(self)

    monkeypatch.setattr(backends, "backend_class", lambda name: Recorded)
    return made
