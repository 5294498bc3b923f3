"""The XGrammar grammar of an explanation that quotes the text within a length bound.

Both XGrammar-backed backends (llama.cpp in-process, transformers) build their grammar here
when a schema carries ``emolab.schemas.quoting_explanation``'s keywords, so a tuned model's
answer is bounded the same way whichever runs it.
"""

from __future__ import annotations

import json
from typing import Any

from emolab.errors import EmolabError


def explanation_grammar(schema: dict[str, Any]) -> str | None:
    """The grammar of a schema whose explanation is marked by ``emolab.schemas.
    quoting_explanation`` (an opening, a bound that admits escapes), or None when it is not.

    XGrammar's grammar of the schema without the keywords has the explanation as a plain JSON
    string right after its key; in its place go the opening as a literal after the string's
    opening quote, then at most ``TAIL_CHARS`` characters (an escape counts as one; at least
    one when there is no opening) and the closing quote."""
    import xgrammar as xgr

    from emolab.schemas import OPENING, TAIL_CHARS

    explanation = schema.get("properties", {}).get("explanation", {})
    if TAIL_CHARS not in explanation:
        return None
    plain = {k: v for k, v in explanation.items()  # the bounds are the tail's to enforce
             if k not in (OPENING, TAIL_CHARS, "maxLength", "minLength")}
    rest = {**schema, "properties": {**schema["properties"], "explanation": plain}}
    grammar = str(xgr.Grammar.from_json_schema(json.dumps(rest), any_whitespace=False))
    free = '"\\"explanation\\"" ": " basic_string'
    if free not in grammar:
        raise EmolabError("a quoting explanation needs a free explanation string (no pattern, "
                          "no format)")
    opening = explanation.get(OPENING, "")
    literal = json.dumps(opening, ensure_ascii=True)[1:-1]
    fewest = 0 if opening else 1
    tail = (f'explanation_tail ::= (([^\\0-\\x1f\\"\\\\] | ("\\\\" basic_escape))'
            f'{{{fewest}, {explanation[TAIL_CHARS]}}} "\\"")')
    spliced = grammar.replace(free, f'"\\"explanation\\"" ": " "\\"{literal}" explanation_tail', 1)
    return spliced + "\n" + tail + "\n"
