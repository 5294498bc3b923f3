"""Fixtures of the preference tests."""

from __future__ import annotations

import pytest
from scripted import ScriptedBackend


@pytest.fixture
def scripted():
    return ScriptedBackend
