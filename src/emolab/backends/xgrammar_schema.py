"""JSON schema -> XGrammar grammar, with escapes allowed inside length-bounded strings.

XGrammar 0.2.8 turns a string with ``minLength`` / ``maxLength`` into a repetition of one
character class that leaves out the backslash, so no JSON escape can be decoded inside it. The
explanation is such a string (at most ``max_explanation_chars``), and an explanation that
quotes the text writes ``\\"``: the tuned model, trained to write ``The word \\"cup\\" ...``,
was cut off at ``The word `` because the grammar only let it close the string. The bounded
rule is rewritten to accept an escape as one character; the bound still holds (counted in
decoded characters), and llama.cpp's own GBNF converter already allows escapes there.
"""

from __future__ import annotations

import json
import re
from typing import Any

# How XGrammar prints the character rule of a length-bounded string.
_BOUNDED_CHARACTERS = re.compile(r'^(\w+_characters) ::= \(\(\[\^\\"\\\\\\r\\n\]\)\)$', re.M)
_WITH_ESCAPES = r' ::= (([^\"\\\r\n]) | ("\\" [\"\\/bfnrt]))'


def schema_grammar(schema: dict[str, Any]) -> Any:
    """The XGrammar grammar of ``schema``: compact JSON (no free whitespace, so a small model
    cannot spend its budget on blank lines), escapes allowed in bounded strings."""
    import xgrammar as xgr  # heavy (imports torch)

    grammar = xgr.Grammar.from_json_schema(json.dumps(schema), any_whitespace=False)
    text = str(grammar)
    patched = _BOUNDED_CHARACTERS.sub(lambda m: m.group(1) + _WITH_ESCAPES, text)
    return grammar if patched == text else xgr.Grammar.from_ebnf(patched, root_rule_name="root")


def compile_schema(compiler: Any, schema: dict[str, Any]) -> Any:
    return compiler.compile_grammar(schema_grammar(schema))
