"""A classify job: one text, or a data set split written into a predictions file or a run
folder. Everything ``emolab classify`` does but parse its flags and render: the settled
settings (which model, task and prompt), the rerun check, the rows of this session, the
session record. ``emolab.cli.classify`` calls these and shows what they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from emolab.classify.config import HARMLESS, ClassifyConfig, conflicts
from emolab.classify.manifest import VERSIONED, data_checksum, record_session
from emolab.data.records import Example
from emolab.errors import EmolabError
from emolab.run_folder import CONFIG, RunFolder

PREDICTIONS = "predictions.jsonl"


def run_folder_path(run: str | None, run_dir: Path | None, runs_dir: Path | None,
                    out: Path | None) -> Path | None:
    """The run folder of ``--run NAME`` / ``--run-dir DIR`` (None with ``--out FILE``)."""
    if run is not None and run_dir is not None:
        raise EmolabError("give --run NAME or --run-dir DIR, not both")
    if runs_dir is not None and run is None:
        raise EmolabError("--runs-dir goes with --run NAME")
    if out is not None and (run is not None or run_dir is not None):
        raise EmolabError("give --out FILE or a run folder (--run / --run-dir), not both")
    if run is not None:
        if not run.strip() or run in (".", "..") or "/" in run or "\\" in run:
            raise EmolabError(f"--run takes a plain name, not {run!r} (use --run-dir for a path)")
        return (runs_dir or Path("runs")) / run
    return run_dir


def classify_folder(path: Path) -> RunFolder:
    return RunFolder(path, harmless=HARMLESS, packages=VERSIONED, holds="predictions",
                     settings_file=CONFIG)


def settled_for_text(cfg: ClassifyConfig, info: Any | None) -> tuple[ClassifyConfig, Any]:
    """(cfg with the model and prompt filled in, the task asked) for one text; ``info``: the
    data set whose label set it takes, if one was named."""
    from emolab.models.policy import choose_model
    from emolab.tasks import get_task

    default = info.answer_task if info is not None else "semeval-ec"
    asked = get_task(cfg.task or cfg.labels or default, cfg.dimension)
    chosen = choose_model(cfg.model, cfg.backend, [asked.name], cfg.prompt_version)
    return replace(cfg, model=chosen.model, prompt_version=chosen.prompt_version), asked


def settled_for_dataset(cfg: ClassifyConfig, info: Any) -> tuple[ClassifyConfig, Any]:
    """(cfg with the model, prompt and labels / task filled in, the task family): what
    ``config.yaml`` keeps and reruns compare."""
    from emolab.models.policy import choose_model
    from emolab.tasks import get_family

    family = get_family(info.answer_task)
    if cfg.dimension is not None:
        family.task(cfg.dimension)  # an unknown dimension fails before anything is read
    chosen = choose_model(cfg.model, cfg.backend, [family.name], cfg.prompt_version)
    return replace(cfg, labels=info.label_set.name if info.label_set else None,
                   task=None if info.label_set else family.name, model=chosen.model,
                   prompt_version=chosen.prompt_version), family


@dataclass
class DatasetJob:
    """What a data set run reads and writes, settled before the model is loaded."""

    examples: list[Example]  # the rows of this session (after --limit)
    split_examples: list[Example]  # the whole split, for its checksum
    out: Path  # the predictions file
    folder: RunFolder | None = None  # the run folder (None with --out FILE)

    def already_done(self) -> int:
        from emolab.classify.store import PredictionsFile

        with PredictionsFile(self.out) as existing:
            return sum(1 for e in self.examples if e.id in existing.done)


def prepare_dataset(cfg: ClassifyConfig, info: Any, folder: Path | None,
                    out: Path | None) -> DatasetJob:
    """Check a rerun and read the rows; data before the model, so a missing data folder or a
    refused rerun fails at once. A run folder keeps ``config.yaml`` before the first row."""
    from emolab.classify.store import PredictionsFile
    from emolab.data import load

    run = classify_folder(folder) if folder is not None else None
    started = False
    if run is not None:
        with PredictionsFile(run.path / PREDICTIONS) as existing:
            started = bool(existing.done)
    if run is not None and started:  # a folder without predictions may take any settings
        saved = run.saved_settings()
        changed = conflicts(saved, cfg) if saved is not None else []
        if changed:
            raise EmolabError(
                f"{run.path} holds predictions made with other settings ({'; '.join(changed)}); "
                f"use another --run name, or continue that run with --config "
                f"{run.settings_path} (only {', '.join(sorted(HARMLESS))} may change)")
    split_examples = load(info.name, cfg.split, data_dir=cfg.data_dir)
    examples = split_examples
    if cfg.dimension is not None and len(info.dimensions) > 1:
        examples = [e for e in examples if cfg.dimension in e.scores]
    examples = examples[:cfg.limit]
    if run is None:
        assert out is not None
        return DatasetJob(examples, split_examples, out)
    if started:
        previous = run.manifest().get("data", {}).get("split_sha256")
        if previous is not None and previous != data_checksum(split_examples):
            raise EmolabError(f"the rows of {info.name}/{cfg.split} differ from those "
                              f"{run.path} was started on (the data checksum in its "
                              "manifest.json changed); use another --run name")
    run.keep_settings(cfg)  # before the first row: a killed run keeps its settings
    return DatasetJob(examples, split_examples, run.path / PREDICTIONS, run)


def run_dataset(classifier: Any, cfg: ClassifyConfig, info: Any, job: DatasetJob, *,
                workers: int, task_of: Callable | None = None,
                on_row: Callable[[dict[str, Any]], None] | None = None) -> tuple[int, Path]:
    """Answer the job's rows (resuming), then record the session: (rows written, manifest)."""
    from emolab.provenance import utc_now

    already = job.already_done()
    started_utc, started = utc_now(), time.perf_counter()
    written = classifier.run(job.examples, job.out, task_of=task_of, dataset=info.name,
                             workers=workers, on_row=on_row)
    seconds = time.perf_counter() - started
    if job.folder is None:  # --out FILE: the manifest beside it
        manifest = record_session(job.out, classifier=classifier, examples=job.examples,
                                  dataset=info.name, split=cfg.split, written=written,
                                  seconds=seconds)
    else:
        manifest = record_session(job.out, classifier=classifier, examples=job.examples,
                                  dataset=info.name, split=cfg.split, written=written,
                                  seconds=seconds, folder=job.folder, settings=cfg.to_dict(),
                                  split_examples=job.split_examples, already=already,
                                  started_utc=started_utc)
    return written, manifest
