"""Parquet files (from another tool, or a logsheet export), with nested columns flattened like JSON.

Each file's footer is read first: a file cut short, with bytes after its footer, or not Parquet at all is
one reject with the reason (the other files are read); when no file is readable the import fails cleanly."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.errors import ImportFailed
from logsheet.core.sqlnames import col
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged
from logsheet.ingest.formats.generic.flatten import bigint_check, describe, flatten, guess_time_column
from logsheet.ingest.formats.sql import ROW_COL, attach_source, file_column, files_array, named, table_function

name = "parquet"
description = "Apache Parquet"


def sniff(sample: Sample) -> Detection | None:
    if sample.head.startswith(b"PAR1"):
        return Detection(name, 1.0, "starts with the Parquet magic bytes PAR1")
    return None


def damage(source: SourceFile) -> str | None:
    """Why a file cannot be read as Parquet (cut short, garbage after it, not Parquet at all), or None."""
    try:
        pq.read_metadata(source.path)
    except (OSError, ValueError, pa.ArrowException) as failed:
        first = (str(failed).strip().splitlines() or [type(failed).__name__])[0]
        return f"not a readable Parquet file ({first})"
    return None


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    readable, notes, problems = [], {}, []
    for source in sources:
        reason = damage(source)
        if reason is None:
            readable.append(source)
            continue
        ctx.reject(source, 0, reason, "")
        notes[source.id] = reason
        problems.append(f"{source.display}: {reason}")
    if not readable:
        raise ImportFailed("no Parquet file could be read: " + "; ".join(problems[:3]))
    sources = readable
    reader = table_function(
        "read_parquet",
        files_array(sources),
        named("union_by_name", exp.true()),
        file_column(),
        named("file_row_number", exp.true()),
    )
    position = exp.Add(this=exp.column("file_row_number"), expression=exp.Literal.number(1))
    numbered = exp.select(exp.Star(except_=[exp.column("file_row_number")]), exp.alias_(position, ROW_COL, quoted=True))
    staged = attach_source(numbered.from_(reader), sources)
    projections, types = flatten(describe(ctx.con, staged), bigint_check(ctx.con, staged))
    final = exp.select(col(SOURCE), col(POS), *[exp.alias_(e, n, quoted=True) for n, e in projections])
    return Staged(select=final.from_(staged.subquery("u")), types=types, time_column=guess_time_column(types), notes=notes)
