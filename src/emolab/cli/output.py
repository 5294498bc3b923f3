"""Consoles of the commands: a terminal gets rich's layout; a pipe or a file gets lines that
are never folded, so `emolab data list | grep ei-reg` finds whole names."""

from __future__ import annotations

from typing import Any

# Wide enough for any row; rich sizes a table to its content, not to this width.
PIPE_WIDTH = 10_000


def table_console(*, stderr: bool = False) -> Any:
    from rich.console import Console

    screen = Console(stderr=stderr)
    return screen if screen.is_terminal else Console(stderr=stderr, width=PIPE_WIDTH)


def unreadable_progress(console: Any) -> Any:
    """The progress bar of a long model run: done / total, unreadable answers so far, time
    spent and left. Each task of it carries an ``unreadable`` field."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[unreadable]} unreadable"), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console)
