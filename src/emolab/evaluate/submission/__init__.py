"""Submission files that the official scorers and leaderboards take, from predictions files.

``semeval2018``: SemEval-2018 Task 1 (E-c, EI-reg, EI-oc, V-reg, V-oc, English);
``semeval2025``: SemEval-2025 Task 11 (BRIGHTER tracks A, B, C, every language).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from emolab.errors import EmolabError
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.submission.report import SubmissionFile, SubmissionReport

FORMATS = ("semeval2018", "semeval2025")

__all__ = ["FORMATS", "SubmissionFile", "SubmissionReport", "write_submission"]


def write_submission(predictions: Sequence[str | Path], *, format: str, out_dir: str | Path,
                     data_dir: str | Path | None = None) -> SubmissionReport:
    """Read every predictions file and write the submission files of ``format`` into
    ``out_dir``. Nothing is written unless every file can be."""
    if format not in FORMATS:
        raise EmolabError(f"unknown submission format {format!r}; choose one of: "
                          f"{', '.join(FORMATS)}")
    rows: list[PredictionRow] = []
    for path in predictions:
        rows += read_predictions(path)
    if not rows:
        raise EmolabError("no prediction rows to export")
    if format == "semeval2018":
        from emolab.evaluate.submission.semeval2018 import write_semeval2018

        return write_semeval2018(rows, Path(out_dir), data_dir=data_dir)
    from emolab.evaluate.submission.semeval2025 import write_semeval2025

    return write_semeval2025(rows, Path(out_dir), data_dir=data_dir)
