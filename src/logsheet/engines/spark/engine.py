"""Running compiled statements on Spark: the :class:`logsheet.engines.base.Engine` that DuckDB also is.

A sheet is registered once per engine as a temporary view over its Parquet parts (or over a Parquet dataset
it points at: ``s3a://``, ``hdfs://``, a shared folder), read with the sheet's own schema — never Spark's
inference, so a dataset whose files disagree still has the sheet's types. Results come back through Arrow,
so timestamps are UTC-aware ``datetime`` values exactly as DuckDB returns them.

Each statement runs under its own tag; past its time budget, or when its request is cancelled, the tag is
interrupted until the statement ends, and the caller gets :class:`QueryTimeout` or
:class:`logsheet.engines.base.QueryCancelled` (HTTP 499), as with DuckDB (the registry, budgets and error
translation are :class:`logsheet.engines.base.EngineBase`'s). On a classic session the tag is a job tag of the
``SparkContext`` (``addJobTag`` on the statement's thread, ``cancelJobsWithTag`` from another: a session's
``interruptTag`` only finds the tags its *calling* thread added); on Spark Connect it is an operation tag of
the session (``addTag``, and ``interruptTag``, which the server applies to the whole session).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from logsheet.compiler.dialects import Dialect, SparkDialect
from logsheet.core.columns import ROWID, SOURCE
from logsheet.core.errors import LogsheetError
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import ident, render
from logsheet.engines.base import BATCH_ROWS, DEFAULT_TIMEOUT, EngineBase, Request, first_line
from logsheet.engines.datasets import DatasetSummary
from logsheet.engines.spark.session import quiet_pyspark, spark_session

RENDER = SparkDialect()
VIEW_PREFIX = "logsheet_"
REINTERRUPT_EVERY = 0.1


class _Statement:
    """One running statement: its tag, and once stopped (cancelled, or past its budget) a thread that
    interrupts the tag until the statement ends (a job that had not started at the first interrupt is stopped
    when it does)."""

    def __init__(self, interrupt: Callable[[str], None]) -> None:
        self.tag = "logsheet-" + uuid.uuid4().hex
        self.done = threading.Event()
        self._interrupt = interrupt
        self._stopping = threading.Lock()
        self._stopper: threading.Thread | None = None

    def stop(self) -> None:
        with self._stopping:
            if self._stopper is None and not self.done.is_set():
                self._stopper = threading.Thread(target=self._interrupt_until_done, daemon=True, name="logsheet-spark-stop")
                self._stopper.start()

    def _interrupt_until_done(self) -> None:
        while not self.done.is_set():
            self._interrupt(self.tag)
            self.done.wait(REINTERRUPT_EVERY)


class SparkEngine(EngineBase[_Statement]):
    name = "spark"
    dialect = "spark"
    reads_datasets = True

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self._views: dict[str, str] = {}

    @classmethod
    def connect(cls, master: str | None = None, remote: str | None = None) -> SparkEngine:
        return cls(spark_session(master, remote))

    @property
    def remote(self) -> bool:
        return type(self.session).__module__.startswith("pyspark.sql.connect")

    # ----------------------------------------------------------------------------------------- sources
    def source(self, paths: list[str], schema: Schema, annotations: str | None = None) -> Dialect:
        notes = self.annotations_relation(annotations) if annotations else None
        return SparkDialect(self.relation(paths, schema), notes)

    def annotations_relation(self, path: str) -> str:
        """The name of a temporary view over a sheet's annotations file (each file is written once, under a new
        name: registered once per engine and file)."""
        name = VIEW_PREFIX + "notes_" + hashlib.sha256(path.encode()).hexdigest()[:16]
        with self._lock:
            if name not in self._views:
                with quiet_pyspark():
                    try:
                        self.session.read.parquet(path).createOrReplaceTempView(name)
                    except Exception as exc:  # noqa: BLE001 - one clear line, as for the sheet's parts
                        raise LogsheetError(f"Spark cannot read {path}: {first_line(exc)}") from None
                self._views[name] = name
        return name

    def relation(self, paths: list[str], schema: Schema) -> str:
        """The name of a temporary view over ``paths`` (Parquet files, or dataset folders and URLs) holding
        the sheet's ``schema`` (registered once per engine and set of paths).

        Workspace parts carry ``__rowid`` and ``__source``; a dataset written by ``--to-dataset`` keeps
        them; one without ``__rowid`` gets it from ``monotonically_increasing_id()``."""
        key = hashlib.sha256(json.dumps([paths, schema.to_json()]).encode()).hexdigest()[:16]
        name = VIEW_PREFIX + key
        with self._lock:
            if name in self._views:
                return name
            with quiet_pyspark():
                frame = self._read(paths, schema)
                frame.createOrReplaceTempView(name)
            self._views[name] = name
        return name

    def _read(self, paths: list[str], schema: Schema) -> Any:
        """Each path read as Parquet, then made to hold exactly the sheet's columns with the sheet's types:
        a column missing from a file is NULL, one stored with another physical type (an INT32 part after an
        INT64 one, a DOUBLE ``__rowid``) is converted. Inference alone could not promise either."""
        F = self._functions()
        target = spark_schema(schema)
        frames = []
        try:
            for path in paths:
                frame = self.session.read.option("mergeSchema", "true").parquet(path)
                present = {f.name: f.dataType for f in frame.schema.fields}
                columns = []
                for field in target.fields:
                    if field.name not in present:
                        value = F.lit(None).cast(field.dataType)
                    elif present[field.name] != field.dataType:
                        value = F.col(_quoted(field.name)).try_cast(field.dataType)
                    else:
                        value = F.col(_quoted(field.name))
                    columns.append(value.alias(field.name))
                if ROWID not in present:  # a dataset from another tool: number its rows
                    columns[0] = F.monotonically_increasing_id().alias(ROWID)
                frames.append(frame.select(*columns))
        except Exception as exc:  # noqa: BLE001 - a missing path, no credentials for s3a://: one clear line
            raise LogsheetError(f"Spark cannot read {', '.join(paths[:3])}: {first_line(exc)}") from None
        result = frames[0]
        for frame in frames[1:]:
            result = result.unionByName(frame)
        return result

    def _functions(self) -> Any:
        """pyspark's column functions for this session: Spark Connect has its own module."""
        if self.remote:
            from pyspark.sql.connect import functions as connect_functions

            return connect_functions
        from pyspark.sql import functions

        return functions

    # -------------------------------------------------------------------------------------------- running
    def render(self, statement: exp.Expr) -> str:
        return RENDER.render(statement)

    def frame(self, statement: exp.Expr) -> Any:
        """The statement as a Spark DataFrame (for writers that stay on the cluster)."""
        with quiet_pyspark():
            try:
                return self.session.sql(self.render(statement))
            except Exception as exc:  # noqa: BLE001
                raise self.translate(exc) from None

    def batches(self, statement: exp.Expr, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """A result as Arrow batches (exports), without a time budget. The result is collected on the
        driver: for results bigger than its memory, write a dataset (``Workspace.export_dataset``)."""
        yield from self.arrow(statement, None).to_batches(max_chunksize=batch_rows)

    def arrow(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> pa.Table:
        sql = self.render(statement)
        running = _Statement(self._interrupt)
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            running.stop()

        request = self._register(running)
        error: Exception | None = None
        table: pa.Table | None = None
        try:
            with quiet_pyspark(), self._budget(timeout, expire):
                self._tag(running.tag)
                try:
                    table = self.session.sql(sql).toArrow()
                finally:
                    running.done.set()
                    self._untag(running.tag)
        except Exception as exc:  # noqa: BLE001 - translated below
            error = exc
        finally:
            self._unregister(request, running)
        failure = self._outcome(request, expired.is_set(), timeout, error)
        if failure is not None:
            raise failure from None
        assert table is not None
        return table

    def write_dataset(self, statement: exp.Expr, directory: str, partition_by: str) -> DatasetSummary:
        """Spark's own writer, on the cluster: ``directory`` may be ``s3a://`` or ``hdfs://``."""
        frame = self.frame(statement)
        try:
            frame.write.mode("errorifexists").partitionBy(partition_by).option("compression", "zstd").parquet(directory)
            written = self.session.read.parquet(directory)
            rows = written.count()
            partitions = written.select(partition_by).distinct().count()
        except Exception as exc:  # noqa: BLE001 - an existing folder, no credentials: one clear line
            raise LogsheetError(f"Spark could not write {directory}: {first_line(exc)}") from None
        return DatasetSummary(directory, rows, partition_by, partitions)

    def _tag(self, tag: str) -> None:
        if self.remote:
            self.session.addTag(tag)
        else:
            self.session.sparkContext.addJobTag(tag)

    def _untag(self, tag: str) -> None:
        if self.remote:
            self.session.removeTag(tag)
        else:
            self.session.sparkContext.removeJobTag(tag)

    def _interrupt(self, tag: str) -> None:
        if self.remote:
            self.session.interruptTag(tag)
        else:
            self.session.sparkContext.cancelJobsWithTag(tag)

    # ------------------------------------------------------------------------------------- cancellation
    def _stop(self, entry: Request[_Statement]) -> None:
        for running in entry.running:
            running.stop()

    # ------------------------------------------------------------------------------------------- errors
    def _refused(self, error: Exception) -> bool:
        """Errors a user can cause: a bad regex, an overflow, a name Spark cannot resolve."""
        from pyspark import errors

        user_errors = (
            errors.AnalysisException,
            errors.ArithmeticException,
            errors.DateTimeException,
            errors.IllegalArgumentException,
            errors.NumberFormatException,
            errors.SparkRuntimeException,
        )
        return isinstance(error, user_errors)

    def _unexpected(self, error: Exception) -> Exception:
        return LogsheetError(f"Spark failed: {first_line(error)}")


def spark_schema(schema: Schema) -> Any:
    """The Spark schema of a sheet's Parquet: system columns, then the sheet's columns by logical type."""
    from pyspark.sql import types as T

    types = {
        "text": T.StringType(),
        "json": T.StringType(),
        "integer": T.LongType(),
        "float": T.DoubleType(),
        "boolean": T.BooleanType(),
        "timestamp": T.TimestampType(),
        "date": T.DateType(),
    }
    fields = [T.StructField(ROWID, T.LongType()), T.StructField(SOURCE, T.IntegerType())]
    fields += [T.StructField(c.name, types.get(c.type, T.StringType())) for c in schema]
    return T.StructType(fields)


def _quoted(name: str) -> str:
    """A column name for the DataFrame API, which reads dots as struct fields unless the name is quoted
    (quoted by the project's one quoting function, in Spark's spelling)."""
    return render(ident(name), "spark")
