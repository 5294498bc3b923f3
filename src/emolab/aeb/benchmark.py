"""The 14 tasks of AEB, EmoLLMs' affective evaluation benchmark, over emolab's data sets.

AEB-1 is SemEval-2018 Task 1's test sets (read through ``emollms-aeb1-*``, which keep the
EmoLLMs instruction of every row beside SemEval's ids and gold); AEB-2 is EmoLLMs' public
``data-split`` files, the four VADER sets being blocks of one file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from emolab.data import Example, get_dataset, load
from emolab.errors import EmolabError


@dataclass(frozen=True)
class Column:
    """One figure of the paper's tables: its key there, and where emolab's report holds it."""

    key: str  # "EI-reg", "E-c_mi-F1", "EmoBank_A", ... (the published rows use the same keys)
    metric: str  # a key of the evaluation's metrics: pearson, jaccard, f1_macro, accuracy
    dimension: str | None = None  # read from the report's by_dimension instead


@dataclass(frozen=True)
class AebTask:
    name: str  # the paper's name: "EI-reg", "V-NYT", ...
    dataset: str  # emolab data set of its rows
    part: int  # AEB-1 (SemEval) or AEB-2
    columns: tuple[Column, ...]  # the figures the paper's table shows for it
    source: str | None = None  # only the rows whose meta["source"] is this (VADER blocks)

    @property
    def headline(self) -> Column:
        return self.columns[0]

    def examples(self, data_dir: str | None = None) -> list[Example]:
        rows = load(self.dataset, "test", data_dir=data_dir)
        if self.source is not None:
            rows = [row for row in rows if row.meta.get("source") == self.source]
        return rows

    @property
    def answer_task(self) -> str:
        task = get_dataset(self.dataset).answer_task
        assert task is not None
        return task


def _pearson(name: str) -> tuple[Column, ...]:
    return (Column(name, "pearson"),)


def _classes(name: str, first: str) -> tuple[Column, ...]:
    # E-c and GoEmotions: emolab's "acc" is SemEval's Jaccard accuracy (see the report's note).
    return (Column(f"{name}_acc", first), Column(f"{name}_ma-F1", "f1_macro"))


AEB_TASKS: tuple[AebTask, ...] = (
    AebTask("EI-reg", "emollms-aeb1-ei-reg", 1, _pearson("EI-reg")),
    AebTask("EI-oc", "emollms-aeb1-ei-oc", 1, _pearson("EI-oc")),
    AebTask("V-reg", "emollms-aeb1-v-reg", 1, _pearson("V-reg")),
    AebTask("V-oc", "emollms-aeb1-v-oc", 1, _pearson("V-oc")),
    AebTask("E-c", "emollms-aeb1-ec", 1, (Column("E-c_acc", "jaccard"),
                                          Column("E-c_mi-F1", "f1_micro"),
                                          Column("E-c_ma-F1", "f1_macro"))),
    AebTask("V-A", "emollms-vader", 2, _pearson("V-A"), source="amazon"),
    AebTask("V-M", "emollms-vader", 2, _pearson("V-M"), source="movies"),
    AebTask("V-NYT", "emollms-vader", 2, _pearson("V-NYT"), source="nyt"),
    AebTask("V-T", "emollms-vader", 2, _pearson("V-T"), source="tweets"),
    AebTask("SST", "emollms-sst", 2, _pearson("SST")),
    AebTask("EmoBank", "emollms-emobank", 2, tuple(
        Column(f"EmoBank_{d[0].upper()}", "pearson", d)
        for d in ("valence", "arousal", "dominance"))),
    AebTask("SST-5", "emollms-sst5", 2, _classes("SST-5", "accuracy")),
    AebTask("TDT", "emollms-tdt", 2, _classes("TDT", "accuracy")),
    AebTask("GoEmotions", "emollms-goemotions", 2, _classes("GoEmotions", "jaccard")),
)
BY_NAME = {task.name.lower(): task for task in AEB_TASKS}


def get_aeb_tasks(names: Sequence[str] | None = None) -> list[AebTask]:
    """The AEB tasks named (case does not matter), in benchmark order; all when None."""
    if not names:
        return list(AEB_TASKS)
    unknown = [name for name in names if name.lower() not in BY_NAME]
    if unknown:
        raise EmolabError(f"unknown AEB task {', '.join(map(repr, unknown))}; choose from: "
                          f"{', '.join(t.name for t in AEB_TASKS)}")
    wanted = {name.lower() for name in names}
    return [task for task in AEB_TASKS if task.name.lower() in wanted]


def stratified(rows: list[Example], limit: int | None) -> list[Example]:
    """At most ``limit`` rows, the same share from each dimension, evenly spaced through each.

    Deterministic (no seed to forget): the same limit always gives the same rows, and a larger
    limit spreads over the whole file instead of its first rows (AEB files are sorted by
    source or dimension).
    """
    if limit is None or limit >= len(rows):
        return rows
    groups: dict[str, list[Example]] = defaultdict(list)
    for row in rows:
        groups[str(row.meta.get("dimension") or next(iter(row.scores), ""))].append(row)
    shares = _shares(limit, [len(g) for g in groups.values()])
    chosen: list[Example] = []
    for group, share in zip(groups.values(), shares, strict=True):
        step = len(group) / share if share else 0
        chosen += [group[int(i * step)] for i in range(share)]
    order = {id(row): i for i, row in enumerate(rows)}
    return sorted(chosen, key=lambda row: order[id(row)])


def _shares(limit: int, sizes: list[int]) -> list[int]:
    total = sum(sizes)
    shares = [min(size, limit * size // total) for size in sizes]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):  # hand out the remainder
        if sum(shares) >= limit:
            break
        if shares[i] < sizes[i]:
            shares[i] += 1
    return shares
