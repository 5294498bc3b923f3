"""Counts of every check, from a run folder's dialogue records."""

from __future__ import annotations

from collections import Counter
from typing import Any

from emolab.reasoning.validate import CHECKS

REJECTIONS = (*CHECKS, "test_overlap", "duplicate", "balance")


def build_report(records: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in records if r["status"] == "done"]
    dropped = Counter(r["drop"]["agent"] for r in records if r["status"] == "dropped")
    turns = [len(r["turns"]) for r in done]
    extracted: Counter = Counter()
    kept: Counter = Counter()
    by_category: dict[str, Counter] = {}
    rejected_first: Counter = Counter()  # each rejected item counted once, by its first check
    failed_checks: Counter = Counter()  # each failed check of each item
    surplus = 0
    for record in records:
        surplus += record.get("surplus", 0)
        for item in record.get("items", []):
            extracted[item["kind"]] += 1
            kept[item["kind"]] += 1
            by_category.setdefault(item["kind"], Counter())[item["category"]] += 1
        for rejection in record.get("rejected", []):
            extracted[rejection["item"]["kind"]] += 1
            rejected_first[rejection["checks"][0]] += 1
            failed_checks.update(rejection["checks"])
    return {
        "dialogues": {"recorded": len(records), "done": len(done),
                      "dropped": sum(dropped.values()), "dropped_by_agent": dict(dropped)},
        "turns": {"mean": round(sum(turns) / len(turns), 2) if turns else None,
                  "min": min(turns, default=None), "max": max(turns, default=None)},
        "supervisor": {"verdicts": sum(len(r.get("verdicts", [])) for r in records),
                       "stopped_early": sum(bool(r.get("stopped_by_supervisor")) for r in done)},
        "background": {  # records written before continuations existed count as none
            "continued": sum(r.get("background_rounds", 0) > 0 for r in records),
            "rounds": sum(r.get("background_rounds", 0) for r in records),
            "salvaged": sum(r.get("background_salvaged", 0) for r in records)},
        "agent_calls": sum(r["calls"] for r in records),
        "agent_retries": sum(r["retries"] for r in records),
        "items": {"extracted": dict(extracted), "kept": dict(kept),
                  "kept_by_category": {k: dict(v) for k, v in by_category.items()},
                  "surplus": surplus},
        "rejected": {name: rejected_first.get(name, 0) for name in REJECTIONS},
        "failed_checks": {name: failed_checks.get(name, 0) for name in REJECTIONS},
    }
