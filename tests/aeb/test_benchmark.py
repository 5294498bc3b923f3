"""AEB task list and the stratified sample."""

from __future__ import annotations

import pytest

from emolab.aeb import AEB_TASKS, get_aeb_tasks, stratified
from emolab.data import Example
from emolab.errors import EmolabError


def test_fourteen_tasks_in_the_papers_order():
    assert [t.name for t in AEB_TASKS] == [
        "EI-reg", "EI-oc", "V-reg", "V-oc", "E-c", "V-A", "V-M", "V-NYT", "V-T", "SST",
        "EmoBank", "SST-5", "TDT", "GoEmotions"]
    assert [t.name for t in get_aeb_tasks(["tdt", "EI-reg"])] == ["EI-reg", "TDT"]
    with pytest.raises(EmolabError, match="unknown AEB task 'V-X'"):
        get_aeb_tasks(["V-X"])


def test_stratified_takes_each_dimension_evenly_and_keeps_order():
    rows = [Example(f"{d}{i}", "t", scores={d: 0.1}) for d in ("anger", "joy") for i in range(50)]
    rows += [Example(f"fear{i}", "t", scores={"fear": 0.1}) for i in range(10)]
    sample = stratified(rows, 22)
    assert len(sample) == 22
    counts = {d: sum(1 for r in sample if d in r.scores) for d in ("anger", "joy", "fear")}
    assert counts == {"anger": 10, "joy": 10, "fear": 2}
    assert sample[0].id == "anger0" and "anger45" in {r.id for r in sample}  # spread, not a head
    assert [rows.index(r) for r in sample] == sorted(rows.index(r) for r in sample)
    assert stratified(rows, None) == rows and stratified(rows, 1000) == rows


@pytest.mark.data
def test_every_aeb_task_loads_with_the_published_sizes(real_data_dir):
    sizes = {t.name: len(t.examples(str(real_data_dir))) for t in AEB_TASKS}
    assert sizes == {"EI-reg": 4068, "EI-oc": 4068, "V-reg": 937, "V-oc": 937, "E-c": 3259,
                     "V-A": 1000, "V-M": 1000, "V-NYT": 1000, "V-T": 1000, "SST": 2210,
                     "EmoBank": 3000, "SST-5": 2210, "TDT": 692, "GoEmotions": 5427}
