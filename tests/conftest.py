"""Shared test set-up: where the real data sets are, and a helper to write fixture files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real data sets (``EMOLAB_DATA``). CI always sets it; a bare checkout skips these."""
    value = os.environ.get("EMOLAB_DATA")
    if not value:
        if os.environ.get("CI"):
            pytest.fail("EMOLAB_DATA must point at the data sets in CI")
        pytest.skip("EMOLAB_DATA is not set")
    path = Path(value)
    assert path.is_dir(), f"EMOLAB_DATA={value} is not a directory"
    return path


@pytest.fixture
def write(tmp_path: Path):
    """``write("a/b.txt", text_or_bytes)`` creates a file under a fresh data directory."""

    def _write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return _write


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless chromium (`apt-get install chromium`); CI installs it."""
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed")
    return path

