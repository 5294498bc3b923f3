"""What one token mask costs each grammar engine on emolab's schemas, SmolLM2's vocabulary: the
E-c answer with a plain bounded explanation, the tuned model's quoting explanation (a bounded
string that admits \\"), and a score head's pinned answer with its opening. The same answer
text is fed token by token; each engine computes the mask before every token.

llguidance is what both local backends use (``emolab.backends.guidance``). XGrammar 0.2.8, the
transformers backend's engine until December 2026, is measured when it is installed
(``pip install xgrammar==0.2.8``), on the grammars emolab built for it then: its JSON-schema
compiler for the plain schema, and for the quoting one a JSON string whose characters are a
plain character or an escape, repeated up to the bound.

    python bench/grammar_masks.py
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
ANSWERS = {
    "ec-plain": '{"explanation": "The words finally won and the two exclamation marks point to '
                'joy", "most_prominent_emotion": "joy", "multiple_emotions_present": ["joy"]}',
    "ec-quoting": '{"explanation": "The words \\"finally won\\" and \\"!!\\" point to joy; the '
                  'cup is what they won.", "most_prominent_emotion": "joy", '
                  '"multiple_emotions_present": ["joy", "optimism"]}',
    "ei-reg-pinned": '{"explanation": "High anger (0.62): the text says \\"furious\\" and '
                     '\\"never again\\".", "intensity": 0.62}',
}


def main() -> None:
    from transformers import AutoTokenizer

    from emolab.classify.runner import EXPLANATION_CHARS
    from emolab.models import hf_folder, resolve_model
    from emolab.provenance import package_versions
    from emolab.readout import pinned_with_opening
    from emolab.schemas import quoting_explanation
    from emolab.tasks import get_task

    tokenizer = AutoTokenizer.from_pretrained(hf_folder(resolve_model("default")))
    ec, anger = get_task("semeval-ec"), get_task("ei-reg", "anger")
    plain = ec.schema(max_explanation_chars=EXPLANATION_CHARS)
    schemas = {
        "ec-plain": plain,
        "ec-quoting": quoting_explanation(plain, tail_chars=EXPLANATION_CHARS),
        "ei-reg-pinned": pinned_with_opening(anger, 0.62, anger.stated_opening(0.62),
                                             max_explanation_chars=EXPLANATION_CHARS),
    }
    engines = {"llguidance": _llguidance(tokenizer)}
    try:
        engines["xgrammar"] = _xgrammar(tokenizer)
    except ImportError:
        print("xgrammar is not installed: measuring llguidance only")
    results: dict = {}
    for name, schema in schemas.items():
        ids = tokenizer(ANSWERS[name], add_special_tokens=False)["input_ids"]
        results[name] = {"tokens": len(ids)}
        for engine, masks in engines.items():
            results[name][engine] = masks(schema, ids)
    summary = {"vocabulary": len(tokenizer), "results": results,
               "versions": package_versions("llguidance", "xgrammar"),
               "machine": {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "grammar_masks.json"
    out.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"{'schema':<15}{'tokens':>7}" + "".join(f"{e + ' ms/mask':>22}" for e in engines))
    for name, row in results.items():
        cells = "".join(f"{_cell(row[e]):>22}" for e in engines)
        print(f"{name:<15}{row['tokens']:>7}{cells}")
    print(f"wrote {out}")


def _cell(result: dict) -> str:
    if not result["accepted"]:
        return "rejected the answer"
    return f"{result['ms_per_mask']}"


def _llguidance(tokenizer):
    import llguidance
    import llguidance.hf
    import llguidance.torch

    from emolab.backends.guidance import grammar_of

    guide = llguidance.hf.from_tokenizer(tokenizer, n_vocab=len(tokenizer))

    def masks(schema, ids):
        matcher = llguidance.LLMatcher(guide, grammar_of(schema), log_level=0)
        mask = llguidance.torch.allocate_token_bitmask(1, guide.vocab_size)

        def step(token):
            llguidance.torch.fill_next_token_bitmask(matcher, mask, 0)
            return matcher.consume_token(token)
        return _timed(step, ids)
    return masks


def _xgrammar(tokenizer):
    import xgrammar as xgr

    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=len(tokenizer))
    compiler = xgr.GrammarCompiler(info)

    def masks(schema, ids):
        matcher = xgr.GrammarMatcher(_xgrammar_grammar(xgr, compiler, schema))
        mask = xgr.allocate_token_bitmask(1, info.vocab_size)

        def step(token):
            matcher.fill_next_token_bitmask(mask, 0)
            return matcher.accept_token(token)
        return _timed(step, ids)
    return masks


def _xgrammar_grammar(xgr, compiler, schema):
    """The grammar emolab's XGrammar path compiled: a marked explanation's string became a
    literal opening, then 1 (0 after an opening) to the bound of plain characters or escapes."""
    from emolab.schemas import OPENING, QUOTING

    explanation = schema["properties"]["explanation"]
    if not explanation.get(QUOTING):
        return compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    free = {k: v for k, v in explanation.items()
            if k not in (QUOTING, OPENING, "maxLength", "minLength")}
    rest = {**schema, "properties": {**schema["properties"], "explanation": free}}
    grammar = str(xgr.Grammar.from_json_schema(json.dumps(rest), any_whitespace=False))
    opening = explanation.get(OPENING, "")
    literal = json.dumps(opening, ensure_ascii=True)[1:-1]
    fewest, most = (0 if opening else 1), explanation["maxLength"] - len(opening)
    spliced = grammar.replace('"\\"explanation\\"" ": " basic_string',
                              f'"\\"explanation\\"" ": " "\\"{literal}" explanation_tail', 1)
    tail = (f'explanation_tail ::= (([^\\0-\\x1f\\"\\\\] | ("\\\\" basic_escape))'
            f'{{{fewest}, {most}}} "\\"")')
    return compiler.compile_grammar(spliced + "\n" + tail + "\n")


def _timed(step, ids) -> dict:
    start, done = time.perf_counter(), 0
    for token in ids:
        if not step(token):
            break
        done += 1
    seconds = time.perf_counter() - start
    return {"accepted": done == len(ids), "masks": done + (done < len(ids)),
            "ms_per_mask": round(seconds / max(1, done) * 1000, 3)}


if __name__ == "__main__":
    main()
