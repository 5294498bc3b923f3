"""What an export wrote: one entry per submission file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SubmissionFile:
    path: Path
    dataset: str
    split: str
    rows: int
    imputed: int  # unreadable predictions written as the scorer's default


@dataclass
class SubmissionReport:
    files: list[SubmissionFile] = field(default_factory=list)

    @property
    def imputed(self) -> int:
        return sum(f.imputed for f in self.files)
