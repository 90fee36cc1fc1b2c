"""Writing a view's rows to CSV (RFC 4180, formulas neutralised), JSON, NDJSON or Parquet, streamed in batches
(``Workspace.export`` gives them: the view's columns and its Arrow batches).

The file is written next to its destination under a temporary name and renamed when complete, so an
interrupted export never leaves a half file that looks whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from logsheet.compiler import OutputColumn
from logsheet.core.errors import LogsheetError
from logsheet.export.render import csv_rows, json_value

FORMATS = {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".parquet": "parquet"}


def export_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LogsheetError(f"cannot tell the export format of {path.name!r}: use .csv, .json, .ndjson or .parquet")
    return fmt


def write_view(columns: list[OutputColumn], batches: Iterable[pa.RecordBatch], output: Path, fmt: str | None = None) -> int:
    """Write the rows of ``batches`` (named and typed by ``columns``) to ``output`` in ``fmt`` (default: from
    its suffix); the number of rows written."""
    fmt = fmt or export_format(output)
    names = [c.name for c in columns]
    numeric = [c.type in ("integer", "float") for c in columns]
    temporary = output.with_name(f".{output.name}.partial")
    rows = 0
    try:
        if fmt == "parquet":
            writer: pq.ParquetWriter | None = None
            for batch in batches:
                table = pa.Table.from_batches([batch]).rename_columns(names)
                writer = writer or pq.ParquetWriter(temporary, table.schema, compression="zstd")
                writer.write_table(table)
                rows += batch.num_rows
            if writer is None:
                pq.write_table(pa.table({n: pa.array([], pa.string()) for n in names}), temporary)
            else:
                writer.close()
        else:
            with open(temporary, "w", encoding="utf-8", newline="") as out:
                rows = _write_text(out, fmt, names, numeric, batches)
        os.replace(temporary, output)
    finally:
        if temporary.exists():
            temporary.unlink()
    return rows


def _write_text(out: TextIO, fmt: str, names: list[str], numeric: list[bool], batches: Iterable[pa.RecordBatch]) -> int:
    rows = 0

    def all_rows() -> Iterator[list[Any]]:
        nonlocal rows
        for batch in batches:
            for record in batch.to_pylist():
                rows += 1
                yield list(record.values())

    if fmt == "csv":
        for line in csv_rows(names, all_rows(), numeric):
            out.write(line)
    elif fmt == "ndjson":
        for values in all_rows():
            out.write(json.dumps(dict(zip(names, map(json_value, values))), ensure_ascii=False) + "\n")
    else:
        out.write("[")
        for i, values in enumerate(all_rows()):
            out.write(("," if i else "") + "\n" + json.dumps(dict(zip(names, map(json_value, values))), ensure_ascii=False))
        out.write("\n]\n")
    return rows
