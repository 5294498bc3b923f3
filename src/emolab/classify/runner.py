"""``Classifier``: one text (or a list of ``Example`` rows) in, explained answers out.

It builds the prompt, asks the backend (with the answer schema when ``constrain`` is on),
parses every candidate leniently and writes prediction rows in the format ``emolab evaluate``
reads. A row per text; with ``n > 1`` all candidates are listed under ``candidates`` and the
top-level ``pred`` / ``raw`` / ``error`` / ``parsed`` are those of candidate 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emolab.backends.base import Backend, Generation, SamplingParams
from emolab.classify.parsing import ParseResult, parse_answer
from emolab.classify.prompts import DEFAULT_PROMPT_VERSION, clean_text, load_prompt
from emolab.classify.store import PredictionsFile
from emolab.data.records import Example, TaskKind
from emolab.errors import EmolabError
from emolab.labels import LabelSet
from emolab.schemas import DEFAULT_EXPLANATION_CHARS, DEFAULT_MAX_TOKENS, answer_schema

EMPTY_TEXT = "empty text: there is nothing to classify"
# Tighter than the schema module's 400: measured on SemEval dev with SmolLM2 + grammar, half of
# the explanations looped ("The team won the game! The team won...") until the 400-character
# cap; 200 characters still hold two sentences and halve the cost of such a loop.
EXPLANATION_CHARS = DEFAULT_EXPLANATION_CHARS
# Room for any answer the schema allows (schemas.answer_token_budget: 900 tokens), so no
# constrained answer is ever cut before it closes. Measured: with 320, a run of emoji in the
# explanation (four byte-tokens a character) used up the tokens and left invalid JSON.
DEFAULT_PARAMS = SamplingParams(max_tokens=DEFAULT_MAX_TOKENS)
# Room for the chat template's own tokens (role markers, BOS) around the message contents.
TEMPLATE_TOKEN_MARGIN = 32


@dataclass
class Candidate:
    index: int
    raw: str
    parsed: dict[str, Any] | None
    error: str | None
    schema_valid: bool
    finish_reason: str | None = None
    completion_tokens: int | None = None


@dataclass
class Result:
    """All candidates for one text, plus what it cost."""

    candidates: list[Candidate]
    text: str = ""  # the text the model saw: cleaned and cut to fit the context
    prompt_tokens: int | None = None
    seconds: float = 0.0
    truncated: bool = False  # the text was cut to fit the context window
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


class Classifier:
    def __init__(self, backend: Backend, label_set: LabelSet, *,
                 params: SamplingParams = DEFAULT_PARAMS, constrain: bool = True,
                 prompt_version: str = DEFAULT_PROMPT_VERSION,
                 max_explanation_chars: int = EXPLANATION_CHARS,
                 max_text_chars: int = 4000) -> None:
        self.backend, self.label_set, self.params = backend, label_set, params
        self.constrain = constrain
        self.prompt = load_prompt(prompt_version)
        self.max_explanation_chars = max_explanation_chars
        self.max_text_chars = max_text_chars
        self._overhead: int | None = None
        self.schema = (answer_schema(label_set, max_explanation_chars=max_explanation_chars)
                       if constrain else None)
        backend.require_schema(self.schema)  # fail before the first text, not on it

    @property
    def prompt_version(self) -> str:
        return self.prompt.version

    def messages(self, text: str) -> list[dict[str, str]]:
        return self.prompt.messages(text, self.label_set,
                                    max_explanation_chars=self.max_explanation_chars)

    def fit_text(self, text: str) -> tuple[str, bool]:
        """Cut ``text`` so that prompt + answer fit the model's context; say whether it was cut.

        Backends that can count tokens (``count_tokens`` and ``context_length``, as the
        llama.cpp one does) get an exact cut; others only the character cap.
        """
        cut = text[: self.max_text_chars]
        count = getattr(self.backend, "count_tokens", None)
        context = getattr(self.backend, "context_length", None)
        if count is None or context is None:
            return cut, len(cut) < len(text)
        if self._overhead is None:  # the prompt without the text: the same for every text
            self._overhead = (sum(count(m["content"]) for m in self.messages(""))
                              + TEMPLATE_TOKEN_MARGIN)
        overhead = self._overhead
        budget = context - overhead - self.params.max_tokens
        if budget < 1:
            raise EmolabError(f"the context window ({context} tokens) cannot hold the prompt "
                              f"({overhead}) and max_tokens ({self.params.max_tokens}); "
                              "lower --max-tokens or raise the context size")
        while count(cut) > budget:  # shrink in proportion; converges in a step or two
            cut = cut[: max(0, int(len(cut) * budget / count(cut)) - 1)]
        return cut, len(cut) < len(text)

    def classify(self, text: str) -> Result:
        cleaned = clean_text(text)
        if not cleaned:
            raise EmolabError(EMPTY_TEXT)
        fitted, truncated = self.fit_text(cleaned)
        start = time.perf_counter()
        generations = self.backend.generate(self.messages(fitted), schema=self.schema,
                                            params=self.params)
        seconds = time.perf_counter() - start
        return Result([self._candidate(i, g) for i, g in enumerate(generations)], text=fitted,
                      prompt_tokens=generations[0].prompt_tokens if generations else None,
                      seconds=seconds, truncated=truncated)

    def _candidate(self, index: int, generation: Generation) -> Candidate:
        result: ParseResult = parse_answer(generation.text, self.label_set,
                                           max_explanation_chars=self.max_explanation_chars)
        return Candidate(index, generation.text, result.parsed, result.error, result.schema_valid,
                         generation.finish_reason, generation.completion_tokens)

    # ---- runs over data sets -------------------------------------------------------------

    def run_info(self, dataset: str | None) -> dict[str, Any]:
        return {"dataset": dataset, "model": self.backend.model_id, "backend": self.backend.name,
                "prompt_version": self.prompt_version, "constrained": self.constrain}

    def row(self, example: Example, result: Result | None, *, task: TaskKind,
            dataset: str | None, error: str | None = None) -> dict[str, Any]:
        multi = task is TaskKind.MULTI_LABEL
        gold: Any = list(example.labels) if multi else (example.labels[0] if example.labels
                                                        else None)
        row: dict[str, Any] = {"id": example.id, "gold": gold, "pred": None, "raw": None,
                               "error": error, "parsed": None, "task": task.value,
                               **self.run_info(dataset), "sampling": asdict(self.params)}
        if result is None:
            return row
        best = result.best
        row.update(raw=best.raw, error=best.error, parsed=best.parsed,
                   pred=_pred(best, multi), schema_valid=best.schema_valid,
                   finish_reason=best.finish_reason, prompt_tokens=result.prompt_tokens,
                   completion_tokens=best.completion_tokens,
                   seconds=round(result.seconds, 3), truncated=result.truncated)
        if len(result.candidates) > 1:
            row["candidates"] = [{**asdict(c), "pred": _pred(c, multi)}
                                 for c in result.candidates]
        return row

    def run(self, examples: Iterable[Example], out: str | Path, *, task: TaskKind,
            dataset: str | None = None, workers: int = 1,
            on_row: Callable[[dict[str, Any]], None] | None = None) -> int:
        """Classify every example whose id is not in ``out`` yet; return how many were written.

        Rows are appended as they finish (in completion order when ``workers > 1``), so a run
        that is killed and started again loses nothing and classifies nothing twice.
        """
        with PredictionsFile(out) as store:
            store.check_compatible(self.run_info(dataset))
            todo, queued = [], set(store.done)
            for example in examples:
                if example.id not in queued:  # also skips ids repeated inside the data
                    queued.add(example.id)
                    todo.append(example)

            def one(example: Example) -> dict[str, Any]:
                if not clean_text(example.text):
                    return self.row(example, None, task=task, dataset=dataset, error=EMPTY_TEXT)
                return self.row(example, self.classify(example.text), task=task, dataset=dataset)

            def write(row: dict[str, Any]) -> None:
                store.append(row)
                if on_row is not None:
                    on_row(row)

            if workers <= 1:
                for example in todo:
                    write(one(example))
            else:  # remote backends: requests overlap, the file is written from this thread only
                pool = ThreadPoolExecutor(max_workers=workers)
                try:
                    for future in as_completed([pool.submit(one, e) for e in todo]):
                        write(future.result())
                finally:  # on an error, finished rows are kept and queued requests dropped
                    pool.shutdown(wait=True, cancel_futures=True)
            return len(todo)


def _pred(candidate: Candidate, multi: bool) -> Any:
    if candidate.error is not None or candidate.parsed is None:
        return None
    if multi:
        return list(candidate.parsed["multiple_emotions_present"])
    return candidate.parsed["most_prominent_emotion"]
