"""JSON-schema decoding for llama.cpp with XGrammar's token masks instead of llama.cpp's grammar.

llama.cpp checks its grammar against every one of SmolLM2's ~49k tokens at every step; on a
135M model that costs several times the forward pass (about 37 ms a token here, measured in
bench/classify_throughput.py). XGrammar precomputes most of each mask when the schema is
compiled, so a whole mask costs well under a millisecond, and greedy decoding usually needs
none: if the model's top token is allowed, it is the top allowed token.

The vocabulary handed to XGrammar is read from the GGUF through llama.cpp itself (the bytes
of every token), so no Hugging Face tokenizer or conversion is needed.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from emolab.backends.explanation_grammar import compile_schema
from emolab.errors import EmolabError

# Top-p sampling sorts only the likeliest tokens when they already hold the requested mass;
# a full sort of ~49k logits per token would cost more than the mask.
_TOP_P_CANDIDATES = 256


class SchemaConstraint:
    """A compiled schema for one llama.cpp model; passed where llama.cpp expects a grammar."""

    def __init__(self, compiled: Any, n_vocab: int, stop_tokens: list[int]) -> None:
        self.compiled = compiled
        self.n_vocab = n_vocab
        self.stop_tokens = stop_tokens


class XGrammarCompiler:
    """Builds ``SchemaConstraint``s for one llama.cpp model; compiles each schema once."""

    def __init__(self, llm: Any) -> None:
        import xgrammar as xgr  # heavy (imports torch): only when a schema is first used

        n_vocab = llm.n_vocab()
        # Control tokens detokenize to b"" and XGrammar treats empty tokens as special.
        vocab = [llm.detokenize([token]) for token in range(n_vocab)]
        self.stop_tokens = sorted({t for t in (llm.token_eos(), _end_of_turn(llm)) if t >= 0})
        info = xgr.TokenizerInfo(vocab, xgr.VocabType.RAW, vocab_size=n_vocab,
                                 stop_token_ids=self.stop_tokens)
        self._compiler = xgr.GrammarCompiler(info)
        self._n_vocab = n_vocab
        self._compiled: dict[str, SchemaConstraint] = {}

    def constraint(self, schema: dict[str, Any]) -> SchemaConstraint:
        key = json.dumps(schema)
        if key not in self._compiled:
            self._compiled[key] = SchemaConstraint(compile_schema(self._compiler, schema),
                                                   self._n_vocab, self.stop_tokens)
        return self._compiled[key]


def _end_of_turn(llm: Any) -> int:
    import llama_cpp as lc

    return int(lc.llama_vocab_eot(llm._model.vocab))


class XGrammarSampler:
    """Stands in for llama-cpp-python's sampler chain for one request under a schema.

    Order of operations, the same on every emolab backend: the schema's mask, then the
    temperature, then top-p over what is left, then a draw (a seeded NumPy generator).
    Greedy decoding checks the unmasked top token first and masks only when it is refused,
    which gives exactly the masked argmax.
    """

    def __init__(self, constraint: SchemaConstraint, *, temperature: float, top_p: float,
                 seed: int | None) -> None:
        import llama_cpp as lc
        import xgrammar as xgr

        self._lc = lc
        self._n_vocab = constraint.n_vocab
        self._matcher = xgr.GrammarMatcher(constraint.compiled)
        self._stop = constraint.stop_tokens
        self._bitmask = np.zeros((1, (self._n_vocab + 31) // 32), dtype=np.int32)
        self._temperature, self._top_p = temperature, top_p
        self._rng = np.random.default_rng(seed)
        self.steps = self.full_masks = 0  # how often greedy decoding needed the whole mask

    def sample(self, ctx: Any, idx: int = -1) -> int:
        if self._matcher.is_terminated():  # the JSON is closed and its end token emitted
            return self._stop[0]
        logits = np.ctypeslib.as_array(self._lc.llama_get_logits_ith(ctx.ctx, idx),
                                       shape=(self._n_vocab,))
        self.steps += 1
        if self._temperature == 0:
            token = int(logits.argmax())
            if self._matcher.accept_token(token):  # a refused token leaves the state as it was
                return token
            self.full_masks += 1
        allowed = self._allowed()
        if self._temperature == 0:
            token = int(np.where(allowed, logits, -np.inf).argmax())
        else:
            token = self._draw(logits, allowed)
        if not self._matcher.accept_token(token):
            raise EmolabError(f"internal: token {token} was in the schema's mask but refused")
        return token

    def _allowed(self) -> np.ndarray:
        self._matcher.fill_next_token_bitmask(self._bitmask)
        bits = np.unpackbits(self._bitmask.view(np.uint8), bitorder="little")
        allowed = bits[: self._n_vocab].astype(bool)
        if not allowed.any():
            raise EmolabError("internal: the schema allows no token at this point")
        return allowed

    def _draw(self, logits: np.ndarray, allowed: np.ndarray) -> int:
        ids = np.flatnonzero(allowed)
        scaled = logits[ids].astype(np.float64) / self._temperature
        probs = np.exp(scaled - scaled.max())
        probs /= probs.sum()
        if self._top_p < 1.0:
            ids, probs = _nucleus(ids, probs, self._top_p)
        return int(self._rng.choice(ids, p=probs))


def _nucleus(ids: np.ndarray, probs: np.ndarray, top_p: float) -> tuple[np.ndarray, np.ndarray]:
    """The smallest set of likeliest tokens whose mass reaches ``top_p``, renormalised."""
    if len(ids) > _TOP_P_CANDIDATES:
        head = np.argpartition(probs, -_TOP_P_CANDIDATES)[-_TOP_P_CANDIDATES:]
        if probs[head].sum() < top_p:  # a flat distribution: sort everything after all
            head = np.arange(len(ids))
    else:
        head = np.arange(len(ids))
    order = head[np.argsort(-probs[head], kind="stable")]
    kept = order[: int(np.searchsorted(np.cumsum(probs[order]), top_p)) + 1]
    return ids[kept], probs[kept] / probs[kept].sum()
