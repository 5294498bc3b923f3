"""Multi-task instruction data from training splits: one answered, explained row per text.

For each task, ``per_task`` training texts are drawn (seeded; the same share of every
dimension), checked against every held-out text (``leaks``), and answered with the gold
answer in emolab's schema, the explanation written from the evidence words (``keywords``) or
by a backend with the answer pinned (``rationalize``). Every row is parsed back with its
task's parser and kept only when it validates. Rows are appended to ``train.jsonl`` as they
are made, so a killed build resumes where it stopped.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emolab.classify.prompts import clean_text, load_prompt
from emolab.classify.store import PredictionsFile
from emolab.data import Example, load
from emolab.errors import EmolabError
from emolab.instruct.config import InstructConfig
from emolab.instruct.evidence import EvidenceModel
from emolab.instruct.explain import explanation, explanation_per_label
from emolab.instruct.leaks import HeldOut
from emolab.tasks import LabelTask, Task, get_family, task_of_example

ROWS, REPORT, CONFIG = "train.jsonl", "report.json", "config.yaml"


@dataclass
class TaskCounts:
    drawn: int = 0
    written: int = 0
    already: int = 0
    leaks: Counter = field(default_factory=Counter)
    no_answer: int = 0  # E-c tweets with no emotion: the answer schema needs one label
    invalid: int = 0  # a row that did not parse back (a rationalizer's failure)
    quoting: int = 0  # explanations that quote a word of their text


def sample(rows: list[Example], n: int, seed: int) -> list[Example]:
    """``n`` rows, the same share of every dimension, in a seeded random order."""
    rng = random.Random(seed)
    groups: dict[str, list[Example]] = {}
    for row in rows:
        groups.setdefault(str(row.meta.get("dimension", "")), []).append(row)
    per = -(-n // len(groups))
    chosen = [row for group in groups.values() for row in rng.sample(group, min(per, len(group)))]
    rng.shuffle(chosen)
    return chosen[:n]


def prominent(task: LabelTask, evidence: EvidenceModel, text: str, gold: list[str]) -> str:
    """The gold label with the strongest evidence in the text (ties: label-set order)."""
    def strength(label: str) -> float:
        return max((evidence.scores.get(label, {}).get(w, 0.0)
                    for w in evidence.evidence(task, text, [label], k=1)), default=0.0)
    return max(gold, key=lambda label: (strength(label), -gold.index(label)))


def answer_object(task: Task, gold: Any, explained: str, top: str | None) -> dict[str, Any]:
    if isinstance(task, LabelTask):
        labels = [gold] if isinstance(gold, str) else list(gold)
        return {"explanation": explained, "most_prominent_emotion": top or labels[0],
                "multiple_emotions_present": labels}
    return {"explanation": explained, task.answer_keys[1]: gold}


def quotes_text(explained: str, text: str, task: Task) -> bool:
    """The explanation shares a content word with its text, label words not counted."""
    from emolab.probing.lexicon import words

    excluded = set(task.label_set.labels) if isinstance(task, LabelTask) else {
        task.dimension or "", task.name}
    return bool({w for w in words(explained) if len(w) >= 4 and w not in excluded}
                & set(words(text)))


class Builder:
    def __init__(self, cfg: InstructConfig, out: Path, *, rationalizer: Any = None) -> None:
        self.cfg, self.out, self.rationalizer = cfg, out, rationalizer
        self.prompt = load_prompt(cfg.prompt_version)
        self.held: HeldOut | None = None

    def plan(self, name: str) -> tuple[list[tuple[Task, Example]], EvidenceModel]:
        family = get_family(name)
        train = load(family.training_set, "train", data_dir=self.cfg.data_dir)
        asked = [(task_of_example(family, row), row) for row in train]
        return asked, EvidenceModel.fit(asked)

    def build(self, on_row: Callable[[str], None] | None = None) -> dict[str, Any]:
        self.held = HeldOut.collect(self.cfg.data_dir)
        counts: dict[str, TaskCounts] = {}
        with PredictionsFile(self.out / ROWS) as store:
            for name in self.cfg.task_names():
                counts[name] = self._task(name, store, on_row)
        report = {"tasks": {name: _as_dict(c) for name, c in counts.items()},
                  "held_out_checked": self.held.checked,
                  "held_out_unchecked": self.held.unchecked,
                  "settings": self.cfg.to_dict()}
        (self.out / REPORT).write_text(json.dumps(report, indent=2) + "\n")
        return report

    def _task(self, name: str, store: PredictionsFile, on_row) -> TaskCounts:
        assert self.held is not None
        asked, evidence = self.plan(name)
        counts = TaskCounts()
        seed = self.cfg.seed + sum(map(ord, name))  # each task its own draw
        by_id = {row.id: (task, row) for task, row in asked}
        for row in sample([row for _, row in asked], self.cfg.per_task, seed):
            task = by_id[row.id][0]
            counts.drawn += 1
            key = f"{name}/{row.id}"
            if key in store.done:
                counts.already += 1
                continue
            why = self.held.leak(row.id, row.text, row.meta.get("tweet_id"))
            if why is not None:
                counts.leaks[why.split(" in ")[0] if why.startswith("id") else why] += 1
                continue
            built = self._row(name, key, task, row, evidence)
            if built is None:
                counts.no_answer += 1
                continue
            if built.get("invalid"):
                counts.invalid += 1
                continue
            counts.quoting += built["quotes_text"]
            store.append(built)
            counts.written += 1
            if on_row is not None:
                on_row(name)
        return counts

    def _row(self, name: str, key: str, task: Task, row: Example, evidence: EvidenceModel
             ) -> dict[str, Any] | None:
        gold = task.gold(row)
        if isinstance(task, LabelTask) and not gold:
            return None
        text = clean_text(row.text)
        rng = random.Random(f"{self.cfg.seed}:{key}")
        top = prominent(task, evidence, text, gold) if isinstance(task, LabelTask) and \
            isinstance(gold, list) else None
        if self.cfg.explanations == "rationalize":
            from emolab.classify.rationalize import rationalize

            candidate = rationalize(self.rationalizer, text, gold, task)
            if candidate.error is not None:
                return {"invalid": True}
            explained = candidate.parsed["explanation"]
        elif self.cfg.explanations == "per-label" and isinstance(task, LabelTask):
            labels = [gold] if isinstance(gold, str) else list(gold)
            explained = explanation_per_label(
                text, labels, evidence.own_evidence(text, labels), rng=rng,
                max_chars=self.cfg.max_explanation_chars)
        else:
            found = evidence.evidence(task, text, [top] if top else gold)
            explained = explanation(task, text, gold, found, rng=rng)
        explained = explained[: self.cfg.max_explanation_chars]
        answer = json.dumps(answer_object(task, gold, explained, top), ensure_ascii=False)
        check = task.parse(answer, max_explanation_chars=self.cfg.max_explanation_chars)
        if not (check.ok and check.schema_valid):
            raise EmolabError(f"{key}: the built answer does not validate ({check.error}): "
                              f"{answer}")
        prompt = self.prompt.messages(text, task,
                                      max_explanation_chars=self.cfg.max_explanation_chars)
        completion = [{"role": "assistant", "content": answer}]
        return {"id": key, "task": task.id, "source_id": row.id, "prompt": prompt,
                "completion": completion, "messages": [*prompt, *completion],
                "explanation_source": self.cfg.explanations,
                "prompt_version": self.prompt.version,
                "quotes_text": quotes_text(explained, text, task)}


def _as_dict(counts: TaskCounts) -> dict[str, Any]:
    return {"drawn": counts.drawn, "written": counts.written, "already": counts.already,
            "removed_as_leaks": dict(counts.leaks), "no_emotion_skipped": counts.no_answer,
            "invalid": counts.invalid,
            "quoting_share": round(counts.quoting / counts.written, 3) if counts.written else None}
