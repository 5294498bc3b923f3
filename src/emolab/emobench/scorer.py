"""EmoBench figures from answers: one scorer for emolab's runs and the official result files.

Per question of an item in one choice order, the readable samples are voted (``voting``). An EU
item is right only when both its emotion and its cause are (the official figure); emotion-only
and cause-only accuracies are given beside it. The accuracy is the mean over (item, order)
units, which for complete runs equals EmoBench's mean of per-order accuracies. Figures are in
percent. Also: accuracy by category and subcategory, the voted answers' positions against the
gold positions (position bias), and the share of sampled answers nothing could be read from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emolab.emobench.parser import letter
from emolab.emobench.permutations import position_of
from emolab.emobench.voting import vote
from emolab.evaluate.metrics.multiple_choice import mcq_accuracy

SOURCE = ("Sabour et al. (2024), EmoBench, ACL: English, no chain-of-thought; GPT-4 and GPT-3.5 "
          "as recomputed from the result files in the EmoBench repository")
# The published rows, kept as data: (model, EU, EA).
PUBLISHED = (("GPT-4", 59.75, 75.50), ("GPT-3.5", 33.12, 61.38),
             ("Llama-2-7B-chat", 11.75, 50.12), ("random", 2.62, 24.12))


def published(task: str) -> list[dict[str, Any]]:
    column = 1 if task == "EU" else 2
    return [{"model": row[0], "accuracy": row[column], "source": SOURCE} for row in PUBLISHED]


@dataclass(frozen=True)
class Asked:
    """One question of one item in one choice order, with what its samples named."""

    task: str
    item: str
    order: int
    question: str
    n_choices: int
    gold: int  # position of the right choice, as shown
    readings: tuple[int | None, ...]  # position each sample named, None if unreadable
    category: str = ""
    subcategory: str = ""


def _percent(value: float) -> float:
    return round(100 * value, 2)


def _accuracy(correct: list[bool], categories: list[str] | None = None) -> dict[str, Any]:
    result = mcq_accuracy(correct, categories=categories)
    result["accuracy"] = _percent(result["accuracy"])
    for entry in result.get("by_category", {}).values():
        entry["accuracy"] = _percent(entry["accuracy"])
    return result


def score_task(asked: list[Asked]) -> dict[str, Any]:
    """The figures of one task (all ``asked`` rows of EU, or of EA)."""
    units: dict[tuple[str, int], dict[str, Asked]] = defaultdict(dict)
    for a in asked:
        units[(a.item, a.order)][a.question] = a
    names = sorted({a.question for a in asked}, key=["emotion", "cause", "response"].index)
    voted = {key: {name: vote(q.readings) for name, q in unit.items()}
             for key, unit in units.items()}
    right = {key: {name: voted[key][name] == q.gold for name, q in unit.items()}
             for key, unit in units.items()}
    keys = sorted(units)
    first = [next(iter(units[k].values())) for k in keys]
    correct = [all(right[k].values()) for k in keys]
    result: dict[str, Any] = {"accuracy": _accuracy(correct)["accuracy"],
                              "items": len({k[0] for k in keys}),
                              "orders": len({k[1] for k in keys}), "units": len(keys)}
    if len(names) > 1:
        for name in names:
            result[f"{name}_accuracy"] = _accuracy([right[k][name] for k in keys])["accuracy"]
    result["by_order"] = {str(order): _accuracy([c for k, c in zip(keys, correct, strict=True)
                                                 if k[1] == order])["accuracy"]
                          for order in sorted({k[1] for k in keys})}
    if any(a.category for a in first):
        result["by_category"] = _accuracy(correct, [a.category for a in first])["by_category"]
        result["by_subcategory"] = _accuracy(
            correct, [a.subcategory for a in first])["by_category"]
    result["positions"] = {name: _positions([units[k][name] for k in keys],
                                            [voted[k][name] for k in keys]) for name in names}
    samples = [r for a in asked for r in a.readings]
    failed = sum(r is None for r in samples)
    result["parse_failures"] = {"answers": len(samples), "unreadable": failed,
                                "rate": _percent(failed / len(samples)) if samples else 0.0}
    return result


def _positions(asked: list[Asked], voted: list[int | None]) -> dict[str, Any]:
    """How often each letter is the gold answer and how often the voted one."""
    width = max(a.n_choices for a in asked)
    gold = Counter(letter(a.gold) for a in asked)
    chosen = Counter(letter(v) for v in voted if v is not None)
    return {"gold": {letter(i): gold[letter(i)] for i in range(width)},
            "chosen": {letter(i): chosen[letter(i)] for i in range(width)},
            "unreadable": sum(v is None for v in voted)}


def score(asked: Iterable[Asked], *, with_published: bool = True) -> dict[str, Any]:
    """``{"EU": {...}, "EA": {...}}`` for the tasks present in ``asked``."""
    by_task: dict[str, list[Asked]] = defaultdict(list)
    for a in asked:
        by_task[a.task].append(a)
    result = {}
    for task in ("EU", "EA"):
        if by_task.get(task):
            result[task] = score_task(by_task[task])
            if with_published:
                result[task]["published"] = published(task)
    return result


def asked_from_run(items: dict[tuple[str, str], Any], rows: Iterable[dict[str, Any]]
                   ) -> list[Asked]:
    """``Asked`` rows of a run folder's answers (``items``: (task, id) -> Item)."""
    asked = []
    for row in rows:
        item = items[(row["task"], row["item"])]
        for q in item.questions:
            order = row["orders"][q.name]
            asked.append(Asked(
                task=item.task, item=item.id, order=row["order"], question=q.name,
                n_choices=len(q.choices), gold=position_of(q.answer, order),
                readings=tuple(s[q.name]["read"] for s in row["samples"]),
                category=item.category, subcategory=item.subcategory))
    return asked


def score_run(folder: str | Path) -> dict[str, Any]:
    """The figures of a run folder (``emolab emobench run --out FOLDER``)."""
    import json

    from emolab.emobench.items import Item
    from emolab.emobench.runner import ANSWERS, read_rows
    from emolab.errors import EmolabError

    folder = Path(folder)
    items_file = folder / "items.jsonl"
    if not items_file.is_file():
        raise EmolabError(f"{folder} is not an emobench run folder (no items.jsonl)")
    items = {}
    for line in items_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = Item.from_dict(json.loads(line))
            items[(item.task, item.id)] = item
    rows = read_rows(folder / ANSWERS)
    if not rows:
        raise EmolabError(f"{folder / ANSWERS}: no answers yet")
    return score(asked_from_run(items, rows))
