"""The research loop end to end, each stage resumable, into one run folder:

    before/  zero-shot answers on a dev sample, with and without the schema
    pairs/   two candidates per training text, settled automatically, exported for TRL
    sft/     (optional) supervised steps on the chosen answers
    orpo/    (optional) ORPO with LoRA
             the last trained model is exported to GGUF for the llama.cpp path
    after/   the tuned model's answers on the same dev sample
    table.md, results.json, report.html, manifest.json

A stage whose output is complete is skipped on a rerun; the classification and pair stages
continue where they stopped, and training continues from its last checkpoint.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emolab.demo.config import DemoConfig
from emolab.demo.table import measure, render_table
from emolab.errors import EmolabError

Echo = Callable[[str], None]
STAGE_LOG = "stages.jsonl"  # one line per finished stage and session: name, seconds, time


class Loop:
    def __init__(self, cfg: DemoConfig, *, data_dir: str | Path | None = None,
                 echo: Echo = print) -> None:
        from emolab.classify.datasets import classification_dataset

        self.cfg, self.echo, self.data_dir = cfg, echo, data_dir
        self.out = Path(cfg.out)
        self.info = classification_dataset(cfg.dataset, None)
        self.timings: dict[str, float] = {}

    # -- the stages ---------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        self.out.mkdir(parents=True, exist_ok=True)
        self._check_settings()
        dev, train = self._samples()
        self._stage("before", lambda: self._classify(self.cfg.model, dev, self.out / "before"))
        pairs_file = self._stage("pairs", lambda: self._pairs(train))
        base = self.cfg.model
        if self.cfg.sft_steps:
            base = self._stage("sft", lambda: self._train("sft", pairs_file, base,
                                                          self.cfg.sft_steps))
        tuned = base
        if self.cfg.orpo_steps:
            tuned = self._stage("orpo", lambda: self._train("orpo", pairs_file, base,
                                                            self.cfg.orpo_steps))
        gguf = self._stage("export", lambda: self._export(tuned))
        self._stage("after", lambda: self._classify(str(gguf), dev, self.out / "after"))
        return self._summarise()

    def _stage(self, name: str, work: Callable[[], Any]) -> Any:
        self.echo(f"== {name}")
        start = time.perf_counter()
        result = work()
        self.timings[name] = round(time.perf_counter() - start, 1)
        self.echo(f"   {name}: {self.timings[name]:.0f} s")
        # kept at once, so that the time of every finished stage survives a killed session
        with (self.out / STAGE_LOG).open("a", encoding="utf-8") as log:
            log.write(json.dumps({"stage": name, "seconds": self.timings[name],
                                  "ended_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                             time.gmtime())}) + "\n")
        return result

    def _check_settings(self) -> None:
        """A rerun must use the settings the folder was started with, or results would mix."""
        from emolab.settings import read_saved

        saved = self.out / "config.yaml"
        before = read_saved(saved)
        if before is not None:
            changed = {k: (before.get(k), v) for k, v in self.cfg.to_dict().items()
                       if k not in ("threads", "out") and before.get(k) != v}
            if changed:
                listed = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changed.items())
                raise EmolabError(f"{self.out} was started with other settings ({listed}); "
                                  "choose another --out or rerun with the same settings")
        self.cfg.write_yaml(saved)

    def _samples(self) -> tuple[list, list]:
        return samples(self.cfg.dataset, self.cfg.dev_size, self.cfg.train_size,
                       seed=self.cfg.seed, data_dir=self.data_dir)

    def _backend(self, model: str) -> Any:
        from emolab.backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend(model, n_threads=self.cfg.threads, seed=self.cfg.seed)

    def _classify(self, model: str, examples: list, folder: Path) -> None:
        """Greedy answers with the schema enforced, then with the format only prompted."""
        from emolab.backends import SamplingParams
        from emolab.classify import Classifier, PredictionsFile

        folder.mkdir(parents=True, exist_ok=True)
        ids = {e.id for e in examples}
        params = SamplingParams(max_tokens=self.cfg.max_tokens)
        with self._backend(model) as engine:
            for constrain, name in ((True, "constrained"), (False, "unconstrained")):
                classifier = Classifier(engine, self.info.label_set, params=params,
                                        constrain=constrain)
                with PredictionsFile(folder / f"{name}.jsonl") as existing:
                    done = len(existing.done & ids)
                with _bar(f"{folder.name}, {name}", len(examples), done) as advance:
                    classifier.run(examples, folder / f"{name}.jsonl", task=self.info.task,
                                   dataset=self.info.name, on_row=lambda _: advance())

    def _pairs(self, examples: list) -> Path:
        from emolab.backends import SamplingParams
        from emolab.classify import Classifier
        from emolab.preference.auto import settle
        from emolab.preference.export import export
        from emolab.preference.generate import generate_pairs
        from emolab.preference.store import PairStore

        folder = self.out / "pairs"
        params = SamplingParams(n=2, temperature=self.cfg.candidate_temperature,
                                top_p=self.cfg.candidate_top_p, max_tokens=self.cfg.max_tokens,
                                seed=self.cfg.seed)
        with PairStore(folder, create=True) as store, self._backend(self.cfg.model) as engine:
            classifier = Classifier(engine, self.info.label_set, params=params)
            done = len(store.done_example_ids() & {e.id for e in examples})
            with _bar("pairs", len(examples), done) as advance:
                counts = generate_pairs(store, classifier, examples, task=self.info.task,
                                        dataset=self.info.name,
                                        rationalize_wrong=self.cfg.rationalize,
                                        on_item=lambda _: advance())
            settled = settle(store)
            exported = export(store, folder / "pairs.jsonl", fmt="trl", seed=self.cfg.seed)
            totals = store.status_counts()
        self.echo(f"   this run: kept {counts.kept}, rationalized {counts.rationalized}, dropped "
                  f"{counts.dropped}; in all {totals}; settled {dict(settled)}; "
                  f"{exported['exported']} pairs exported")
        if not exported["exported"]:
            raise EmolabError("no pair survived the correctness filter; raise --train-size or "
                              "keep --rationalize on")
        (folder / "counts.json").write_text(json.dumps(totals))
        return folder / "pairs.jsonl"

    def _train(self, method: str, pairs: Path, model: str, steps: int) -> str:
        from emolab.train.config import TrainConfig
        from emolab.train.run import train

        folder = self.out / method
        if (folder / "manifest.json").is_file():
            self.echo(f"   {folder} is complete")
            return str(folder)
        resume = any(folder.glob("checkpoint-*"))
        cfg = TrainConfig(method=method, pairs=str(pairs), model=model, out=str(folder),
                          learning_rate=self.cfg.learning_rate, batch_size=self.cfg.batch_size,
                          grad_accum=self.cfg.grad_accum, max_steps=steps,
                          eval_share=0.1, eval_steps=max(10, steps // 5),
                          save_steps=max(10, steps // 5), max_length=self.cfg.max_length,
                          threads=self.cfg.threads, seed=self.cfg.seed, resume=resume)
        train(cfg, echo=lambda line: self.echo(f"   {line}"))
        return str(folder)

    def _export(self, run: str) -> Path:
        from emolab.models import resolve_model
        from emolab.train.export_gguf import export_gguf

        target = Path(run) / f"model-{self.cfg.export_type}.gguf"
        if target.is_file():
            return target
        template = resolve_model(self.cfg.model).path  # the base GGUF: its tokenizer and metadata
        return export_gguf(Path(run), target, outtype=self.cfg.export_type, template=template,
                           echo=lambda line: self.echo(f"   {line}"))

    # -- the table ----------------------------------------------------------------------

    def _stage_seconds(self) -> dict[str, float]:
        """Seconds per stage over every session (a resumed stage adds its sessions up)."""
        totals: dict[str, float] = {}
        for line in (self.out / STAGE_LOG).read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            totals[entry["stage"]] = totals.get(entry["stage"], 0.0) + entry["seconds"]
        return totals

    def _summarise(self) -> dict[str, Any]:
        from emolab.evaluate.report import build_report

        rows = {when: measure(self.out / when, self.info.label_set) for when in ("before", "after")}
        table = render_table(rows, self.cfg, self._stage_seconds())
        (self.out / "table.md").write_text(table, encoding="utf-8")
        page, _ = build_report([self.out / "before" / "constrained.jsonl",
                                self.out / "after" / "constrained.jsonl"],
                               names=["before", "after"], data_dir=self.data_dir)
        (self.out / "report.html").write_text(page, encoding="utf-8")
        summary = {"config": self.cfg.to_dict(), "measures": rows, "seconds": self.timings,
                   "pairs": json.loads((self.out / "pairs" / "counts.json").read_text())}
        (self.out / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        _manifest(self.out, summary)
        self.echo(table)
        return summary


def samples(dataset: str, dev_size: int, train_size: int, *, seed: int,
            data_dir: str | Path | None = None) -> tuple[list, list]:
    """The seeded dev and training samples of a demo run (benchmarks reuse the same ones)."""
    from emolab.data import load

    rng = random.Random(seed)
    dev_all = load(dataset, "dev", data_dir=data_dir)
    train_all = load(dataset, "train", data_dir=data_dir)
    if dev_size > len(dev_all) or train_size > len(train_all):
        raise EmolabError(f"{dataset} has {len(dev_all)} dev and {len(train_all)} "
                          "training texts; lower --dev-size / --train-size")
    return rng.sample(dev_all, dev_size), rng.sample(train_all, train_size)


def _manifest(out: Path, summary: dict[str, Any]) -> None:
    """Versions and timings of this session, appended to the sessions of earlier ones."""
    from emolab.run_folder import RunFolder
    from emolab.train.manifest import PACKAGES

    RunFolder(out, packages=PACKAGES).record_session({"seconds": summary["seconds"]},
                                                     config=summary["config"])


class _bar:
    """A rich progress bar on stderr; yields the function that advances it."""

    def __init__(self, description: str, total: int, done: int = 0) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._progress = Progress("   [progress.description]{task.description}", BarColumn(),
                                  MofNCompleteColumn(), TimeRemainingColumn(),
                                  console=Console(stderr=True))
        self._task = self._progress.add_task(description, total=total, completed=done)

    def __enter__(self) -> Callable[[], None]:
        self._progress.start()
        return lambda: self._progress.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()
