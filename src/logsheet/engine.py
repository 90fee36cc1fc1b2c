"""Running compiled statements on DuckDB, in process, with a time budget and a memory limit.

One :class:`DuckEngine` per workspace; each statement runs on its own cursor (DuckDB cursors are
independent connections to one database, so the web server's threads can query at once). A timer
interrupts a statement that runs past its budget and the caller gets a :class:`QueryTimeout`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from logsheet.compiler.dialects import IPV6_UDF, ipv6_in_network
from logsheet.errors import InvalidQuery, QueryTimeout

DEFAULT_TIMEOUT = float(os.environ.get("LOGSHEET_QUERY_TIMEOUT", "60"))
DEFAULT_MEMORY = os.environ.get("LOGSHEET_MEMORY_LIMIT", "2GB")


@dataclass
class Result:
    names: list[str]
    rows: list[tuple[Any, ...]]


def configure(
    con: duckdb.DuckDBPyConnection, temp_dir: Path, memory_limit: str = DEFAULT_MEMORY, threads: int | None = None
) -> None:
    """Session settings every logsheet connection uses: UTC, bounded memory, spilling to the workspace."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET temp_directory = ?", [str(temp_dir)])
    con.execute("SET threads = ?", [threads or os.cpu_count() or 2])
    con.execute("SET enable_progress_bar = false")


class DuckEngine:
    dialect = "duckdb"

    def __init__(self, temp_dir: Path, memory_limit: str = DEFAULT_MEMORY) -> None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(":memory:")
        configure(self._con, temp_dir, memory_limit)
        self._con.create_function(  # type: ignore[call-overload]
            IPV6_UDF, ipv6_in_network, ["VARCHAR", "VARCHAR"], "BOOLEAN", null_handling="special"
        )
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._con.cursor()

    def fetch(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
        sql = statement.sql(dialect=self.dialect)
        with self._guard(timeout) as cur:
            result = cur.execute(sql)
            names = [d[0] for d in result.description or []]
            rows = result.fetchall()
        return Result(names, rows)

    def scalar(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        rows = self.fetch(statement, timeout).rows
        return rows[0][0] if rows else None

    def batches(self, statement: exp.Expr, batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """Stream a result as Arrow batches (exports), without a time budget."""
        sql = statement.sql(dialect=self.dialect)
        cur = self.cursor()
        try:
            reader = cur.sql(sql).to_arrow_reader(batch_rows)
            yield from reader
        except duckdb.Error as exc:
            raise _translate(exc) from None
        finally:
            cur.close()

    def _guard(self, timeout: float | None) -> _Guard:
        return _Guard(self.cursor(), timeout)


class _Guard:
    """Runs a statement on a cursor, interrupting it past the budget and translating engine errors."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, timeout: float | None) -> None:
        self.cur = cur
        self.timeout = timeout
        self.timer: threading.Timer | None = None
        self.fired = False

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        if self.timeout:
            self.timer = threading.Timer(self.timeout, self._interrupt)
            self.timer.daemon = True
            self.timer.start()
        return self.cur

    def _interrupt(self) -> None:
        self.fired = True
        self.cur.interrupt()

    def __exit__(self, kind: type | None, error: BaseException | None, tb: Any) -> None:
        if self.timer:
            self.timer.cancel()
        self.cur.close()
        if isinstance(error, duckdb.InterruptException) or (error is not None and self.fired):
            raise QueryTimeout(
                f"the query took longer than its {self.timeout:g} s budget and was stopped; "
                "narrow the filter or raise the budget (--timeout)"
            ) from None
        if isinstance(error, duckdb.Error):
            raise _translate(error) from None


def _translate(error: duckdb.Error) -> Exception:
    """Engine errors a user can cause (a bad regex, a failed conversion) as one clear line."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(
        error,
        (
            duckdb.InvalidInputException,
            duckdb.ConversionException,
            duckdb.BinderException,
            duckdb.OutOfRangeException,
            duckdb.ParserException,
        ),
    ):
        return InvalidQuery(f"the engine refused the query: {message}")
    return error
