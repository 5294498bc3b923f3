"""Line-level reading shared by the loaders.

Every quirk of the original files is handled here once: a UTF-8 byte-order mark, CRLF line
endings, bytes that are not UTF-8 (reported with their line), empty files and short rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from emolab.errors import DataFormatError, DataNotFoundError

BOM = "\ufeff"


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each non-blank line, 1-based, without line endings."""
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataFormatError(path, "file is empty")
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        chunk = chunk.rstrip(b"\r")
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as err:
            raise DataFormatError(
                path,
                f"not valid UTF-8 (byte 0x{chunk[err.start]:02x} at column {err.start + 1}); "
                "re-save the file as UTF-8",
                line=number,
            ) from None
        if number == 1:
            line = line.removeprefix(BOM)
        if line.strip():
            yield number, line


def iter_delimited(
    path: Path,
    *,
    sep: str,
    required: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` from a delimited file.

    With ``columns=None`` the first line is the header and must contain every name in
    ``required``; otherwise the file has no header and ``columns`` names the fields.
    A row with fewer fields than the header is reported as truncated, naming the first
    missing field; a row with more fields is reported too (it means a separator inside a
    field that the caller did not expect).
    """
    lines = iter_lines(path)
    if columns is None:
        try:
            header_line, header = next(lines)
        except StopIteration:  # pragma: no cover - iter_lines already rejects empty files
            raise DataFormatError(path, "file is empty") from None
        names = [name.strip() for name in header.split(sep)]
        for name in required:
            if name not in names:
                raise DataFormatError(
                    path, f"missing column (header has: {', '.join(names)})",
                    line=header_line, field=name,
                )
    else:
        names = list(columns)
    for number, line in lines:
        values = line.split(sep)
        if len(values) < len(names):
            raise DataFormatError(
                path,
                f"line is truncated: {len(values)} of {len(names)} fields",
                line=number, field=names[len(values)],
            )
        if len(values) > len(names):
            raise DataFormatError(
                path, f"{len(values)} fields where {len(names)} were expected", line=number
            )
        yield number, dict(zip(names, values, strict=True))


def iter_csv(path: Path, *, required: Sequence[str] = ()
             ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` from a comma-separated file with a header, quoted fields
    holding commas and newlines as CSV allows; the line is where the row starts."""
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataFormatError(path, f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); re-save "
                              "the file as UTF-8", line=line) from None
    if not text.strip():
        raise DataFormatError(path, "file is empty")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
        for name in required:
            if name not in header:
                raise DataFormatError(path, f"missing column (header has: {', '.join(header)})",
                                      line=1, field=name)
        start = reader.line_num + 1
        for values in reader:
            if values:  # a blank line
                if len(values) != len(header):
                    field = header[len(values)] if len(values) < len(header) else None
                    raise DataFormatError(path, f"{len(values)} fields where {len(header)} "
                                          "were expected (an unclosed quote?)", line=start,
                                          field=field)
                yield start, dict(zip(header, values, strict=True))
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataFormatError(path, f"not valid CSV ({err})", line=reader.line_num) from None


def iter_jsonl(path: Path, *, required: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` from a JSON Lines file, checking required keys."""
    for number, line in iter_lines(path):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataFormatError(
                path, f"not valid JSON ({err.msg} at column {err.colno}); is the line truncated?",
                line=number,
            ) from None
        if not isinstance(obj, dict):
            raise DataFormatError(path, f"expected a JSON object, got {type(obj).__name__}", line=number)
        for key in required:
            if key not in obj:
                raise DataFormatError(path, "missing", line=number, field=key)
        yield number, obj


def require_label(path: Path, line: int, field: str, value: str, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise a located error."""
    if value not in allowed:
        shown = ", ".join(allowed) if len(allowed) <= 12 else f"{', '.join(allowed[:12])}, …"
        raise DataFormatError(path, f"label {value!r} is not in the label set ({shown})",
                              line=line, field=field)
    return value


def parse_number(path: Path, line: int, field: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise DataFormatError(path, f"expected a number, got {value!r}", line=line, field=field) from None
