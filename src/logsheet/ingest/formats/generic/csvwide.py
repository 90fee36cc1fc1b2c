"""CSV files wider than ``MAX_COLUMNS``: the first ``MAX_COLUMNS - 1`` columns become sheet columns and
the fields after them are kept, exactly, in one ``json`` column, ``more_columns``: a JSON object
``{header name: value text, ...}`` in header order (the names as ``csvfmt.header_names`` makes them: blanks
``column_N``, repeats ``_2``...), queryable with JSON paths (``more_columns.c9000 = 'x'``).

Why: a columnar store pays per column (DuckDB's Parquet writer reserves 256 KiB per column and thread;
Arrow's CSV reader and Parquet writer spend about a millisecond per column and block), so 10,000 columns
× 10,000 rows took minutes as columns (measured: Arrow's reader 48 s, the Parquet write by DuckDB 57 s
and 4.4 GB), while one column for the tail costs a string split per line.

Lines are read in Python: a line without a quote character is split at the first ``MAX_COLUMNS - 1``
delimiters (the tail is staged as written); a line with quotes is parsed by the csv module (with the lines
that follow when a quoted value spans lines). Either tail is staged as its JSON object (``csvtail``, at C
speed). A row whose field count
differs from the header's is a reject with its line number; an unterminated quoted value at the end of
the file is a reject too.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from logsheet.ingest.formats.generic.csvrows import TEXT, CsvStager
from logsheet.ingest.formats.generic.csvtail import Tail

MAX_COLUMNS = 256
MORE = "more_columns"
BATCH_BYTES = 16 << 20  # text per batch handed to the stager (one staging row group: DuckDB reads it whole)


def stage_wide(stager: CsvStager, path: Path, delimiter: str, width: int, skip: int, objects: Tail) -> None:
    """Feed ``stager`` (made with ``wide_names``) the rows of a file of ``width`` columns, each tail made a
    JSON object by ``objects`` (``wide_tail``)."""
    keep = MAX_COLUMNS - 1
    stager.guess[-1] = TEXT  # the tail is JSON text: nothing to guess
    number = 0
    rows: list[list[str | None]] = []
    tail: str | list[str]
    numbers: list[int] = []
    size = 0
    with open(path, encoding="utf-8", newline="") as fh:
        lines = iter(fh)
        for line in lines:
            number += 1
            start = number
            if number <= skip:
                continue
            if '"' in line:
                record = line
                while record.count('"') % 2:
                    more = next(lines, None)
                    if more is None:
                        stager.reject_row(
                            start, f"line {start}: unterminated quoted value (the file is cut short?)", record[: 1 << 20]
                        )
                        record = ""
                        break
                    number += 1
                    record += more
                if not record:
                    break
                fields = next(csv.reader([record], delimiter=delimiter), [])
                count = len(fields)
                head, tail = fields[:keep], fields[keep:]
            else:
                text = line.rstrip("\r\n")
                if not text.strip():
                    stager.skipped.add(start)
                    continue
                if text == "\0":
                    stager.long_line(start)
                    continue
                parts = text.split(delimiter, keep)
                head, tail = parts[:keep], (parts[keep] if len(parts) > keep else "")
                count = len(head) + (tail.count(delimiter) + 1 if len(parts) > keep else 0)
            if count != width:
                stager.reject_row(start, f"line {start}: {count} field(s) where the header has {width}", line[: 1 << 20])
                continue
            staged = objects.raw(tail, delimiter) if isinstance(tail, str) else objects.fields(tail)
            rows.append([v or None for v in head] + [staged])
            numbers.append(start)
            size += len(line)
            if size >= BATCH_BYTES:
                _flush(stager, rows, numbers)
                rows, numbers, size = [], [], 0
    _flush(stager, rows, numbers)
    stager.close()


def wide_names(names: list[str]) -> list[str]:
    head = names[: MAX_COLUMNS - 1]
    more, n = MORE, 2
    while more in head:
        more, n = f"{MORE}_{n}", n + 1
    return [*head, more]


def wide_tail(names: list[str]) -> Tail:
    """Where and how a file of these (more than ``MAX_COLUMNS``) column names keeps its tail."""
    return Tail(wide_names(names)[-1], tuple(names[MAX_COLUMNS - 1 :]))


def wide_note(names: list[str]) -> str:
    rest = names[MAX_COLUMNS - 1 :]
    more = wide_names(names)[-1]
    return (
        f"{len(names):,} columns: the first {MAX_COLUMNS - 1:,} are sheet columns, the other {len(rest):,} "
        f"({rest[0]} … {rest[-1]}) are kept as a JSON object (name: value text) in the column {more!r}"
    )


def _flush(stager: CsvStager, rows: list[list[str | None]], numbers: list[int]) -> None:
    if not rows:
        return
    columns = [pa.array([r[j] for r in rows], type=pa.string()) for j in range(len(rows[0]))]
    stager.add_numbered(pa.RecordBatch.from_arrays(columns, names=stager.names), numbers)
