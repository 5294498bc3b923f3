"""``Classifier``: one text (or a list of ``Example`` rows) in, explained answers out, for any
task of ``emolab.tasks`` (label sets, scores, ordinal classes).

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
from emolab.classify.prompts import DEFAULT_PROMPT_VERSION, as_task, clean_text, load_prompt
from emolab.classify.store import PredictionsFile
from emolab.data.records import Example, TaskKind
from emolab.errors import EmolabError
from emolab.labels import LabelSet
from emolab.readout import pinned_with_opening
from emolab.schemas import DEFAULT_EXPLANATION_CHARS, DEFAULT_MAX_TOKENS, quoting_explanation
from emolab.tasks import LabelTask, ParseResult, Task

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
    """Asks a backend one task about a text. ``task`` may be a label set (its multi-label task).

    A run over a data set whose examples ask about different dimensions (EI-reg: anger, fear,
    joy, sadness) passes ``task_of`` to ``run``; schemas and prompt sizes are kept per task.
    """

    def __init__(self, backend: Backend, task: Task | LabelSet, *,
                 params: SamplingParams = DEFAULT_PARAMS, constrain: bool = True,
                 prompt_version: str = DEFAULT_PROMPT_VERSION,
                 max_explanation_chars: int = EXPLANATION_CHARS,
                 max_text_chars: int = 4000, bounded_explanation: bool | None = None) -> None:
        """``bounded_explanation``: decode the explanation with the schema's plain maxLength
        string (None: as the prompt version says; the tuned model's compact prompt asks for
        a bounded string that may quote with \\", see ``schema_of``)."""
        self.backend, self.task, self.params = backend, as_task(task), params
        self.constrain = constrain
        self.prompt = load_prompt(prompt_version)
        self.bounded_explanation = (self.prompt.bounded_explanation
                                    if bounded_explanation is None else bounded_explanation)
        self.max_explanation_chars = max_explanation_chars
        self.max_text_chars = max_text_chars
        self._overhead: dict[Task, int] = {}
        self._schemas: dict[Task, dict[str, Any] | None] = {}
        backend.require_schema(self.schema)  # fail before the first text, not on it
        self.messages("")  # a prompt version without this task's section fails here too
        self._unapplied = None  # the backend's unapplied score heads, read on first need
        self.refuse_unapplied_heads(self.task)

    @property
    def prompt_version(self) -> str:
        return self.prompt.version

    @property
    def label_set(self) -> LabelSet:
        """The label set of a label-set task (pairs and rationalization need it)."""
        if not isinstance(self.task, LabelTask):
            raise EmolabError(f"task {self.task.id!r} has no label set")
        return self.task.label_set

    @property
    def schema(self) -> dict[str, Any] | None:
        return self.schema_of(self.task)

    def schema_of(self, task: Task) -> dict[str, Any] | None:
        if task not in self._schemas:
            schema = (task.schema(max_explanation_chars=self.max_explanation_chars)
                      if self.constrain else None)
            if schema is not None and not self.bounded_explanation:
                schema = quoting_explanation(schema, tail_chars=self.max_explanation_chars)
            self._schemas[task] = schema
        return self._schemas[task]

    def messages(self, text: str, task: Task | None = None) -> list[dict[str, str]]:
        return self.prompt.messages(text, task or self.task,
                                    max_explanation_chars=self.max_explanation_chars)

    def fit_text(self, text: str, task: Task | None = None) -> tuple[str, bool]:
        """Cut ``text`` so that prompt + answer fit the model's context; say whether it was cut.

        Backends that can count tokens (``count_tokens`` and ``context_length``, as the
        llama.cpp one does) get an exact cut; others only the character cap.
        """
        task = task or self.task
        cut = text[: self.max_text_chars]
        count = getattr(self.backend, "count_tokens", None)
        context = getattr(self.backend, "context_length", None)
        if count is None or context is None:
            return cut, len(cut) < len(text)
        if task not in self._overhead:  # the prompt without the text: the same for every text
            self._overhead[task] = (sum(count(m["content"]) for m in self.messages("", task))
                                    + TEMPLATE_TOKEN_MARGIN)
        overhead = self._overhead[task]
        budget = context - overhead - self.params.max_tokens
        if budget < 1:
            raise EmolabError(f"the context window ({context} tokens) cannot hold the prompt "
                              f"({overhead}) and max_tokens ({self.params.max_tokens}); "
                              "lower --max-tokens or raise the context size")
        while count(cut) > budget:  # shrink in proportion; converges in a step or two
            cut = cut[: max(0, int(len(cut) * budget / count(cut)) - 1)]
        return cut, len(cut) < len(text)

    def refuse_unapplied_heads(self, task: Task) -> None:
        """Refuse ``task`` when score heads that the backend cannot apply would answer it:
        the model's own written number is far weaker (EI-reg r 0.10 against 0.55)."""
        path = getattr(self.backend, "unapplied_readout", None)
        if path is None:
            return
        if self._unapplied is None:
            from emolab.readout import Readout

            self._unapplied = Readout.load(path)
        if self._unapplied.covers(task):
            raise EmolabError(
                f"{self.backend.model_id}'s score heads answer {task.id}, but the "
                f"{self.backend.name} backend cannot apply them (they read llama.cpp's "
                "features of the model); use --backend llamacpp (the default), or --model base "
                "for the untuned model")

    def classify(self, text: str, task: Task | None = None) -> Result:
        return self.classify_many([text], [task or self.task])[0]

    def classify_many(self, texts: list[str], tasks: list[Task]) -> list[Result]:
        """Answer ``texts[i]`` about ``tasks[i]``, all in one ``generate_many`` call (a batch
        on a backend that decodes several at once). Score heads read all their texts in one
        ``embed`` call. A row's ``seconds`` is its share of the call."""
        if not texts:
            return []
        prepared = []
        for text, task in zip(texts, tasks, strict=True):
            self.refuse_unapplied_heads(task)
            cleaned = clean_text(text)
            if not cleaned:
                raise EmolabError(EMPTY_TEXT)
            prepared.append((*self.fit_text(cleaned, task), task))
        start = time.perf_counter()
        schemas, extras = [self.schema_of(task) for *_, task in prepared], [{}] * len(prepared)
        read = [i for i, (*_, task) in enumerate(prepared) if self.reads_out(task)]
        if read:
            # The model's score head answers; the model explains that answer (emolab.readout).
            features = self.backend.embed([prepared[i][0] for i in read])
            for i, vector in zip(read, features, strict=True):
                task = prepared[i][2]
                value = self.backend.readout.value(task, vector)
                schemas[i] = pinned_with_opening(task, value, task.stated_opening(value),
                                                 max_explanation_chars=self.max_explanation_chars)
                extras[i] = {"head_answer": value}
        answers = self.backend.generate_many(
            [self.messages(fitted, task) for fitted, _, task in prepared],
            schema=schemas, params=self.params)
        seconds = (time.perf_counter() - start) / len(prepared)
        return [Result([self._candidate(i, g, task) for i, g in enumerate(generations)],
                       text=fitted,
                       prompt_tokens=generations[0].prompt_tokens if generations else None,
                       seconds=seconds, truncated=truncated, extra=extra)
                for (fitted, truncated, task), generations, extra
                in zip(prepared, answers, extras, strict=True)]

    @property
    def uses_heads(self) -> bool:
        """The backend's model has score heads, the schema is enforced (a pinned answer needs
        it) and the explanation may quote (the opening needs ``quoting_explanation``)."""
        return (self.constrain and not self.bounded_explanation
                and getattr(self.backend, "readout", None) is not None)

    def reads_out(self, task: Task) -> bool:
        """A score head answers ``task``."""
        return self.uses_heads and self.backend.readout.covers(task)

    def _candidate(self, index: int, generation: Generation, task: Task) -> Candidate:
        result: ParseResult = task.parse(generation.text,
                                         max_explanation_chars=self.max_explanation_chars)
        return Candidate(index, generation.text, result.parsed, result.error, result.schema_valid,
                         generation.finish_reason, generation.completion_tokens)

    # ---- runs over data sets -------------------------------------------------------------

    def run_info(self, dataset: str | None) -> dict[str, Any]:
        # readout: score heads answer what they cover; such rows are not mixed with others
        return {"dataset": dataset, "model": self.backend.model_id, "backend": self.backend.name,
                "prompt_version": self.prompt_version, "constrained": self.constrain,
                "readout": self.uses_heads}

    def row(self, example: Example, result: Result | None, *, dataset: str | None,
            task: Task | TaskKind | None = None, error: str | None = None) -> dict[str, Any]:
        """One predictions-file row. ``task``: the task asked (a bare ``TaskKind`` is accepted
        for the label-set task of this classifier, as before tasks existed)."""
        asked = task if isinstance(task, Task) else self.task
        kind = task if isinstance(task, TaskKind) else asked.kind
        gold = asked.gold(example)
        if kind is TaskKind.SINGLE_LABEL and isinstance(gold, list):
            gold = gold[0] if gold else None
        row: dict[str, Any] = {"id": example.id, "gold": gold, "pred": None, "raw": None,
                               "error": error, "parsed": None, "task": kind.value}
        if asked.dimension is not None:
            row["dimension"] = asked.dimension
        if "language" in example.meta:  # rows of several languages are scored apart
            row["language"] = example.meta["language"]
        row.update(**self.run_info(dataset), sampling=asdict(self.params))
        if result is None:
            return row
        best = result.best
        row.update(raw=best.raw, error=best.error, parsed=best.parsed,
                   pred=_pred(best, asked, kind), schema_valid=best.schema_valid,
                   finish_reason=best.finish_reason, prompt_tokens=result.prompt_tokens,
                   completion_tokens=best.completion_tokens,
                   seconds=round(result.seconds, 3), truncated=result.truncated,
                   **result.extra)
        if len(result.candidates) > 1:
            row["candidates"] = [{**asdict(c), "pred": _pred(c, asked, kind)}
                                 for c in result.candidates]
        return row

    def run(self, examples: Iterable[Example], out: str | Path, *, dataset: str | None = None,
            task: TaskKind | None = None, task_of: Callable[[Example], Task] | None = None,
            workers: int = 1, on_row: Callable[[dict[str, Any]], None] | None = None) -> int:
        """Classify every example whose id is not in ``out`` yet; return how many were written.

        ``task_of`` picks the task of each example (default: this classifier's task; a bare
        ``task`` kind keeps the label-set behaviour of old callers). Rows are appended as they
        finish (in completion order when ``workers > 1``), so a run that is killed and started
        again loses nothing and classifies nothing twice.
        """
        def asked(example: Example) -> Task | TaskKind | None:
            return task_of(example) if task_of is not None else task

        with PredictionsFile(out) as store:
            store.check_compatible(self.run_info(dataset))
            todo, queued = [], set(store.done)
            for example in examples:
                if example.id not in queued:  # also skips ids repeated inside the data
                    queued.add(example.id)
                    todo.append(example)

            def rows(chunk: list[Example]) -> list[dict[str, Any]]:
                """The rows of ``chunk``, its non-empty texts answered in one batch."""
                which = [asked(e) for e in chunk]  # a Task, or a bare kind of old callers
                tasks = [w if isinstance(w, Task) else self.task for w in which]
                answerable = [i for i, e in enumerate(chunk) if clean_text(e.text)]
                results = self.classify_many([chunk[i].text for i in answerable],
                                             [tasks[i] for i in answerable])
                found = dict(zip(answerable, results, strict=True))
                return [self.row(e, found.get(i), task=which[i], dataset=dataset,
                                 error=None if i in found else EMPTY_TEXT)
                        for i, e in enumerate(chunk)]

            def write(row: dict[str, Any]) -> None:
                store.append(row)
                if on_row is not None:
                    on_row(row)

            if workers <= 1:  # a batch at a time: its rows are kept before the next starts
                size = max(1, self.backend.batch_size)
                for start in range(0, len(todo), size):
                    for row in rows(todo[start:start + size]):
                        write(row)
            else:  # remote backends: requests overlap, the file is written from this thread only
                pool = ThreadPoolExecutor(max_workers=workers)
                try:
                    for future in as_completed([pool.submit(rows, [e]) for e in todo]):
                        write(future.result()[0])
                finally:  # on an error, finished rows are kept and queued requests dropped
                    pool.shutdown(wait=True, cancel_futures=True)
            return len(todo)


def _pred(candidate: Candidate, task: Task, kind: TaskKind) -> Any:
    if candidate.error is not None or candidate.parsed is None:
        return None
    if isinstance(task, LabelTask) and kind is not task.kind:  # an old caller's explicit kind
        return LabelTask(task.label_set, kind).pred(candidate.parsed)
    return task.pred(candidate.parsed)
