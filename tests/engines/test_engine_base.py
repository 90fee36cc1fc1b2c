"""One engine interface: DuckDB and Spark both are an ``Engine``, cancel a request, keep a time budget and
translate their errors the same way (``engines/base.py``).

The Spark engine runs here on a stand-in session (no JVM): a statement blocks until its job tag is
cancelled, as a Spark job does, so the engine's own registry, budget and translation are what is tested.
The Spark tests in tests/engines/spark do the same against a real session.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from sqlglot import exp

from logsheet.api.app import status_of
from logsheet.core.errors import InvalidQuery, LogsheetError, OutOfMemory, QueryTimeout
from logsheet.engines.base import Engine, EngineBase, QueryCancelled
from logsheet.engines.duckdb import DuckEngine
from logsheet.engines.spark.engine import SparkEngine


# ----------------------------------------------------------------------------- a Spark session stand-in
class _Context:
    """The SparkContext part the engine uses: job tags of the calling thread, cancelled from any thread."""

    def __init__(self) -> None:
        self.cancelled: set[str] = set()
        self.changed = threading.Condition()
        self.local = threading.local()

    def addJobTag(self, tag: str) -> None:  # noqa: N802 - pyspark's names
        self.local.tag = tag

    def removeJobTag(self, tag: str) -> None:  # noqa: N802
        self.local.tag = None

    def cancelJobsWithTag(self, tag: str) -> None:  # noqa: N802
        with self.changed:
            self.cancelled.add(tag)
            self.changed.notify_all()


class _Frame:
    def __init__(self, session: _Session, sql: str) -> None:
        self.session, self.sql = session, sql

    def toArrow(self) -> pa.Table:  # noqa: N802
        context = self.session.sparkContext
        tag = context.local.tag
        if self.sql != self.session.slow:
            return pa.table({"n": [7]})
        with context.changed:
            if not context.changed.wait_for(lambda: tag in context.cancelled, timeout=30):
                raise AssertionError("the slow statement was never interrupted")
        raise RuntimeError(f"Job cancelled because of tag {tag}\n(stack)")


class _Session:
    def __init__(self) -> None:
        self.sparkContext = _Context()
        self.slow = ""
        self.statements: list[str] = []

    def sql(self, sql: str) -> _Frame:
        self.statements.append(sql)
        return _Frame(self, sql)


# ---------------------------------------------------------------------------------------- the engines
SLOW = exp.select(exp.Sum(this=exp.column("i"))).from_("range(1000000000000) t(i)")  # far longer than any test waits
QUICK = exp.select(exp.Literal.number(7).as_("n"))


def _duck(tmp_path: Path) -> DuckEngine:
    return DuckEngine(tmp_path / "tmp")


def _spark(tmp_path: Path) -> SparkEngine:
    session = _Session()
    engine = SparkEngine(session)
    session.slow = engine.render(SLOW)
    return engine


ENGINES: dict[str, Callable[[Path], EngineBase[Any]]] = {"duckdb": _duck, "spark": _spark}


@pytest.fixture(params=list(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> EngineBase[Any]:
    return ENGINES[request.param](tmp_path)


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - shown by the test
            out["error"] = exc
        out["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def cancel_when_running(engine: EngineBase[Any], request_id: str, out: dict[str, Any]) -> float:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "at" not in out:
        if engine.cancel(request_id):
            return time.monotonic()
        time.sleep(0.005)
    raise AssertionError(f"{request_id} was not found running: {out}")


# ------------------------------------------------------------------------------------------ the protocol
PROTOCOL_METHODS = [
    name
    for name, member in vars(Engine).items()
    if not name.startswith("_") and callable(member) and not isinstance(member, property)
]
PROTOCOL_PROPERTIES = [name for name, member in vars(Engine).items() if isinstance(member, property)]


def test_the_protocol_is_what_the_workspace_needs() -> None:
    assert set(PROTOCOL_PROPERTIES) == {"name", "dialect", "reads_datasets", "probes_sorted_pages"}
    assert {"source", "arrow", "fetch", "scalar", "batches", "write_dataset", "request", "cancel", "translate"} <= set(
        PROTOCOL_METHODS
    )


@pytest.mark.parametrize("kind", list(ENGINES))
def test_both_engines_are_engines_with_the_protocol_signatures(kind: str, tmp_path: Path) -> None:
    engine = ENGINES[kind](tmp_path)
    assert isinstance(engine, Engine)
    assert engine.name == engine.dialect == kind
    for name in PROTOCOL_METHODS:
        wanted = inspect.signature(getattr(Engine, name))
        found = inspect.signature(getattr(type(engine), name))
        assert list(found.parameters) == list(wanted.parameters), f"{kind}.{name}{found} is not {name}{wanted}"
        defaults = [p.default for p in found.parameters.values()]
        assert defaults == [p.default for p in wanted.parameters.values()], f"{kind}.{name}: other defaults"


def test_what_sets_the_engines_apart() -> None:
    """Only Spark reads a dataset in place; only DuckDB is worth probing a sorted page on (its Parquet reader
    skips row groups by min/max, measured in bench/README.md)."""
    assert SparkEngine.reads_datasets and not DuckEngine.reads_datasets
    assert DuckEngine.probes_sorted_pages and not SparkEngine.probes_sorted_pages


def test_neither_engine_keeps_its_own_copy_of_the_shared_parts() -> None:
    """The registry, scalar, cancel and the translation entry point are the base's, not copied per engine."""
    for kind in (DuckEngine, SparkEngine):
        for name in ("scalar", "request", "cancel", "translate", "_register", "_unregister", "_outcome", "_budget"):
            assert name not in vars(kind), f"{kind.__name__} redefines {name}"
        assert "_stop" in vars(kind)  # ... but each stops its own statements (cursors, job tags)


