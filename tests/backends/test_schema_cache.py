"""SchemaCache: what a backend compiles from a schema, built once, and only the last few kept."""

import pytest

from emolab.backends.base import SchemaCache, schemas_per_conversation


def test_a_schema_is_built_once_and_only_the_most_recent_are_kept():
    built = []
    cache = SchemaCache(lambda schema: built.append(schema) or len(built), size=2)
    first, second, third = ({"const": v} for v in (0.1, 0.2, 0.3))
    assert cache(first) == 1 and cache({"const": 0.1}) == 1  # equal schemas share one build
    assert cache(second) == 2
    assert cache(first) == 1  # used again: now the most recent
    assert cache(third) == 3  # pushes out the least recently used (second)
    assert len(cache) == 2 and cache(first) == 1
    assert cache(second) == 4 and len(built) == 4


def test_one_schema_or_one_per_conversation():
    schema = {"type": "object"}
    assert schemas_per_conversation(schema, 3) == [schema] * 3
    assert schemas_per_conversation([schema, None], 2) == [schema, None]
    with pytest.raises(ValueError, match="1 schemas for 2 conversations"):
        schemas_per_conversation([schema], 2)
