"""What an engine is to the workspace (:class:`Engine`), and what every engine shares (:class:`EngineBase`).

An engine runs compiled statements (sqlglot ASTs) to Arrow tables, rows, a scalar or a stream of batches,
each under a time budget, and stops the statements of a request when asked. :class:`EngineBase` holds what
does not depend on the engine:

- the request registry. A server request runs its queries inside ``engine.request(request_id)``; each
  statement is registered under the request it runs in (``_register``: a DuckDB cursor, a Spark job tag), and
  ``engine.cancel(request_id)`` from another thread takes the request out and stops what is registered
  (``_stop``); the caller then gets :class:`QueryCancelled`. The engine's lock guards the registry, so that
  registering a statement and cancelling its request never cross.
- time budgets: one watchdog thread fires every statement's budget (``_budget``); the caller gets
  :class:`logsheet.core.errors.QueryTimeout`.
- error translation (``translate``): what the engine raises becomes the domain error it means
  (:mod:`logsheet.core.errors`): a query the engine refuses (a bad regex, a failed conversion) is an
  :class:`InvalidQuery`, a query past the memory budget :class:`OutOfMemory`, always one clear line.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

import pyarrow as pa
from sqlglot import exp

from logsheet.core.errors import InvalidQuery, LogsheetError, OutOfMemory, QueryTimeout

if TYPE_CHECKING:
    from logsheet.compiler.dialects import Dialect
    from logsheet.core.schema import Schema
    from logsheet.engines.datasets import DatasetSummary

MAX_TIMEOUT = 7 * 86400.0  # a week: longer budgets are refused (and past threading.TIMEOUT_MAX they crash a wait)


def timeout_problem(value: float | None) -> str | None:
    """Why ``value`` cannot be a time budget in seconds (finite, 0 for none, at most MAX_TIMEOUT); None if it can."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"a time budget is a number of seconds, not {value!r}"
    if not 0 <= value <= MAX_TIMEOUT:
        return f"a time budget is 0 (none) to {MAX_TIMEOUT:g} seconds, not {value:g}"
    return None


def _timeout_from_env() -> tuple[float, str | None]:
    """LOGSHEET_QUERY_TIMEOUT (default 60 s), and why it is refused when it is; the engine raises that when made
    (an import of this module must not fail)."""
    text = os.environ.get("LOGSHEET_QUERY_TIMEOUT", "").strip()
    if not text:
        return 60.0, None
    try:
        problem = timeout_problem(float(text))
    except ValueError:
        problem = "a time budget is a number of seconds"
    if problem is None:
        return float(text), None
    return 60.0, f"LOGSHEET_QUERY_TIMEOUT={text!r} is refused: {problem}"


DEFAULT_TIMEOUT, TIMEOUT_ENV_PROBLEM = _timeout_from_env()
BATCH_ROWS = 65536  # rows per Arrow batch of a stream (exports)


class QueryCancelled(LogsheetError):
    """A query stopped by ``Engine.cancel`` (the person asked for it); HTTP 499, "client closed request"."""


@dataclass
class Result:
    names: list[str]
    rows: list[tuple[Any, ...]]