# ------------------------------------------------------------------------------------ running, the same
def test_a_quick_statement_and_its_scalar(engine: EngineBase[Any]) -> None:
    assert engine.fetch(QUICK).rows == [(7,)]
    assert engine.scalar(QUICK) == 7
    assert engine.arrow(QUICK).to_pylist() == [{"n": 7}]
    with engine.request("quick"):
        assert engine.scalar(QUICK) == 7
    assert engine.cancel("quick") is False  # the request ended: nothing runs under it


def test_cancel_a_running_statement(engine: EngineBase[Any]) -> None:
    def run() -> Any:
        with engine.request("r-1"):
            return engine.fetch(SLOW, timeout=None)

    assert engine.cancel("r-1") is False
    thread, out = in_thread(run)
    cancelled_at = cancel_when_running(engine, "r-1", out)
    thread.join(20)
    assert isinstance(out.get("error"), QueryCancelled), out
    assert str(out["error"]) == "cancelled" and status_of(out["error"]) == 499
    assert out["at"] - cancelled_at < 5
    assert engine.cancel("r-1") is False  # taken out by the cancel
    with engine.request("r-1"):  # the id is free again, and the engine still answers
        assert engine.scalar(QUICK) == 7


def test_a_cancelled_request_refuses_its_next_statement(engine: EngineBase[Any]) -> None:
    with engine.request("grid"):
        assert engine.cancel("grid") is True
        with pytest.raises(QueryCancelled):
            engine.fetch(QUICK)
        # another thread may already reuse the id: it gets a fresh request
        thread, out = in_thread(lambda: _scalar_under(engine, "grid"))
        thread.join(20)
        assert out.get("value") == 7, out


def _scalar_under(engine: EngineBase[Any], request_id: str) -> Any:
    with engine.request(request_id):
        return engine.scalar(QUICK)


def test_the_time_budget(engine: EngineBase[Any]) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"longer than its 0.2 s budget") as caught:
        engine.fetch(SLOW, timeout=0.2)
    assert time.monotonic() - started < 10
    assert status_of(caught.value) == 408
    assert engine.scalar(QUICK, timeout=0.2) == 7  # a statement within its budget is not touched


