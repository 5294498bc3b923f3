"""Fixtures of the label tests: tasks, a fake-backed answerer, a run folder helper."""

from __future__ import annotations

import pytest
from label_fakes import SchemaBackend

from emolab.backends import SamplingParams
from emolab.label.answer import TaskAnswerer
from emolab.label.tasks import resolve_tasks

TASKS = "ec,v-reg,v-oc,isear"


@pytest.fixture
def tasks():
    return resolve_tasks(TASKS)


@pytest.fixture
def answerer(tasks):
    def make(**options):
        return TaskAnswerer(SchemaBackend(**options), tasks, params=SamplingParams(max_tokens=64))

    return make
