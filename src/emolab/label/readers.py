"""Streamed corpus readers: CSV / TSV, JSON Lines, Parquet and plain text, one ``Record`` a row.

A file is never read whole: text formats go line by line, Parquet batch by batch, so memory
stays flat however large the corpus. A bad row (undecodable bytes, a missing text column, an
empty text, a JSON line that is not an object) becomes a ``Record`` with ``error`` set and the
run goes on; a file that cannot be read at all (missing, not Parquet, no such column in the
header) raises ``DataFormatError`` naming the file, line and field.

Without an id column each row gets a stable id from its line number and a hash of its content
(``L<line>-<12 hex>``): the same file gives the same ids on every run, so a resumed run can
check that it continues the corpus it started on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emolab.errors import DataFormatError

FORMATS = ("csv", "tsv", "jsonl", "parquet", "txt")
SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".parquet": "parquet", ".pq": "parquet", ".txt": "txt", ".text": "txt"}
DEFAULT_TEXT_COLUMN = "text"
PARQUET_BATCH_ROWS = 4096

# Reasons of a failed row, also its kind in the closing summary.
UNDECODABLE = "undecodable bytes"
MISSING_TEXT = "missing text column"
EMPTY = "empty text"
BAD_ROW = "unreadable row"
READ_ERRORS = (UNDECODABLE, MISSING_TEXT, EMPTY, BAD_ROW)


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    line: int  # line of the file where the row starts (Parquet: the row number), from 1
    error: str | None = None  # "<kind>: <detail>" when the row cannot be labelled


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise DataFormatError(path, f"unknown format {fmt!r}; choose one of: "
                                  f"{', '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise DataFormatError(path, f"cannot tell the format from the suffix {suffix!r}; give "
                              f"--format ({', '.join(FORMATS)})")
    return SUFFIXES[suffix]


def stable_id(line: int, content: bytes) -> str:
    return f"L{line}-{hashlib.sha256(content).hexdigest()[:12]}"


def read_corpus(path: str | Path, *, fmt: str | None = None, text_column: str | None = None,
                id_column: str | None = None) -> Iterator[Record]:
    """Every row of ``path`` in file order, as ``Record``s (bad rows carry ``error``)."""
    path = Path(path)
    fmt = detect_format(path, fmt)
    if not path.is_file():
        raise DataFormatError(path, "no such file")
    if fmt == "txt":
        if text_column is not None or id_column is not None:
            raise DataFormatError(path, "a plain-text corpus has no columns: leave out "
                                  "--text-column and --id-column")
        return _read_text(path)
    text_column = text_column or DEFAULT_TEXT_COLUMN
    if fmt == "jsonl":
        return _read_jsonl(path, text_column, id_column)
    if fmt == "parquet":
        return _read_parquet(path, text_column, id_column)
    return _read_delimited(path, "\t" if fmt == "tsv" else ",", text_column, id_column)


def count_rows(path: str | Path, fmt: str) -> int | None:
    """Rows to expect (for the progress bar), read cheaply; CSV counts lines, so a quoted
    field spanning lines makes it an upper bound."""
    path = Path(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    lines += last != b"\n"
    return max(0, lines - (fmt in ("csv", "tsv")))


def _checked(record_id: str, text: str, line: int) -> Record:
    if _has_surrogates(text):  # bytes kept by surrogateescape, or a "\\udc80" JSON escape
        return Record(record_id, _clean(text), line, f"{UNDECODABLE}: line {line}: not valid "
                      "UTF-8")
    if not text.strip():
        return Record(record_id, text, line, f"{EMPTY}: line {line}")
    return Record(record_id, text, line)


def _decode(raw: bytes, line: int) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return (raw.decode("utf-8", errors="replace"),
                f"{UNDECODABLE}: line {line}, byte {err.start}: not UTF-8")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Lines without their ending (LF or CRLF; a byte-order mark dropped), numbered from 1."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\n").removesuffix(b"\r")
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            yield number, raw


def _read_text(path: Path) -> Iterator[Record]:
    for number, raw in _lines(path):
        text, error = _decode(raw, number)
        record_id = stable_id(number, raw)
        yield Record(record_id, text, number, error) if error else _checked(record_id, text, number)


def _read_jsonl(path: Path, text_column: str, id_column: str | None) -> Iterator[Record]:
    for number, raw in _lines(path):
        if not raw.strip():
            continue  # blank lines separate nothing in JSON Lines
        record_id = stable_id(number, raw)
        decoded, error = _decode(raw, number)
        if error:
            yield Record(record_id, decoded, number, error)
            continue
        try:
            row = json.loads(decoded)
        except ValueError as err:
            yield Record(record_id, decoded, number, f"{BAD_ROW}: line {number}: invalid JSON "
                         f"({err.msg} at column {err.colno})")
            continue
        if not isinstance(row, dict):
            yield Record(record_id, decoded, number,
                         f"{BAD_ROW}: line {number}: not a JSON object")
            continue
        if id_column is not None and row.get(id_column) not in (None, ""):
            record_id = _clean(str(row[id_column]))
        text = row.get(text_column)
        if text is None:
            yield Record(record_id, "", number, f"{MISSING_TEXT}: line {number}, field "
                         f"'{text_column}'")
            continue
        yield _checked(record_id, text if isinstance(text, str) else json.dumps(text), number)


def _read_delimited(path: Path, delimiter: str, text_column: str,
                    id_column: str | None) -> Iterator[Record]:
    header = _delimited_header(path, delimiter)
    columns = {name: i for i, name in enumerate(header)}
    for wanted, flag in ((text_column, "--text-column"), (id_column, "--id-column")):
        if wanted is not None and wanted not in columns:
            raise DataFormatError(path, f"no such column in the header (columns: "
                                  f"{', '.join(header)}); choose one with {flag}", line=1,
                                  field=wanted)
    return _delimited_rows(path, delimiter, header, columns[text_column],
                           columns.get(id_column) if id_column is not None else None, text_column)


def _open_delimited(path: Path):
    # surrogateescape keeps undecodable bytes as lone surrogates, so one bad byte spoils its
    # row only; the csv module still sees the quotes and delimiters around it.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    return path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="")


def _delimited_header(path: Path, delimiter: str) -> list[str]:
    with _open_delimited(path) as handle:
        try:
            return [_clean(name) for name in next(csv.reader(handle, delimiter=delimiter))]
        except StopIteration:
            raise DataFormatError(path, "empty file: no header line", line=1) from None
        except csv.Error as err:
            raise DataFormatError(path, f"unreadable header: {err}", line=1) from None


def _delimited_rows(path: Path, delimiter: str, header: list[str], text_at: int,
                    id_at: int | None, text_column: str) -> Iterator[Record]:
    with _open_delimited(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader)  # the header, checked already
        start = reader.line_num + 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as err:  # e.g. a NUL byte; the reader cannot go on past it
                raise DataFormatError(path, f"unreadable row: {err}", line=start,
                                      field=text_column) from None
            line, start = start, reader.line_num + 1
            if not fields:
                continue  # a blank line
            content = delimiter.join(fields).encode("utf-8", errors="surrogateescape")
            record_id = stable_id(line, content)
            if id_at is not None and id_at < len(fields) and fields[id_at].strip():
                record_id = _clean(fields[id_at])
            if text_at >= len(fields):
                yield Record(record_id, "", line, f"{MISSING_TEXT}: line {line}, field "
                             f"'{text_column}' (row has {len(fields)} of {len(header)} fields)")
                continue
            yield _checked(record_id, fields[text_at], line)


def _read_parquet(path: Path, text_column: str, id_column: str | None) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise DataFormatError(path, f"not a readable Parquet file: {err}") from None
    names = source.schema_arrow.names
    for wanted, flag in ((text_column, "--text-column"), (id_column, "--id-column")):
        if wanted is not None and wanted not in names:
            raise DataFormatError(path, f"no such column (columns: {', '.join(names)}); "
                                  f"choose one with {flag}", field=wanted)
    return _parquet_rows(path, source, text_column, id_column)


def _parquet_rows(path: Path, source, text_column: str,
                  id_column: str | None) -> Iterator[Record]:
    import pyarrow as pa

    wanted = [text_column] + ([id_column] if id_column and id_column != text_column else [])
    number = 0
    try:
        for batch in source.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            texts = batch.column(text_column).to_pylist()
            ids = batch.column(id_column).to_pylist() if id_column else [None] * len(texts)
            for text, given in zip(texts, ids, strict=True):
                number += 1
                if not isinstance(text, str) and text is not None:
                    text = json.dumps(text, default=str)
                content = (text or "").encode("utf-8", errors="surrogatepass")
                record_id = str(given) if given not in (None, "") else stable_id(number, content)
                if text is None:
                    yield Record(record_id, "", number, f"{MISSING_TEXT}: row {number}, field "
                                 f"'{text_column}' is null")
                else:
                    yield _checked(record_id, text, number)
    except (pa.ArrowInvalid, OSError) as err:
        raise DataFormatError(path, f"unreadable Parquet data after row {number}: {err}",
                              line=number + 1, field=text_column) from None


def _has_surrogates(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: an undecodable byte kept by surrogateescape
        return True
    return False


def _clean(text: str) -> str:
    """Undecodable bytes and lone surrogates shown as U+FFFD, so the value is valid UTF-8."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