def test_cancel_reaches_every_statement_of_a_request(engine: EngineBase[Any]) -> None:
    """Two threads inside one request (the page's histogram and grid): one cancel stops both."""

    def run() -> Any:
        with engine.request("both"):
            return engine.fetch(SLOW, timeout=None)

    threads = [in_thread(run) for _ in range(2)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine._lock:
            live = engine._requests._live.get("both")
            if live is not None and len(live.running) == 2:
                break
        time.sleep(0.005)
    assert engine.cancel("both") is True
    for thread, out in threads:
        thread.join(20)
        assert isinstance(out.get("error"), QueryCancelled), out


# ------------------------------------------------------------------------------------ errors, the same
def test_refused_queries_are_invalid_queries_on_both() -> None:
    errors = pytest.importorskip("pyspark.errors")
    AnalysisException = errors.AnalysisException  # noqa: N806

    duck = DuckEngine.__new__(DuckEngine)
    spark = SparkEngine(_Session())
    refused = {
        "duckdb": duck.translate(duckdb.BinderException("Binder Error: no column x\nLINE 1: ...")),
        "spark": spark.translate(AnalysisException(message="[UNRESOLVED_COLUMN] no column x\nplan ...")),
    }
    for kind, error in refused.items():
        assert isinstance(error, InvalidQuery), kind
        assert str(error).startswith("the engine refused the query: ") and "\n" not in str(error), kind
    assert str(refused["duckdb"]).endswith("Binder Error: no column x")


def test_other_errors() -> None:
    pytest.importorskip("pyspark.errors")
    duck = DuckEngine.__new__(DuckEngine)
    duck.memory_budget = "16MB"
    oom = duck.translate(duckdb.OutOfMemoryException("could not allocate"))
    assert isinstance(oom, OutOfMemory) and "16MB budget" in str(oom) and status_of(oom) == 503
    strange = duckdb.InternalException("INTERNAL Error: a bug")
    assert duck.translate(strange) is strange  # a bug stays itself: the CLI says "internal error, please report"
    spark = SparkEngine(_Session()).translate(RuntimeError("Py4JError: the JVM went away\n..."))
    assert type(spark) is LogsheetError and str(spark) == "Spark failed: Py4JError: the JVM went away"
    already = InvalidQuery("unknown column")
    assert duck.translate(already) is already and SparkEngine(_Session()).translate(already) is already


def test_a_refused_statement_comes_back_translated_from_a_run(tmp_path: Path) -> None:
    duck = DuckEngine(tmp_path)
    with pytest.raises(InvalidQuery, match="the engine refused the query"):
        duck.fetch(exp.select(exp.column("nope")).from_("range(1) t(i)"))
    with pytest.raises(InvalidQuery, match="the engine refused the query"):
        list(duck.batches(exp.select(exp.column("nope")).from_("range(1) t(i)")))
    assert duck.scalar(QUICK) == 7  # the cursor was closed, the engine answers


def test_the_slow_statement_is_slow(tmp_path: Path) -> None:
    """The cancel tests would prove nothing if SLOW ended by itself before the cancel."""
    duck = DuckEngine(tmp_path)
    thread, out = in_thread(lambda: _scalar_with_budget(duck, 1.0))
    thread.join(20)
    assert isinstance(out.get("error"), QueryTimeout), out


def _scalar_with_budget(engine: EngineBase[Any], budget: float) -> Any:
    return engine.scalar(SLOW, timeout=budget)


# ----------------------------------------------------------------------------- choosing an engine, once
def test_where_spark_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from logsheet.engines.spark.session import DEFAULT_MASTER, spark_location

    monkeypatch.delenv("LOGSHEET_SPARK_MASTER", raising=False)
    monkeypatch.delenv("LOGSHEET_SPARK_REMOTE", raising=False)
    assert spark_location() == (DEFAULT_MASTER, None)
    assert spark_location("yarn") == ("yarn", None)
    assert spark_location("yarn", "sc://h:1") == (None, "sc://h:1")  # a remote wins
    monkeypatch.setenv("LOGSHEET_SPARK_MASTER", "spark://m:7077")
    assert spark_location() == ("spark://m:7077", None) and spark_location("local[2]") == ("local[2]", None)
    monkeypatch.setenv("LOGSHEET_SPARK_REMOTE", "sc://env:15002")
    assert spark_location("local[2]") == (None, "sc://env:15002")


def test_the_engine_and_location_rule() -> None:
    from logsheet.workspace.engines import EngineChoiceError, requested

    assert requested(None) is None  # nothing asked: the setting decides
    assert requested(None, "local[2]") == requested("spark", "local[2]")  # a location means Spark
    assert requested(None, remote="sc://h:1").remote == "sc://h:1"  # type: ignore[union-attr]
    assert requested("duckdb").engine == "duckdb" and requested("spark").master is None  # type: ignore[union-attr]
    with pytest.raises(EngineChoiceError) as both:
        requested("spark", "local[2]", "sc://h:1")
    assert both.value.reason == "both"
    with pytest.raises(EngineChoiceError) as duck:
        requested("duckdb", remote="sc://h:1")
    assert duck.value.reason == "needs_spark"
    with pytest.raises(LogsheetError, match="unknown engine 'flink'"):
        requested("flink")


def test_engine_for(tmp_path: Path) -> None:
    from logsheet.workspace.engines import Engines

    engines = Engines(tmp_path)
    assert engines.started() == []
    duck = engines.engine_for()
    assert isinstance(duck, DuckEngine) and engines.engine_for("duckdb") is duck and engines.started() == [duck]
    with pytest.raises(LogsheetError, match="needs the Spark engine"):
        engines.engine_for(dataset="s3a://bucket/ct/")
    with pytest.raises(LogsheetError, match="unknown engine 'flink'; use duckdb or spark"):
        engines.engine_for("flink")
    ready = SparkEngine(_Session())
    engines.use_spark(engine=ready)
    assert engines.default == "spark" and engines.engine_for(dataset="s3a://bucket/ct/") is ready
    engines.use("spark")  # spark again, without a location: the engine that runs is kept
    assert engines.engine_for() is ready and engines.serving().engine == "spark"
    engines.use("duckdb")
    assert engines.engine_for() is duck and engines.cancel("nothing") is False
    engines.refuse("the setting is broken")
    with pytest.raises(LogsheetError, match="broken"):
        engines.engine_for()
    assert engines.engine_for("duckdb") is duck  # naming an engine still works
