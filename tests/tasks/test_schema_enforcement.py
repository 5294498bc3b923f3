"""The task schemas as grammars: an answer outside a range or class set cannot be decoded.

XGrammar is the engine of the llamacpp (default) and transformers backends; llama.cpp's own
GBNF converter is the llamacpp backend's alternative engine.
"""

from __future__ import annotations

import json

import pytest

from emolab.schemas import enumerate_bounded_numbers
from emolab.tasks import get_task

xgrammar = pytest.importorskip("xgrammar")
from xgrammar.testing import _is_grammar_accept_string  # noqa: E402


def accepts(schema: dict, key: str, value: str) -> bool:
    grammar = xgrammar.Grammar.from_json_schema(json.dumps(schema))
    return _is_grammar_accept_string(grammar, f'{{"explanation": "x", "{key}": {value}}}')


@pytest.mark.parametrize("spec, key, inside, outside", [
    ("ei-reg:joy", "intensity", ["0", "0.62", "1", "1.0"], ["1.7", "-0.2", "1.01", "10"]),
    ("vader", "sentiment", ["-4", "-3.2", "3.99", "4"], ["-4.5", "4.01"]),
    ("emobank:valence", "valence", ["1", "3.27", "5"], ["0.9", "5.5"]),
    ("v-oc", "valence_class", ["-3", "0", "3"], ["4", "-4", "1.5"]),
    ("ei-oc:fear", "intensity_class", ["0", "3"], ["-1", "4", "2.0"]),
])
def test_xgrammar_enforces_ranges_and_classes(spec, key, inside, outside):
    schema = get_task(spec).schema(max_explanation_chars=50)
    assert all(accepts(schema, key, v) for v in inside), inside
    assert not any(accepts(schema, key, v) for v in outside), outside


def test_a_pinned_score_admits_only_its_value():
    schema = get_task("v-reg").pinned_schema(0.456, max_explanation_chars=50)
    assert accepts(schema, "valence", "0.46")
    assert not accepts(schema, "valence", "0.47") and not accepts(schema, "valence", "0.45")


def test_gbnf_gets_bounds_as_values():
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    schema = get_task("ei-reg:joy").schema(max_explanation_chars=50)
    plain = llama_grammar.json_schema_to_gbnf(json.dumps(schema))
    assert '"0.62"' not in plain  # the converter drops minimum / maximum: any number passes
    spelled = enumerate_bounded_numbers(schema)
    assert spelled["properties"]["intensity"]["enum"][:3] == [0.0, 0.01, 0.02]
    assert len(spelled["properties"]["intensity"]["enum"]) == 101
    gbnf = llama_grammar.json_schema_to_gbnf(json.dumps(spelled))
    assert '"0.62"' in gbnf and '"1.0"' in gbnf and '"1.01"' not in gbnf
