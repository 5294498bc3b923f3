"""What a manifest records about how a run was made: package versions and the time."""

from __future__ import annotations

import platform
import time
from importlib import metadata


def package_versions(*dists: str) -> dict[str, str | None]:
    """The installed version of each distribution (None when absent), and Python's."""
    found: dict[str, str | None] = {}
    for dist in dists:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    found["python"] = platform.python_version()
    return found


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
