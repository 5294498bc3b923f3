"""The before / after table of ``emolab demo``.

Labels are scored on the constrained answers (unreadable rows count as wrong, as everywhere in
emolab); schema adherence is measured on the unconstrained ones, where the model alone decides
the format; explanation length is the mean number of characters of the constrained answers'
explanations.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from emolab.labels import LabelSet

ROWS = (  # key, heading, format
    ("jaccard", "Jaccard accuracy (constrained)", "{:.3f}"),
    ("f1_micro", "micro F1 (constrained)", "{:.3f}"),
    ("f1_macro", "macro F1 (constrained)", "{:.3f}"),
    ("adherence", "schema adherence without constraints", "{:.1%}"),
    ("usable_unconstrained", "usable answers without constraints", "{:.1%}"),
    ("explanation_chars", "mean explanation length (characters)", "{:.0f}"),
    ("median_seconds", "median seconds per text (constrained)", "{:.2f}"),
)


def measure(folder: Path, label_set: LabelSet) -> dict[str, Any]:
    from emolab.evaluate.adherence import adherence_rows
    from emolab.evaluate.predictions import read_predictions
    from emolab.evaluate.runner import evaluate_rows

    constrained = read_predictions(folder / "constrained.jsonl")
    free = read_predictions(folder / "unconstrained.jsonl")
    scores = evaluate_rows(constrained, path=folder / "constrained.jsonl")
    adherence = adherence_rows(free, label_set)
    explanations = [len((row.parsed or {}).get("explanation", "")) for row in constrained
                    if not row.failed]
    seconds = [row.model_extra.get("seconds") for row in constrained if row.model_extra]
    seconds = [s for s in seconds if isinstance(s, int | float)]
    return {
        **{key: scores["metrics"][key] for key in ("jaccard", "f1_micro", "f1_macro")},
        "unreadable_constrained": scores["failed"],
        "adherence": adherence["shares"]["schema_valid"],
        "usable_unconstrained": adherence["shares"]["usable"],
        "adherence_failures": adherence["failures_by_kind"],
        "explanation_chars": sum(explanations) / len(explanations) if explanations else 0.0,
        # the median: a shared machine's bursts of load would swing a mean
        "median_seconds": statistics.median(seconds) if seconds else float("nan"),
        "rows": len(constrained),
    }


def training_stages(cfg: Any) -> list[tuple[str, int]]:
    """The training stages a demo config runs, in order, with their steps."""
    return [(name, steps) for name, steps in (("SFT", cfg.sft_steps), ("ORPO", cfg.orpo_steps))
            if steps]


def render_table(rows: dict[str, dict[str, Any]], cfg: Any, timings: dict[str, float]) -> str:
    before, after = rows["before"], rows["after"]
    stages = training_stages(cfg)
    tuning = " + ".join(name for name, _ in stages)
    lines = [f"| measure | before (zero-shot) | after ({tuning}) |", "|---|---|---|"]
    for key, heading, fmt in ROWS:
        lines.append(f"| {heading} | {fmt.format(before[key])} | {fmt.format(after[key])} |")
    recipe = " then ".join(f"{steps} {name} steps" for name, steps in stages)
    minutes = sum(timings.values()) / 60
    lines += ["", f"{cfg.dataset}: {before['rows']} dev texts; pairs from {cfg.train_size} "
              f"training texts; {recipe} (batch {cfg.batch_size} x {cfg.grad_accum}, "
              f"lr {cfg.learning_rate}); tuned model served as GGUF {cfg.export_type}; "
              f"{minutes:.0f} minutes in finished stages "
              f"({', '.join(f'{k} {v / 60:.1f}' for k, v in timings.items())})."]
    return "\n".join(lines) + "\n"
