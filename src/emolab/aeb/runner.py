"""Run AEB with one model: a predictions file per task in a run folder, resumable.

``prompts="emolab"`` asks every task with emolab's self-explaining prompt and its JSON schema
(enforced while decoding where the backend can); ``prompts="emollms"`` sends EmoLLMs' own
instruction and reads the free-text answer (``emolab.aeb.freetext``), for models tuned on
AAID. Either way the files are ordinary predictions files that ``emolab evaluate`` reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from emolab.aeb.benchmark import AebTask, stratified
from emolab.aeb.freetext import FreeTextTask
from emolab.backends.base import Backend, SamplingParams
from emolab.classify import Classifier
from emolab.data import Example
from emolab.errors import EmolabError
from emolab.run_folder import RunFolder
from emolab.schemas import DEFAULT_MAX_TOKENS
from emolab.tasks import Task, get_family, task_of_example

PROMPT_MODES = ("emolab", "emollms")
# EmoLLMs' answers are a number, a class or a few labels: 64 tokens hold any of them.
FREE_TEXT_MAX_TOKENS = 64


def predictions_path(run: Path, task: AebTask) -> Path:
    return run / f"{task.name}.jsonl"


@dataclass
class AebRun:
    backend: Backend
    prompts: str = "emolab"
    # Room for any answer the schema allows (an emoji run spends 4 tokens a character).
    params: SamplingParams = field(default_factory=lambda: SamplingParams(
        max_tokens=DEFAULT_MAX_TOKENS))
    prompt_version: str = "v1"
    constrain: bool = True
    limit_per_task: int | None = None
    data_dir: str | None = None

    def __post_init__(self) -> None:
        if self.prompts not in PROMPT_MODES:
            raise EmolabError(f"--prompts must be one of {', '.join(PROMPT_MODES)}, not "
                              f"{self.prompts!r}")

    def examples(self, task: AebTask) -> list[Example]:
        rows = stratified(task.examples(self.data_dir), self.limit_per_task)
        if self.prompts == "emollms":  # the instruction is the text the model sees
            missing = [row.id for row in rows if "instruction" not in row.meta]
            if missing:
                raise EmolabError(f"{task.name}: rows without an EmoLLMs instruction "
                                  f"({missing[0]}, ...)")
            rows = [replace(row, text=row.meta["instruction"]) for row in rows]
        return rows

    def classifier(self, task: AebTask, first: Example | None) -> tuple[Classifier, Callable]:
        family = get_family(task.answer_task)

        def asked(example: Example) -> Task:
            inner = task_of_example(family, example)
            return FreeTextTask(inner) if self.prompts == "emollms" else inner

        start = asked(first) if first is not None else family.task(
            family.dimensions[0] if family.dimensions else None)
        if self.prompts == "emollms":
            params = replace(self.params, max_tokens=min(self.params.max_tokens,
                                                         FREE_TEXT_MAX_TOKENS))
            return Classifier(self.backend, start, params=params, constrain=False,
                              prompt_version="emollms"), asked
        return Classifier(self.backend, start, params=self.params, constrain=self.constrain,
                          prompt_version=self.prompt_version), asked

    def run_task(self, task: AebTask, run: Path,
                 on_row: Callable[[dict[str, Any]], None] | None = None,
                 rows: list[Example] | None = None) -> int:
        rows = self.examples(task) if rows is None else rows
        classifier, asked = self.classifier(task, rows[0] if rows else None)
        return classifier.run(rows, predictions_path(run, task), dataset=task.dataset,
                              task_of=asked, on_row=on_row)

    def settings(self, tasks: list[AebTask]) -> dict[str, Any]:
        return {"model": self.backend.model_id, "backend": self.backend.name,
                "prompts": self.prompts, "prompt_version": self.prompt_version
                if self.prompts == "emolab" else "emollms",
                "constrained": self.constrain and self.prompts == "emolab",
                "sampling": asdict(self.params), "limit_per_task": self.limit_per_task,
                "tasks": [t.name for t in tasks]}


def model_for(model: str | None, backend: str, prompts: str, prompt_version: str | None,
              tasks: list[AebTask]) -> tuple[str | None, str]:
    """(model, prompt version) of a run: with emolab's prompts the model policy decides (the
    tuned model when it knows every chosen task); EmoLLMs' prompts are the paper's own text."""
    if prompts == "emolab":
        from emolab.models.policy import choose_model

        chosen = choose_model(model, backend, [get_family(t.answer_task).name for t in tasks],
                              prompt_version)
        return chosen.model, chosen.prompt_version
    if prompt_version is not None:
        raise EmolabError("--prompt-version goes with --prompts emolab (the emollms prompts "
                          "are the paper's own text)")
    return model, "v1"


RowHook = Callable[[dict[str, Any]], None]


def run_tasks(job: AebRun, tasks: list[AebTask], run: Path, *,
              on_task: Callable[[AebTask, int, int], RowHook | None] | None = None
              ) -> dict[str, int]:
    """Answer every task into ``run`` (resuming), the settings checked first and every row
    read before any model call (bad data fails at once). ``on_task(task, rows, done)`` may
    return a hook called with each new row. A session that stops early still records what it
    wrote. Returns the rows written per task."""
    from emolab.classify.store import PredictionsFile

    settings = job.settings(tasks)
    check_run_folder(run, settings)
    plan = {task.name: job.examples(task) for task in tasks}
    written: dict[str, int] = {}
    started = time.perf_counter()
    try:
        for task in tasks:
            with PredictionsFile(predictions_path(run, task)) as existing:
                done = sum(1 for e in plan[task.name] if e.id in existing.done)
            on_row = on_task(task, len(plan[task.name]), done) if on_task else None
            written[task.name] = job.run_task(task, run, on_row=on_row, rows=plan[task.name])
    finally:
        record_session(run, settings, written, time.perf_counter() - started)
    return written


def aeb_folder(run: Path) -> RunFolder:
    """A run folder holds one model and one way of prompting; the tasks may grow."""
    return RunFolder(run, harmless=frozenset({"tasks"}), holds="an AEB run",
                     settings_key="settings")


def check_run_folder(run: Path, settings: dict[str, Any]) -> None:
    """Refuse to mix another model or another way of prompting into a run folder."""
    aeb_folder(run).refuse_other_settings(settings)


def record_session(run: Path, settings: dict[str, Any], written: dict[str, int],
                   seconds: float) -> Path:
    folder = aeb_folder(run)
    tasks = sorted(set((folder.saved_settings() or {}).get("tasks", [])) | set(settings["tasks"]))
    from emolab import __version__

    return folder.record_session({"rows_written": written, "seconds": round(seconds, 2)},
                                 settings={**settings, "tasks": tasks}, emolab_version=__version__)


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    return function(), time.perf_counter() - start
