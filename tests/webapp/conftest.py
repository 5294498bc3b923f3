"""Fixtures of the web app tests: a fresh project and an in-process client."""

from __future__ import annotations

from pathlib import Path

import pytest
from webapp_support import build_project


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "project"
    return path, build_project(path)


@pytest.fixture
def client(project):
    from fastapi.testclient import TestClient

    from emolab.webapp import create_app

    path, tokens = project
    with TestClient(create_app(path)) as test_client:
        test_client.tokens = tokens
        yield test_client
