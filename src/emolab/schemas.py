"""The answer a self-explaining classifier gives, as one Pydantic model per label set.

Key order is part of the contract: ``explanation`` comes first so that a model writes its
rationale before it commits to labels (the explanation acts as chain-of-thought), then
``most_prominent_emotion``, then ``multiple_emotions_present``. Backends enforce this schema
while decoding; how they do it (grammar, logits processor, ``response_format``) is theirs.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from emolab.labels import LabelSet

if TYPE_CHECKING:  # pydantic is imported where a model is built: `emolab --help` needs none
    from pydantic import BaseModel

ANSWER_KEYS = ("explanation", "most_prominent_emotion", "multiple_emotions_present")
# Bounds keep a small model from looping inside a string until the token limit cuts the JSON.
MAX_EXPLANATION_CHARS = 400
# No text of the data sets carries more than 6 emotions (SemEval E-c: 11 rows of 6880 have 6;
# GoEmotions at most 5). The cap stops a small model from repeating labels until the limit.
MAX_LABELS_LISTED = 6


@cache
def answer_token_budget(max_explanation_chars: int) -> int:
    """Tokens enough for any answer the schema allows, so that no constrained answer is cut.

    A byte-level tokenizer may spend one token per byte and a character takes up to four bytes
    (a run of emoji does exactly that); the keys, punctuation and at most six labels need less
    than 100 more.
    """
    return 4 * max_explanation_chars + 100



# Schema keywords for an explanation that quotes the text within its bound and, when a score head
# answers, opens with the head's value. emolab.backends.guidance turns them into plain JSON
# schema for llguidance, which both local backends decode with (the length kept, an escape
# counting as one character; the opening a pattern). A remote server ignores them and keeps to
# maxLength. (They date from XGrammar 0.2.8, whose bounded strings admitted no backslash.)
QUOTING = "x-emolab-quoting"  # true: the explanation may quote the text within its maxLength
OPENING = "x-emolab-opening"  # the text the explanation must start with


def quoting_explanation(schema: dict[str, Any], *, tail_chars: int, opening: str = ""
                        ) -> dict[str, Any]:
    """``schema`` with its explanation marked by the keywords above: it opens with ``opening``
    and adds at most ``tail_chars`` characters (at least one when the opening is empty), an
    escape counting as one. The cap ends the rare answer of a small model that quotes one word
    over and over until the token limit cuts its JSON."""
    explanation = {**schema["properties"]["explanation"], QUOTING: True,
                   "minLength": 1, "maxLength": len(opening) + tail_chars}
    if opening:
        explanation[OPENING] = opening
    return {**schema, "properties": {**schema["properties"], "explanation": explanation}}


# What emolab's classifier asks for, and the token budget that always fits it (900).
DEFAULT_EXPLANATION_CHARS = 200
DEFAULT_MAX_TOKENS = answer_token_budget(DEFAULT_EXPLANATION_CHARS)


def answer_model(label_set: LabelSet, *, max_explanation_chars: int = MAX_EXPLANATION_CHARS
                 ) -> type[BaseModel]:
    """A Pydantic model whose fields are the answer keys, labels restricted to ``label_set``."""
    from pydantic import ConfigDict, Field, create_model

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
            min_length=1, max_length=min(len(label_set), MAX_LABELS_LISTED),
            description="Every emotion the text expresses, the most prominent one included.")),
    )


def answer_schema(label_set: LabelSet, *, max_explanation_chars: int = MAX_EXPLANATION_CHARS
                  ) -> dict[str, Any]:
    """The JSON Schema of the answer (properties in the required key order)."""
    return answer_model(label_set, max_explanation_chars=max_explanation_chars).model_json_schema()


def fixed_labels_schema(label_set: LabelSet, gold: list[str], *,
                        max_explanation_chars: int = MAX_EXPLANATION_CHARS) -> dict[str, Any]:
    """The answer schema with the labels pinned to ``gold``: only the explanation is free.

    Used for rationalization (STaR): the model writes an explanation for labels it is told.
    The most prominent emotion may be any gold label; the list is exactly the gold labels in
    label-set order.
    """
    ordered = [label for label in label_set.labels if label in gold]
    if not ordered or len(ordered) != len(set(gold)):
        raise ValueError(f"gold labels {gold} must be a non-empty subset of {label_set.name}")
    schema = answer_schema(label_set, max_explanation_chars=max_explanation_chars)
    properties = dict(schema["properties"])
    properties["most_prominent_emotion"] = {**properties["most_prominent_emotion"],
                                            "enum": ordered}
    properties["multiple_emotions_present"] = {
        "description": properties["multiple_emotions_present"]["description"], "const": ordered}
    return {**schema, "properties": properties}
