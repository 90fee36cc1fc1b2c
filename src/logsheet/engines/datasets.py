"""A view of a sheet as a Hive-partitioned Parquet dataset, the layout Spark, Athena and Trino read.

``Workspace.export_dataset`` writes ``DIR/date=2022-03-22/part-0.parquet`` (partitioned by the UTC date of the
sheet's time column) or ``DIR/awsRegion=us-east-1/…`` (by a column). Files are Parquet with zstd;
timestamps are standard microsecond UTC timestamps; nested parts stay JSON text (query them with
``get_json_object`` / ``json_extract_scalar``). Each row keeps its ``__rowid`` from the sheet (source
id × 2^40 + position) and ``__source``, so a row found on the cluster traces back to its evidence file.

:func:`partitioned` is the statement; each engine writes it (``Engine.write_dataset``). With DuckDB the rows
stream through Arrow into a local folder (:func:`write_local`), which appears whole or not at all (written
beside it, then renamed). With Spark, Spark's own writer does it on the cluster, so ``DIR`` may be ``s3a://``
or ``hdfs://``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
from sqlglot import exp

from logsheet.compiler import ViewPlan
from logsheet.compiler.resolve import resolve
from logsheet.core.columns import SOURCE
from logsheet.core.errors import LogsheetError
from logsheet.core.sqlnames import cast, col, ident

DATE = "date"
MAX_ROWS_PER_FILE = 5_000_000


@dataclass
class DatasetSummary:
    directory: str
    rows: int
    partition_by: str
    partitions: int

    def to_json(self) -> dict[str, str | int]:
        return {"directory": self.directory, "rows": self.rows, "partition_by": self.partition_by, "partitions": self.partitions}


def partitioned(plan: ViewPlan, time_column: str | None, partition_by: str, limit: int | None) -> exp.Select:
    """The view's rows with ``__rowid`` and ``__source`` (so that the SQL ``--show-sql --dialect trino`` prints
    runs over the dataset), and the partition column last: ``date`` (the UTC day of the sheet's time column,
    unless the sheet has a column of that name) or a column."""
    select = plan.rows_sql(limit, 0, with_rowid=True)
    select = select.select(*select.expressions[:1], col(SOURCE), *select.expressions[1:], append=False)
    names = [c.name for c in plan.columns()]
    if partition_by == DATE and DATE not in plan.schema:
        if not time_column or time_column not in plan.schema:
            raise LogsheetError("this sheet has no time column to partition by date: use --partition-by COLUMN")
        value = cast(resolve(time_column, plan.schema).expression, "DATE")
    else:
        value = resolve(partition_by, plan.schema).expression
        if partition_by in names:
            # Hive layouts keep the partition value in the folder name only: move the column to the end.
            keep = [p for p in select.expressions if p.alias_or_name != partition_by]
            select = select.select(*keep, append=False)
    return select.select(exp.Alias(this=value, alias=ident(partition_by)))


def write_local(batches: Iterable[pa.RecordBatch], directory: Path, partition_by: str) -> DatasetSummary:
    """Write the batches under a local ``directory`` that must be new or empty, whole or not at all."""
    if directory.exists() and any(directory.iterdir()):
        raise LogsheetError(f"{directory} exists and is not empty: choose a new folder")
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = directory.with_name(f".{directory.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    stream = iter(batches)
    first = next(stream, None)
    if first is None:
        raise LogsheetError("the view has no rows: nothing to write")
    schema = first.schema
    rows = 0

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal rows
        for batch in _chain(first, stream):
            rows += batch.num_rows
            yield batch

    partitioning = ds.partitioning(pa.schema([schema.field(partition_by)]), flavor="hive")
    try:
        ds.write_dataset(
            counted(),
            partial,
            schema=schema,
            format="parquet",
            partitioning=partitioning,
            basename_template="part-{i}.parquet",
            file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
            max_rows_per_file=MAX_ROWS_PER_FILE,
            max_rows_per_group=min(MAX_ROWS_PER_FILE, 1 << 20),
            existing_data_behavior="error",
        )
        if directory.exists():
            directory.rmdir()  # empty (checked above)
        os.replace(partial, directory)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    folders = [p for p in directory.iterdir() if p.is_dir()]
    return DatasetSummary(str(directory), rows, partition_by, len(folders))


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


__all__ = ["DATE", "DatasetSummary", "partitioned", "write_local"]
