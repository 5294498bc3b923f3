"""Generate items into a run folder: sample a plan, write a dialogue, extract items, check
them, record the dialogue. Resumable at dialogue granularity (see store.py).

Dialogues may be written several at a time (``concurrency``), but their items are checked
and recorded in index order, so dedupe and balance see the same sequence whatever the
concurrency, and the same seed and backend give the same plans.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from emolab.backends.base import Backend
from emolab.reasoning.agents import AgentFailure, Sampling
from emolab.reasoning.attributes import EA_CATEGORIES, EU_CATEGORIES, read_personas, sample_plan
from emolab.reasoning.balance import Balancer
from emolab.reasoning.config import HARMLESS, ReasonConfig
from emolab.reasoning.dedupe import Deduper, emobench_scenarios
from emolab.reasoning.items import make_item
from emolab.reasoning.pipelines import Dialogue, PipelineSpec, extract, get_pipeline, run_dialogue
from emolab.reasoning.report import build_report
from emolab.reasoning.store import RunStore
from emolab.reasoning.validate import check_item

CATEGORIES = {"eu": EU_CATEGORIES, "ea": EA_CATEGORIES}


def sampling_of(config: ReasonConfig) -> Sampling:
    return Sampling(temperature=config.temperature, top_p=config.top_p, retries=config.retries,
                    background_rounds=config.background_rounds,
                    background_tokens=config.background_tokens, turn_tokens=config.turn_tokens,
                    supervisor_tokens=config.supervisor_tokens,
                    extract_tokens=config.extract_tokens, scenario=config.scenario)


def write_dialogue(backend: Backend, spec: PipelineSpec, plan, kinds: list[str],
                   sampling: Sampling) -> dict[str, Any]:
    """One dialogue and its extracted items, as a record (items not yet checked)."""
    start = time.perf_counter()
    dialogue = Dialogue(plan=plan, pipeline=spec.name)
    extracted: dict[str, dict[str, Any]] = {}
    try:
        run_dialogue(backend, spec, plan, sampling, dialogue)
        for kind in kinds:
            extracted[kind] = extract(backend, kind, dialogue, sampling)
        drop = None
    except AgentFailure as failure:
        drop = {"agent": failure.agent, "error": failure.error, "raw": failure.raw[:2000]}
    log = dialogue.log
    return {"index": plan.index, "status": "dropped" if drop else "done", "drop": drop,
            "plan": plan.to_dict(), "pipeline": spec.name, "background": dialogue.background,
            "turns": dialogue.turns, "verdicts": dialogue.verdicts,
            "stopped_by_supervisor": dialogue.stopped_by_supervisor, "calls": log.calls,
            "retries": log.retries, "background_rounds": log.background_rounds,
            "background_salvaged": log.background_salvaged, "failures": log.failures,
            "completion_tokens": log.completion_tokens, "extracted": extracted,
            "seconds": round(time.perf_counter() - start, 2)}


class Gate:
    """Validation, dedupe and balance over the items kept so far."""

    def __init__(self, config: ReasonConfig, test_items: list[tuple[str, str]]) -> None:
        self.balancers = {k: Balancer(CATEGORIES[k], q, config.balance_ratio)
                          for k, q in config.quotas().items()}
        self.deduper = Deduper(test_items, config.dedupe_threshold)

    def replay(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            if item["kind"] in self.balancers:
                self.balancers[item["kind"]].add(item["category"])
            self.deduper.add(item)

    @property
    def needed(self) -> list[str]:
        return [k for k, b in self.balancers.items() if not b.full]

    def judge(self, record: dict[str, Any], seed: int) -> dict[str, Any]:
        """Move ``extracted`` into ``items`` (kept) and ``rejected`` (with the failed checks)."""
        kept, rejected, surplus = [], [], 0
        for kind, extracted in record.pop("extracted").items():
            item = make_item(kind, extracted, seed=seed, dialogue=record["index"])
            balancer = self.balancers[kind]
            if balancer.full:
                surplus += 1
                continue
            checks = check_item(item)
            detail = None
            if not checks:
                detail = self.deduper.check(item)
                if detail:
                    checks = [detail["check"]]
                elif not balancer.accepts(item["category"]):
                    checks = ["balance"]
            if checks:
                rejected.append({"item": item, "checks": checks, "detail": detail})
            else:
                kept.append(item)
                balancer.add(item["category"])
                self.deduper.add(item)
        return {**record, "items": kept, "rejected": rejected, "surplus": surplus}


def generate(backend: Backend, config: ReasonConfig, store: RunStore, *,
             test_items: list[tuple[str, str]] | None = None,
             on_dialogue: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Fill ``store`` until every kind's quota is met or ``config.dialogue_limit`` indices
    have been tried; returns the report of the whole folder."""
    settings = config.to_dict()
    store.check_settings(settings, HARMLESS)
    spec = get_pipeline(config.pipeline)
    sampling = sampling_of(config)
    personas = read_personas(config.personas) if config.personas else None
    gate = Gate(config, emobench_scenarios(config.data_dir) if test_items is None else test_items)
    gate.replay(store.items())
    start, written = time.perf_counter(), 0
    todo = (i for i in range(config.dialogue_limit) if i not in store.done)

    def submit(pool: ThreadPoolExecutor, index: int) -> Future:
        plan = sample_plan(config.seed, index, personas)
        return pool.submit(write_dialogue, backend, spec, plan, gate.needed, sampling)

    with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
        window: list[Future] = []
        while gate.needed:
            while len(window) < config.concurrency and (index := next(todo, None)) is not None:
                window.append(submit(pool, index))
            if not window:
                break
            record = gate.judge(window.pop(0).result(), config.seed)
            store.append(record)
            written += 1
            if on_dialogue:
                on_dialogue(record)
        for future in window:  # quotas met: what is still in flight is not needed
            future.cancel()
    report = build_report(store.records)
    store.write_manifest(settings=settings, model=backend.model_id, report=report,
                         session={"dialogues_written": written,
                                  "seconds": round(time.perf_counter() - start, 2),
                                  "sampling": asdict(sampling)})
    return report
