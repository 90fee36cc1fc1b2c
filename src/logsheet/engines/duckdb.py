"""Running compiled statements on DuckDB, in process, with a time budget and a memory limit.

One :class:`DuckEngine` per workspace; each statement runs on its own cursor (DuckDB cursors are
independent connections to one database, so the web server's threads can query at once). A timer
interrupts a statement that runs past its budget and the caller gets a :class:`QueryTimeout`.

Statements run inside ``with engine.request(request_id):`` are registered under that id, so another thread
can stop them with ``engine.cancel(request_id)``; the caller then gets a :class:`QueryCancelled`.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from logsheet.compiler.dialects import IPV6_UDF, ipv6_in_network
from logsheet.core.errors import InvalidQuery, LogsheetError, OutOfMemory, QueryTimeout
from logsheet.engines.requests import Requests

DEFAULT_TIMEOUT = float(os.environ.get("LOGSHEET_QUERY_TIMEOUT", "60"))
DEFAULT_MEMORY = os.environ.get("LOGSHEET_MEMORY_LIMIT", "2GB")
# A cancel can land between registering a cursor and its statement starting (when an interrupt is a no-op),
# so the cursor is interrupted again after these delays while it is still running.
REINTERRUPT_AFTER = (0.05, 0.25, 1.0)


class QueryCancelled(LogsheetError):
    """A query stopped by ``DuckEngine.cancel`` (the person asked for it); HTTP 499, "client closed request"."""

    http_status = 499


class _Request:
    """The statements running under one request id, and whether someone cancelled it."""

    def __init__(self) -> None:
        self.cursors: set[duckdb.DuckDBPyConnection] = set()
        self.cancelled = False
        self.users = 0


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
    # Sheet parts never change once written (a new import writes new files): their footers are read once,
    # not at every query (a 100-part sheet's page needs two queries over every part).
    con.execute("SET parquet_metadata_cache = true")


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
        self._requests = Requests(_Request, self._lock, "logsheet_request")

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
        return _Guard(self.cursor(), timeout, self._requests.current(), self._lock)

    # ------------------------------------------------------------------------------------- cancellation
    def request(self, request_id: str | None) -> contextlib.AbstractContextManager[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""
        return self._requests.scope(request_id)

    def cancel(self, request_id: str) -> bool:
        """Interrupt the statements running under ``request_id``; False when nothing runs under it."""
        with self._lock:
            entry = self._requests.pop_locked(request_id)
            if entry is None:
                return False
            for cur in entry.cursors:
                _interrupt(cur)
        for delay in REINTERRUPT_AFTER:
            timer = threading.Timer(delay, self._reinterrupt, (entry,))
            timer.daemon = True
            timer.start()
        return True

    def _reinterrupt(self, entry: _Request) -> None:
        with self._lock:  # held so that no cursor closes while it is being interrupted
            for cur in entry.cursors:
                _interrupt(cur)


class _Watchdog:
    """One thread that fires every query's time budget. A ``threading.Timer`` per query starts a thread per
    query, and ``Thread.start`` waits for the new thread to be scheduled: milliseconds on a busy machine."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list[Any]] = []  # [deadline, sequence, callback or None when cancelled]
        self._sequence = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, callback: Callable[[], None]) -> list[Any]:
        entry = [time.monotonic() + delay, next(self._sequence), callback]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="logsheet-query-budget", daemon=True)
                self._thread.start()
            self._cond.notify()
        return entry

    @staticmethod
    def cancel(entry: list[Any]) -> None:
        entry[2] = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                deadline, _, callback = self._heap[0]
                if callback is None:
                    heapq.heappop(self._heap)
                    continue
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            with contextlib.suppress(Exception):  # one failing callback must not stop every later budget
                callback()


_WATCHDOG = _Watchdog()


class _Guard:
    """Runs a statement on a cursor, interrupting it past the budget and translating engine errors."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        timeout: float | None,
        request: _Request | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self.cur = cur
        self.timeout = timeout
        self.timer: list[Any] | None = None
        self.fired = False
        self.request = request
        self.lock = lock or threading.Lock()

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        if self.request is not None:
            with self.lock:
                if self.request.cancelled:
                    self.cur.close()
                    raise QueryCancelled("cancelled")
                self.request.cursors.add(self.cur)
        if self.timeout:
            self.timer = _WATCHDOG.schedule(self.timeout, self._interrupt)
        return self.cur

    def _interrupt(self) -> None:
        self.fired = True
        _interrupt(self.cur)

    def __exit__(self, kind: type | None, error: BaseException | None, tb: Any) -> None:
        if self.timer:
            _WATCHDOG.cancel(self.timer)
        with self.lock:
            if self.request is not None:
                self.request.cursors.discard(self.cur)
            self.cur.close()
        if self.request is not None and self.request.cancelled:
            raise QueryCancelled("cancelled") from None
        if isinstance(error, duckdb.InterruptException) or self.fired:
            # Also when the budget ran out before the statement started (the interrupt found nothing to stop).
            raise QueryTimeout(
                f"the query took longer than its {self.timeout:g} s budget and was stopped; "
                "narrow the filter or raise the budget (--timeout)"
            ) from None
        if isinstance(error, duckdb.Error):
            raise _translate(error) from None


def _interrupt(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # the cursor closed in the meantime
        cur.interrupt()


def _translate(error: duckdb.Error) -> Exception:
    """Engine errors a user can cause (a bad regex, a failed conversion) as one clear line."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, duckdb.OutOfMemoryException):
        return OutOfMemory(
            f"the query needs more memory than the engine's {DEFAULT_MEMORY} budget (LOGSHEET_MEMORY_LIMIT); "
            "narrow the view, or try again when fewer queries run at once"
        )
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
