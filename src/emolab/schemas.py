"""The answer a self-explaining classifier gives, as one Pydantic model per label set.

Key order is part of the contract: ``explanation`` comes first so that a model writes its
rationale before it commits to labels (the explanation acts as chain-of-thought), then
``most_prominent_emotion``, then ``multiple_emotions_present``. Backends enforce this schema
while decoding; how they do it (grammar, logits processor, ``response_format``) is theirs.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from emolab.labels import LabelSet

ANSWER_KEYS = ("explanation", "most_prominent_emotion", "multiple_emotions_present")
# Bounds keep a small model from looping inside a string until the token limit cuts the JSON.
MAX_EXPLANATION_CHARS = 400


@cache
def answer_model(label_set: LabelSet, *, max_explanation_chars: int = MAX_EXPLANATION_CHARS
                 ) -> type[BaseModel]:
    """A Pydantic model whose fields are the answer keys, labels restricted to ``label_set``."""
    label = Literal[label_set.labels]  # type: ignore[valid-type]
    return create_model(
        f"Answer_{label_set.name.replace('-', '_')}",
        __config__=ConfigDict(extra="forbid"),
        explanation=(str, Field(
            min_length=1, max_length=max_explanation_chars,
            description="A concise rationale that quotes the words of the text that carry the "
                        "emotion.")),
        most_prominent_emotion=(label, Field(description="The single strongest emotion.")),
        multiple_emotions_present=(list[label], Field(  # type: ignore[valid-type]
            min_length=1, max_length=len(label_set),
            description="Every emotion the text expresses, the most prominent one included.")),
    )


def answer_schema(label_set: LabelSet, *, max_explanation_chars: int = MAX_EXPLANATION_CHARS
                  ) -> dict[str, Any]:
    """The JSON Schema of the answer (properties in the required key order)."""
    return answer_model(label_set, max_explanation_chars=max_explanation_chars).model_json_schema()
