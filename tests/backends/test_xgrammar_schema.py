"""Length-bounded strings of a schema (the explanation) accept JSON escapes under XGrammar:
an explanation that quotes the text needs ``\\"``, and XGrammar 0.2.8 alone refuses it."""

from __future__ import annotations

import json

import pytest

from emolab.backends.xgrammar_schema import compile_schema
from emolab.tasks import get_task

xgr = pytest.importorskip("xgrammar")


@pytest.fixture(scope="module")
def compiler():
    vocab = [chr(i) for i in range(32, 127)] + ["</s>"]  # one printable character per token
    info = xgr.TokenizerInfo(vocab, xgr.VocabType.RAW, stop_token_ids=[len(vocab) - 1])
    return xgr.GrammarCompiler(info)


def accepts(compiled, text: str) -> bool:
    return xgr.GrammarMatcher(compiled).accept_string(text)


@pytest.mark.parametrize("spec, answer", [
    ("semeval-ec", '"most_prominent_emotion": "joy", "multiple_emotions_present": ["joy"]'),
    ("ei-reg:anger", '"intensity": 0.5'),
    ("v-oc", '"valence_class": 1'),
])
def test_an_escaped_quote_is_one_character_of_a_bounded_explanation(compiler, spec, answer):
    schema = get_task(spec).schema(max_explanation_chars=40)
    ours = compile_schema(compiler, schema)
    quoting = '{"explanation": "The word \\"cup\\" points.", ' + answer + "}"
    assert accepts(ours, quoting)
    # XGrammar's own grammar of the same schema cannot decode it: the reason for the rewrite.
    plain = compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    assert not accepts(plain, quoting)
    # The bound holds, an escape counting as one character; other escapes stay out.
    assert accepts(ours, '{"explanation": "' + "a" * 38 + '\\"", ' + answer + "}")
    assert not accepts(ours, '{"explanation": "' + "a" * 40 + '\\"", ' + answer + "}")
    assert not accepts(ours, '{"explanation": "' + "a" * 41)
    assert not accepts(ours, '{"explanation": "bad \\x escape')
