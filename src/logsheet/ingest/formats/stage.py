"""Staging rows produced in Python (text lines, salvaged JSON) as Parquet, in bounded memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import lit, render
from logsheet.ingest.formats.sql import named, table_function

BATCH_ROWS = 50_000
ROW_GROUP_ROWS = 122_880  # DuckDB holds a whole row group in memory while it writes: wide rows ask for fewer


class StageWriter:
    """Append rows (as column lists) and flush them to one Parquet file in batches."""

    def __init__(self, path: Path, fields: list[tuple[str, pa.DataType]]) -> None:
        self.path = path
        self.schema = pa.schema([(SOURCE, pa.int64()), (POS, pa.int64()), *fields])
        self._columns: list[list[Any]] = [[] for _ in self.schema]
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def add(self, source: int, position: int, *values: Any) -> None:
        self._columns[0].append(source)
        self._columns[1].append(position)
        for column, value in zip(self._columns[2:], values):
            column.append(value)
        if len(self._columns[0]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self._columns[0]:
            return
        batch = pa.RecordBatch.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(self._columns, self.schema)], schema=self.schema
        )
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._writer.write_batch(batch)
        self.rows += batch.num_rows
        self._columns = [[] for _ in self.schema]

    def close(self) -> None:
        self.flush()
        if self._writer is None:
            pq.ParquetWriter(self.path, self.schema, compression="zstd").close()
        else:
            self._writer.close()


def copy_to_parquet(con: Any, select: exp.Expr, target: Path, row_group_rows: int | None = None) -> None:
    """``COPY (select) TO target`` as zstd Parquet."""
    copy = exp.Copy(
        this=exp.Subquery(this=select),
        kind=False,
        files=[lit(str(target))],
        params=[
            exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("PARQUET")),
            exp.CopyParameter(this=exp.var("COMPRESSION"), expression=exp.var("ZSTD")),
            exp.CopyParameter(this=exp.var("ROW_GROUP_SIZE"), expression=lit(row_group_rows or ROW_GROUP_ROWS)),
        ],
    )
    con.execute(render(copy))


def parquet_table(paths: list[Path]) -> exp.Table:
    files = exp.Array(expressions=[lit(str(p)) for p in paths])
    return table_function("read_parquet", files, named("union_by_name", exp.true()))
