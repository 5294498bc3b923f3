"""The task schemas as grammars: an answer outside a range or class set cannot be decoded.

Both local backends decode with llguidance (inside llama.cpp's server, and in transformers
through ``emolab.backends.guidance``); their real decoding is tested in tests/backends/.
"""

from __future__ import annotations

import json

import pytest

from emolab.tasks import get_task
from tests_support import schema_accepts

pytest.importorskip("llguidance")


def accepts(schema: dict, key: str, value: str) -> bool:
    return schema_accepts(schema, f'{{"explanation": "x", "{key}": {value}}}')


@pytest.mark.parametrize("spec, key, inside, outside", [
    ("ei-reg:joy", "intensity", ["0", "0.62", "1", "1.0"], ["1.7", "-0.2", "1.01", "10"]),
    ("vader", "sentiment", ["-4", "-3.2", "3.99", "4"], ["-4.5", "4.01"]),
    ("emobank:valence", "valence", ["1", "3.27", "5"], ["0.9", "5.5"]),
    ("v-oc", "valence_class", ["-3", "0", "3"], ["4", "-4", "1.5"]),
    ("ei-oc:fear", "intensity_class", ["0", "3"], ["-1", "4", "2.0"]),
])
def test_ranges_and_classes_are_enforced(spec, key, inside, outside):
    schema = get_task(spec).schema(max_explanation_chars=50)
    assert all(accepts(schema, key, v) for v in inside), inside
    assert not any(accepts(schema, key, v) for v in outside), outside


def test_a_pinned_score_admits_only_its_value():
    schema = get_task("v-reg").pinned_schema(0.456, max_explanation_chars=50)
    assert accepts(schema, "valence", "0.46")
    assert not accepts(schema, "valence", "0.47") and not accepts(schema, "valence", "0.45")


def test_llguidance_holds_bounds_lengths_and_a_pinned_opening():
    """What both local backends hand llguidance: emolab's keywords become plain JSON schema
    (lengths kept, the pinned opening a pattern) that llguidance converts whole."""
    xllamacpp = pytest.importorskip("xllamacpp")
    from emolab.backends.guidance import guidance_schema
    from emolab.readout import pinned_with_opening

    task = get_task("ei-reg:anger")
    pinned = pinned_with_opening(task, 0.62, task.stated_opening(0.62),
                                 max_explanation_chars=200)
    converted = guidance_schema(pinned)
    explanation = converted["properties"]["explanation"]
    assert "x-emolab-quoting" not in json.dumps(converted)
    opening = pinned["properties"]["explanation"]["x-emolab-opening"]
    tail = pinned["properties"]["explanation"]["maxLength"] - len(opening)
    assert explanation["pattern"] == (r"^High anger \(0\.62\): the text says "
                                      r"[\s\S]{1," + str(tail) + "}$")
    assert "maxLength" not in explanation
    plain = guidance_schema(get_task("ei-reg:joy").schema(max_explanation_chars=50))
    bounds = {k: plain["properties"]["intensity"][k]
              for k in ("type", "minimum", "maximum", "multipleOf")}
    assert bounds == {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.001}
    grammar = xllamacpp.json_schema_to_grammar(json.dumps(converted))
    assert grammar.startswith("%llguidance") and '"pattern"' in grammar

