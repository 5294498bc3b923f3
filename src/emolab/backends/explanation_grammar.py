"""XGrammar grammars of emolab's schemas, shared by both XGrammar-backed backends (llama.cpp
in-process, transformers), so a tuned model's answer is bounded the same way whichever runs it.

A schema whose explanation carries ``emolab.schemas.quoting_explanation``'s keywords gets
emolab's own explanation string (its opening, then a bound that admits escapes); any other
schema is compiled by XGrammar as it stands.
"""

from __future__ import annotations

import json
from typing import Any

from emolab.errors import EmolabError


def compile_schema(compiler: Any, schema: dict[str, Any]) -> Any:
    """``schema`` compiled by an ``xgrammar.GrammarCompiler``; compact JSON (no free
    whitespace: a small model can otherwise spend its budget on blank lines)."""
    grammar = explanation_grammar(schema)
    if grammar is None:
        return compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    return compiler.compile_grammar(grammar)


def explanation_grammar(schema: dict[str, Any]) -> str | None:
    """The grammar of a schema whose explanation is marked as quoting, or None when it is not.

    XGrammar's grammar of the schema without the marks has the explanation as a plain JSON
    string right after its key; in its place go the opening as a literal after the string's
    opening quote, then at most maxLength minus the opening's length characters (an escape
    counts as one; at least one when there is no opening) and the closing quote."""
    import xgrammar as xgr

    from emolab.schemas import OPENING, QUOTING

    explanation = schema.get("properties", {}).get("explanation", {})
    if not explanation.get(QUOTING):
        return None
    plain = {k: v for k, v in explanation.items()  # the bounds are the tail's to enforce
             if k not in (QUOTING, OPENING, "maxLength", "minLength")}
    rest = {**schema, "properties": {**schema["properties"], "explanation": plain}}
    grammar = str(xgr.Grammar.from_json_schema(json.dumps(rest), any_whitespace=False))
    free = '"\\"explanation\\"" ": " basic_string'
    if free not in grammar:
        raise EmolabError("a quoting explanation needs a free explanation string (no pattern, "
                          "no format)")
    opening = explanation.get(OPENING, "")
    literal = json.dumps(opening, ensure_ascii=True)[1:-1]
    fewest, most = (0 if opening else 1), explanation["maxLength"] - len(opening)
    tail = (f'explanation_tail ::= (([^\\0-\\x1f\\"\\\\] | ("\\\\" basic_escape))'
            f'{{{fewest}, {most}}} "\\"")')
    spliced = grammar.replace(free, f'"\\"explanation\\"" ": " "\\"{literal}" explanation_tail', 1)
    return spliced + "\n" + tail + "\n"
