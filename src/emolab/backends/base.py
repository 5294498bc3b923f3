"""What every backend offers: ``generate(messages, schema, params) -> list[Generation]``.

A backend declares its abilities as class attributes and fails loudly on what it cannot do,
instead of quietly ignoring a schema or a sampling option.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

from emolab.errors import EmolabError

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class CapabilityError(EmolabError):
    """A backend was asked for something it cannot do (e.g. enforce a JSON schema)."""


@dataclass(frozen=True)
class SamplingParams:
    n: int = 1
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError("n must be at least 1")
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")


# The paper's defaults when two candidate answers are sampled per text.
CANDIDATE_SAMPLING = SamplingParams(n=2, temperature=0.4, top_p=0.8)


@dataclass
class Generation:
    text: str
    finish_reason: str | None = None  # "stop", "length", ...
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float | None = None


EMBED_CONTEXT = 512  # tokens of a text that score-head features see; tweets need ~60


class SchemaCache:
    """What a backend builds from a schema (a compiled grammar, a validator), kept for the
    ``size`` schemas used last. A score head pins its value into the schema, so a corpus of a
    million texts brings up to a million distinct schemas: all of them must not stay."""

    def __init__(self, build: Callable[[dict[str, Any]], Any], size: int = 256) -> None:
        self._build, self._size = build, size
        self._kept: OrderedDict[str, Any] = OrderedDict()

    def __call__(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key in self._kept:
            self._kept.move_to_end(key)
        else:
            self._kept[key] = self._build(schema)
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return self._kept[key]

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()


# ``generate_many``'s schema: one for every conversation, or a list with one per conversation.
SchemaOrSchemas = dict[str, Any] | list[dict[str, Any] | None] | None


def schemas_per_conversation(schema: SchemaOrSchemas, count: int) -> list[dict[str, Any] | None]:
    if not isinstance(schema, list):
        return [schema] * count
    if len(schema) != count:
        raise ValueError(f"{len(schema)} schemas for {count} conversations")
    return schema


class Backend(ABC):
    """One model behind one way of running it."""

    name: ClassVar[str]
    supports_schema: ClassVar[bool] = False  # can enforce a JSON schema while decoding
    can_sample_n: ClassVar[bool] = True
    can_logprobs: ClassVar[bool] = False
    # Conversations ``generate_many`` answers in one go (a batch); a classifier hands it that
    # many rows at a time.
    batch_size: int = 1

    model_id: str  # recorded with every prediction
    # Score heads this backend applies (``emolab.readout.Readout``), read off ``embed``.
    readout: Any = None
    # Score heads (``emolab.readout``) that this backend's model carries but this backend
    # cannot apply: a classifier refuses the tasks they answer rather than letting the model
    # write a weaker number of its own.
    unapplied_readout: Path | None = None

    @abstractmethod
    def generate(self, messages: list[Message], *, schema: dict[str, Any] | None = None,
                 params: SamplingParams = SamplingParams()) -> list[Generation]:
        """Return ``params.n`` generations for one conversation."""

    def generate_many(self, conversations: list[list[Message]], *,
                      schema: SchemaOrSchemas = None,
                      params: SamplingParams = SamplingParams()) -> list[list[Generation]]:
        """``generate`` for each conversation, results in input order; ``schema``: one for
        all, or a list with one per conversation. One at a time here; a backend that can
        answer several at once (a server's slots, a batch on a GPU) overrides this."""
        schemas = schemas_per_conversation(schema, len(conversations))
        return [self.generate(m, schema=s, params=params)
                for m, s in zip(conversations, schemas, strict=True)]

    def require_schema(self, schema: dict[str, Any] | None) -> None:
        if schema is not None and not self.supports_schema:
            raise CapabilityError(
                f"backend {self.name!r} cannot enforce a JSON schema; use --no-constrain or "
                "another backend"
            )

    def close(self) -> None:
        """Release the model or connection (optional)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
