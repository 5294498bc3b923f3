"""emolab's answer schemas as llguidance grammars, for both local backends: llama.cpp's server
takes them through its llguidance integration (``llamacpp``), and transformers through
``GuidedRows``, a logits processor over llguidance matchers (``transformers``). One conversion
for both, so a tuned model's answer is bounded the same way whichever runs it.

llguidance was chosen for transformers after XGrammar 0.2.8 was measured on the quoting
explanation (a bounded string that admits escapes): 170 ms to compute one token mask against
llguidance's 0.05 ms, on SmolLM2's vocabulary (bench/grammar_masks.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from emolab.errors import EmolabError
from emolab.schemas import OPENING, QUOTING

SCORE_DECIMALS = 3  # the most any gold score has (SemEval's EI-reg and V-reg)


def guidance_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without emolab's keywords: a quoting explanation keeps its lengths (llguidance
    counts an escape as one character), and a pinned opening becomes a ``pattern``: the
    opening, then 1 to ``maxLength - len(opening)`` characters of any kind."""
    # Compact JSON with one space after ':' and ',' as the other engines write it, so that a
    # model never spends tokens on (or is steered by) newlines and indentation.
    cleaned = {**_without_keywords(schema), "x-guidance": {
        "whitespace_flexible": False, "key_separator": ": ", "item_separator": ", "}}
    explanation = (schema.get("properties") or {}).get("explanation")
    opening = explanation.get(OPENING) if isinstance(explanation, dict) else None
    if opening:
        pinned = dict(cleaned["properties"]["explanation"])
        tail = pinned.pop("maxLength") - len(opening)
        pinned.pop("minLength", None)
        pinned["pattern"] = f"^{_regex_literal(opening)}[\\s\\S]{{1,{tail}}}$"
        cleaned["properties"] = {**cleaned["properties"], "explanation": pinned}
    return cleaned


def _without_keywords(node: Any) -> Any:
    """Drop emolab's keywords; give a bounded number at most ``SCORE_DECIMALS`` decimals (a
    small model otherwise writes 1.3333... until the token limit cuts its JSON)."""
    if isinstance(node, list):
        return [_without_keywords(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {k: _without_keywords(v) for k, v in node.items() if k not in (QUOTING, OPENING)}
    if node.get("type") == "number" and "minimum" in node and "maximum" in node:
        if node["minimum"] == node["maximum"]:  # a pinned answer: exactly that number
            # (multipleOf 0.001 would exclude 0.41, which is 409.99999... thousandths in
            # binary, and llama.cpp decodes without a grammar it cannot satisfy)
            value = node.pop("minimum")
            del node["maximum"]
            node["const"] = value
        elif "multipleOf" not in node:
            node["multipleOf"] = 10 ** -SCORE_DECIMALS
    return node


def _regex_literal(text: str) -> str:
    """``text`` as a regex that matches itself (llguidance refuses Python's escaped spaces)."""
    return re.sub(r"([.^$*+?()\[\]{}|\\/])", r"\\\1", text)


def grammar_of(schema: dict[str, Any]) -> str:
    """The llguidance grammar (its JSON form) of one of emolab's schemas."""
    import llguidance

    return llguidance.LLMatcher.grammar_from_json_schema(json.dumps(guidance_schema(schema)))


class GuidedRows:
    """A transformers logits processor: row ``i`` of a batch decodes under ``grammars[i]``.

    Each step, the token each row took is consumed by its matcher, the masks of the rows still
    decoding are computed together (llguidance's executor runs them on several threads), and
    the tokens a grammar forbids get -inf. A row whose grammar has ended (its stop token was
    consumed, or nothing but a stop token can follow) may only stop; generate pads it after.
    One processor per ``generate`` call: it keeps each row's matcher state.
    """

    def __init__(self, tokenizer: Any, executor: Any, grammars: list[str],
                 stop_ids: list[int]) -> None:
        import llguidance
        import llguidance.torch
        import torch

        self._matchers = [llguidance.LLMatcher(tokenizer, g, log_level=0) for g in grammars]
        for matcher in self._matchers:
            _raise_if_broken(matcher)
        self._mask = llguidance.torch.allocate_token_bitmask(len(grammars), tokenizer.vocab_size)
        self._stop_mask = torch.zeros_like(self._mask[0])
        for token in stop_ids:
            self._stop_mask[token // 32] |= 1 << (token % 32)
        self._executor = executor
        self._started = False

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch
        from llguidance.torch import fill_next_token_bitmask_par

        if self._started:  # the previous step's tokens: one per row
            for matcher, token in zip(self._matchers, input_ids[:, -1].tolist(), strict=True):
                if not matcher.is_stopped():
                    matcher.consume_token(token)
                    _raise_if_broken(matcher)
        self._started = True
        live = [(m, i) for i, m in enumerate(self._matchers) if not m.is_stopped()]
        if live:
            fill_next_token_bitmask_par(self._executor, live, self._mask)
        for i, matcher in enumerate(self._matchers):
            if matcher.is_stopped():  # the answer is complete: only a stop token may follow
                self._mask[i] = self._stop_mask
        return scores.masked_fill(~_allowed(torch, self._mask, scores.shape[1]).to(scores.device),
                                  float("-inf"))


def _allowed(torch: Any, mask: Any, width: int) -> Any:
    """The bit mask (32 tokens an int32) as a (rows, width) boolean tensor."""
    bits = torch.arange(32, dtype=torch.int32)
    return ((mask.unsqueeze(-1) >> bits) & 1).bool().flatten(1)[:, :width]


def _raise_if_broken(matcher: Any) -> None:
    if matcher.is_error():
        raise EmolabError(f"llguidance cannot decode under this schema: {matcher.get_error()}")
