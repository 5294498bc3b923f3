"""Fixtures of the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from train_support import make_pairs, write_jsonl


@pytest.fixture
def pairs_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "pairs.jsonl", make_pairs())
