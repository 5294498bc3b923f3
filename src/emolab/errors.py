"""Errors that reach users: each names what failed and where, so it can be fixed by hand."""

from __future__ import annotations

from pathlib import Path


class EmolabError(Exception):
    """Base class of every error emolab raises on purpose (the CLI prints these without a traceback)."""


class DataFormatError(EmolabError, ValueError):
    """A data or predictions file does not have the expected shape.

    The message reads ``FILE:LINE: field 'NAME': what is wrong`` so editors and terminals can jump to it.
    """

    def __init__(
        self, path: str | Path, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.reason = message
        where = str(self.path) if line is None else f"{self.path}:{line}"
        what = f"field '{field}': {message}" if field else message
        super().__init__(f"{where}: {what}")


class DataNotFoundError(EmolabError, FileNotFoundError):
    """A data set file is missing under the data directory."""
