"""Running compiled statements on Spark, with the surface of :class:`logsheet.engines.duckdb.DuckEngine`.

A sheet is registered once per engine as a temporary view over its Parquet parts (or over a Parquet dataset
it points at: ``s3a://``, ``hdfs://``, a shared folder), read with the sheet's own schema — never Spark's
inference, so a dataset whose files disagree still has the sheet's types. Results come back through Arrow,
so timestamps are UTC-aware ``datetime`` values exactly as DuckDB returns them.

Each statement runs under its own tag; past its time budget a watcher thread interrupts the tag and the
caller gets :class:`QueryTimeout`, as with DuckDB. On a classic session the tag is a job tag of the
``SparkContext`` (``addJobTag`` on the statement's thread, ``cancelJobsWithTag`` from the watcher: a
session's ``interruptTag`` only finds the tags its *calling* thread added); on Spark Connect it is an
operation tag of the session (``addTag``, and ``interruptTag``, which the server applies to the whole
session). Statements run inside ``with engine.request(request_id):`` are registered under that id, so that
``engine.cancel(request_id)`` from another thread interrupts their tags; the caller then gets
:class:`logsheet.engines.duckdb.QueryCancelled` (HTTP 499).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from logsheet.compiler.dialects import SparkDialect
from logsheet.core.columns import ROWID, SOURCE
from logsheet.core.errors import InvalidQuery, LogsheetError, QueryTimeout
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import ident
from logsheet.engines.duckdb import DEFAULT_TIMEOUT, QueryCancelled, Result
from logsheet.engines.requests import Requests
from logsheet.engines.spark.session import quiet_pyspark, spark_session

RENDER = SparkDialect()
VIEW_PREFIX = "logsheet_"
REINTERRUPT_EVERY = 0.1


class _Statement:
    """One running statement: its tag, and ``wake`` for its watcher (set when it ends or is cancelled)."""

    def __init__(self) -> None:
        self.tag = "logsheet-" + uuid.uuid4().hex
        self.done = threading.Event()
        self.wake = threading.Event()


class _Request:
    """The statements running under one request id, and whether someone cancelled it."""

    def __init__(self) -> None:
        self.statements: set[_Statement] = set()
        self.cancelled = False
        self.users = 0


class SparkEngine:
    dialect = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session
        self._views: dict[str, str] = {}
        self._lock = threading.Lock()
        self._requests = Requests(_Request, self._lock, "logsheet_spark_request")

    @classmethod
    def connect(cls, master: str | None = None, remote: str | None = None) -> SparkEngine:
        return cls(spark_session(master, remote))

    @property
    def remote(self) -> bool:
        return type(self.session).__module__.startswith("pyspark.sql.connect")

    # ----------------------------------------------------------------------------------------- sources
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
            raise LogsheetError(f"Spark cannot read {', '.join(paths[:3])}: {_first_line(exc)}") from None
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
    def sql(self, statement: exp.Expr) -> str:
        return RENDER.render(statement)

    def frame(self, statement: exp.Expr) -> Any:
        """The statement as a Spark DataFrame (for writers that stay on the cluster)."""
        with quiet_pyspark():
            try:
                return self.session.sql(self.sql(statement))
            except Exception as exc:  # noqa: BLE001
                raise _translate(exc) from None

    def fetch(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
        table = self._arrow(statement, timeout)
        columns = [c.to_pylist() for c in table.columns]
        rows = list(zip(*columns)) if columns else [() for _ in range(table.num_rows)]
        return Result(list(table.column_names), rows)

    def scalar(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        rows = self.fetch(statement, timeout).rows
        return rows[0][0] if rows else None

    def batches(self, statement: exp.Expr, batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """A result as Arrow batches (exports), without a time budget. The result is collected on the
        driver: for results bigger than its memory, write a dataset (``lake.export_dataset``)."""
        yield from self._arrow(statement, None).to_batches(max_chunksize=batch_rows)

    def _arrow(self, statement: exp.Expr, timeout: float | None) -> pa.Table:
        sql = self.sql(statement)
        running = _Statement()
        request = self._requests.current()
        fired = threading.Event()

        def watch() -> None:
            # Past the budget or on a cancel, interrupt the tag until the statement ends: a job that had not
            # started at the first interrupt is stopped when it does.
            if not running.wake.wait(timeout):
                fired.set()
            while not running.done.is_set():
                self._interrupt(running.tag)
                running.done.wait(REINTERRUPT_EVERY)

        if request is not None:
            with self._lock:
                if request.cancelled:
                    raise QueryCancelled("cancelled")
                request.statements.add(running)
        watched = timeout or request is not None
        watcher = threading.Thread(target=watch, daemon=True, name="logsheet-spark-watch") if watched else None
        try:
            with quiet_pyspark():
                self._tag(running.tag)
                try:
                    if watcher:
                        watcher.start()
                    table = self.session.sql(sql).toArrow()
                except Exception as exc:  # noqa: BLE001 - translated below
                    if request is not None and request.cancelled:
                        raise QueryCancelled("cancelled") from None
                    if fired.is_set():
                        raise _timeout(timeout) from None
                    raise _translate(exc) from None
                finally:
                    running.done.set()
                    running.wake.set()
                    self._untag(running.tag)
        finally:
            if request is not None:
                with self._lock:
                    request.statements.discard(running)
        if request is not None and request.cancelled:
            raise QueryCancelled("cancelled")
        if fired.is_set():  # the budget ran out before the statement started: the answer came too late
            raise _timeout(timeout)
        return table

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
    def request(self, request_id: str | None) -> contextlib.AbstractContextManager[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""
        return self._requests.scope(request_id)

    def cancel(self, request_id: str) -> bool:
        """Interrupt the Spark jobs running under ``request_id`` (their watchers interrupt the statements' tags
        until they end); False when nothing runs under it."""
        with self._lock:
            entry = self._requests.pop_locked(request_id)
            if entry is None:
                return False
            for running in entry.statements:
                running.wake.set()
        return True


def _timeout(budget: float | None) -> QueryTimeout:
    return QueryTimeout(
        f"the query took longer than its {budget or 0:g} s budget and was stopped; "
        "narrow the filter or raise the budget (--timeout)"
    )


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
    return ident(name).sql(dialect="spark")


def _translate(error: BaseException) -> Exception:
    """Errors a user can cause (a bad regex, an overflow, a name Spark cannot resolve) as one clear line."""
    from pyspark.errors import (
        AnalysisException,
        ArithmeticException,
        DateTimeException,
        IllegalArgumentException,
        NumberFormatException,
        SparkRuntimeException,
    )

    if isinstance(
        error,
        (
            AnalysisException,
            ArithmeticException,
            DateTimeException,
            IllegalArgumentException,
            NumberFormatException,
            SparkRuntimeException,
        ),
    ):
        return InvalidQuery(f"the engine refused the query: {_first_line(error)}")
    return LogsheetError(f"Spark failed: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