@runtime_checkable
class Engine(Protocol):
    """What the workspace needs of an engine: DuckDB in process, or Apache Spark."""

    @property
    def name(self) -> str:
        """``duckdb`` or ``spark``: what settings, ``--engine`` and remembered totals call it."""

    @property
    def dialect(self) -> str:
        """The SQL dialect of its statements (what ``--show-sql`` prints by default)."""

    @property
    def reads_datasets(self) -> bool:
        """Whether it reads a Parquet dataset in place (``--dataset``) instead of a sheet's own parts."""

    @property
    def probes_sorted_pages(self) -> bool:
        """Whether a sorted page is worth looking for near one end first (:mod:`logsheet.compiler.paging`): its
        reader skips the row groups whose min/max lie outside."""

    def source(self, paths: list[str], schema: Schema, annotations: str | None = None) -> Dialect:
        """The dialect to compile a view of these Parquet paths with, reading them as ``schema`` (and the sheet's
        ``annotations`` file, when it has one: logsheet.compiler.annotation)."""

    def render(self, statement: exp.Expr) -> str:
        """The SQL text the engine runs for a statement."""

    def arrow(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> pa.Table:
        """Run a statement within its budget (seconds; None: none) to an Arrow table."""

    def fetch(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
        """Run a statement within its budget to Python rows."""

    def scalar(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        """The first value of the first row (None without rows): a SQL value, of whatever type it has."""

    def batches(self, statement: exp.Expr, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Stream a result as Arrow batches (exports), without a time budget."""

    def write_dataset(self, statement: exp.Expr, directory: str, partition_by: str) -> DatasetSummary:
        """Write a statement's rows as a Hive-partitioned Parquet dataset (:mod:`logsheet.engines.datasets`)."""

    def request(self, request_id: str | None) -> contextlib.AbstractContextManager[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""

    def cancel(self, request_id: str) -> bool:
        """Stop the statements running under ``request_id`` (they raise QueryCancelled); False if none runs."""

    def translate(self, error: Exception) -> Exception:
        """An exception the engine raised, as the domain error it means."""


# ------------------------------------------------------------------------------------------ the registry
T = TypeVar("T", bound=Hashable)


class Request(Generic[T]):
    """The statements running under one request id (what the engine stops them by: a cursor, a job tag),
    the threads inside the request's scope, and whether someone cancelled it."""

    def __init__(self) -> None:
        self.running: set[T] = set()
        self.cancelled = False
        self.users = 0


class Requests(Generic[T]):
    """Request ids for cancelling: which statements run under which id, in which thread."""

    def __init__(self, lock: threading.Lock, name: str) -> None:
        self._lock = lock
        self._live: dict[str, Request[T]] = {}
        self._current: contextvars.ContextVar[Request[T] | None] = contextvars.ContextVar(name, default=None)

    def current(self) -> Request[T] | None:
        """The request this thread is in, if any."""
        return self._current.get()

    @contextlib.contextmanager
    def scope(self, request_id: str | None) -> Iterator[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""
        if not request_id:
            yield
            return
        with self._lock:
            entry = self._live.setdefault(request_id, Request())
            entry.users += 1
        token = self._current.set(entry)
        try:
            yield
        finally:
            self._current.reset(token)
            with self._lock:
                entry.users -= 1
                if entry.users == 0 and self._live.get(request_id) is entry:
                    del self._live[request_id]

    def pop_locked(self, request_id: str) -> Request[T] | None:
        """Take a request out, marked cancelled (the caller holds the lock); a new request may reuse the id at
        once and gets a fresh entry. None when nothing runs under it."""
        entry = self._live.pop(request_id, None)
        if entry is not None:
            entry.cancelled = True
        return entry


# ------------------------------------------------------------------------------------------ time budgets
class Watchdog:
    """One thread that fires every statement's time budget. A ``threading.Timer`` per query starts a thread
    per query, and ``Thread.start`` waits for the new thread to be scheduled: milliseconds on a busy machine."""

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
                    self._cond.wait(min(wait, threading.TIMEOUT_MAX))
                    continue
                heapq.heappop(self._heap)
            with contextlib.suppress(Exception):  # one failing callback must not stop every later budget
                callback()


WATCHDOG = Watchdog()


def budget_exceeded(budget: float | None) -> QueryTimeout:
    return QueryTimeout(
        f"the query took longer than its {budget or 0:g} s budget and was stopped; "
        "narrow the filter or raise the budget (--timeout)"
    )


def first_line(error: BaseException) -> str:
    """An exception's message as one line (its type's name when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# ---------------------------------------------------------------------------------------------- the base
class EngineBase(Generic[T]):
    """The request registry, cancelling, time budgets and error translation every engine shares.

    A subclass names itself (``name``, ``dialect``), runs statements (``arrow``, ``batches``, and ``fetch``
    when it has a faster way to rows than through Arrow), stops what it registered (``_stop``) and says which
    of its exceptions mean a refused query (``_refused``) or an exhausted memory budget (``_out_of_memory``).
    """

    name = "engine"
    dialect = "duckdb"
    reads_datasets = False
    probes_sorted_pages = False
    memory_budget: str | None = None  # shown when a query runs out of memory

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Requests[T] = Requests(self._lock, f"logsheet_{self.name}_request")

    # ------------------------------------------------------------------------------------------ running
    def arrow(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> pa.Table:
        raise NotImplementedError

    def fetch(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Result:
        table = self.arrow(statement, timeout)
        columns = [c.to_pylist() for c in table.columns]
        rows = list(zip(*columns)) if columns else [() for _ in range(table.num_rows)]
        return Result(list(table.column_names), rows)

    def scalar(self, statement: exp.Expr, timeout: float | None = DEFAULT_TIMEOUT) -> Any:
        rows = self.fetch(statement, timeout).rows
        return rows[0][0] if rows else None

    # ------------------------------------------------------------------------------------- cancellation
    def request(self, request_id: str | None) -> contextlib.AbstractContextManager[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""
        return self._requests.scope(request_id)

    def cancel(self, request_id: str) -> bool:
        """Stop the statements running under ``request_id``; False when nothing runs under it."""
        with self._lock:
            entry = self._requests.pop_locked(request_id)
            if entry is None:
                return False
            self._stop(entry)
        return True

    def _stop(self, entry: Request[T]) -> None:
        """Stop what runs under a cancelled request (called with the lock held)."""
        raise NotImplementedError

    def _register(self, running: T, refused: Callable[[], None] | None = None) -> Request[T] | None:
        """Register a statement about to run under this thread's request (None outside one). A request already
        cancelled refuses it: ``refused()`` (e.g. close its cursor), then QueryCancelled."""
        request = self._requests.current()
        if request is not None:
            with self._lock:
                if request.cancelled:
                    if refused is not None:
                        refused()
                    raise QueryCancelled("cancelled")
                request.running.add(running)
        return request

    def _unregister(self, request: Request[T] | None, running: T, then: Callable[[], None] | None = None) -> None:
        """The statement ended: out of its request; ``then()`` under the lock (nothing stops it meanwhile)."""
        with self._lock:
            if request is not None:
                request.running.discard(running)
            if then is not None:
                then()

    @contextlib.contextmanager
    def _budget(self, timeout: float | None, expire: Callable[[], None]) -> Iterator[None]:
        """Inside the block, ``expire()`` is called once ``timeout`` seconds have passed (None or 0: never)."""
        problem = timeout_problem(timeout)
        if problem is not None:
            raise InvalidQuery(problem)
        entry = WATCHDOG.schedule(timeout, expire) if timeout else None
        try:
            yield
        finally:
            if entry is not None:
                WATCHDOG.cancel(entry)

    def _outcome(
        self, request: Request[T] | None, expired: bool, timeout: float | None, error: Exception | None
    ) -> Exception | None:
        """What a statement that ended comes to: cancelled, past its budget (also when the budget ran out
        before it started: the answer came too late), the engine's error translated, or None: its result."""
        if request is not None and request.cancelled:
            return QueryCancelled("cancelled")
        if expired or (error is not None and self._interrupted(error)):
            return budget_exceeded(timeout)
        if error is not None:
            return self.translate(error)
        return None

    # ------------------------------------------------------------------------------------- errors
    def translate(self, error: Exception) -> Exception:
        """Errors a user can cause as one clear line: a refused query (:class:`InvalidQuery`), a query past the
        memory budget (:class:`OutOfMemory`); anything else as ``_unexpected`` says."""
        if isinstance(error, LogsheetError):
            return error
        if self._out_of_memory(error):
            return OutOfMemory(
                f"the query needs more memory than the engine's {self.memory_budget} budget (LOGSHEET_MEMORY_LIMIT); "
                "narrow the view, or try again when fewer queries run at once"
            )
        if self._refused(error):
            return InvalidQuery(f"the engine refused the query: {first_line(error)}")
        return self._unexpected(error)

    def _refused(self, error: Exception) -> bool:
        return False

    def _out_of_memory(self, error: Exception) -> bool:
        return False

    def _interrupted(self, error: Exception) -> bool:
        """Whether the error is the engine's own word for a statement interrupted by its budget."""
        return False

    def _unexpected(self, error: Exception) -> Exception:
        return error


__all__ = [
    "BATCH_ROWS",
    "DEFAULT_TIMEOUT",
    "WATCHDOG",
    "Engine",
    "EngineBase",
    "QueryCancelled",
    "Request",
    "Requests",
    "Result",
    "budget_exceeded",
    "first_line",
]
