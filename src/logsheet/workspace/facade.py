"""The workspace: the one Python API that the CLI and the web server are thin shells over.

A workspace is a folder (``LOGSHEET_HOME``, default: the per-user data directory) holding the catalog
(``catalog.sqlite``), each sheet's immutable Parquet parts under ``sheets/``, and ``staging/`` for imports
in progress. Sheets are queried with :class:`logsheet.core.ir.Query` (or the filter language) through the
compiler, on the engine the workspace's setting names (:mod:`logsheet.store.settings`: DuckDB in process by default,
or Apache Spark); imports, rejects and the catalog always use DuckDB and the local folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import pyarrow as pa
from sqlglot import exp

from logsheet.compiler import ROWID, OutputColumn, ViewPlan, to_sql
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.core.sheetnames import default_sheet_name, validate_sheet_name
from logsheet.core.sqlnames import col
from logsheet.engines.duckdb import DEFAULT_TIMEOUT, DuckEngine
from logsheet.export.page import MAX_PAGE, Page
from logsheet.query.spellings import build_query, ir_json, parse_agg
from logsheet.store import settings as engine_settings
from logsheet.store.catalog import Catalog, SheetRecord
from logsheet.store.totals import Totals
from logsheet.workspace import housekeeping

if TYPE_CHECKING:
    from logsheet.ingest.options import ImportOptions

PROBE_FRACTION = 1 / 64  # a sorted page is first looked for in this end of its column's range
PROBE_MAX_ROWS = 10_000  # ... when it lies within this many rows of the start


def default_home() -> Path:
    env = os.environ.get("LOGSHEET_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("logsheet", appauthor=False))


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("sheets", "staging", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(root / "catalog.sqlite")
        self._engine: DuckEngine | None = None
        self._engine_lock = threading.Lock()
        self.default_engine = "duckdb"  # what views run on when not told: the setting, or use_spark/use_engine
        self._spark: Any = None
        self._spark_settings: tuple[str | None, str | None] = (None, None)
        self._setting_problem: str | None = None
        self._totals = Totals()
        self._ranges = Totals()
        self._histograms = Totals()
        try:
            self._apply(engine_settings.load(self.catalog))
        except LogsheetError as exc:  # reported when a view runs, so that `logsheet config` can still fix it
            self._setting_problem = str(exc)
        self.sweep()

    @classmethod
    def open(cls, home: str | Path | None = None) -> Workspace:
        root = Path(home).expanduser() if home else default_home()
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LogsheetError(f"cannot create the workspace folder {root}: {exc.strerror}") from None
        return cls(root.resolve())

    @property
    def engine(self) -> DuckEngine:
        if self._engine is None:
            with self._engine_lock:  # the server's threads may ask for it at once: create exactly one
                if self._engine is None:
                    self._engine = DuckEngine(self.root / "tmp")
        return self._engine

    # --------------------------------------------------------------------------------------- housekeeping
    def new_staging(self) -> Path:
        path = self.root / "staging" / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        path.mkdir(parents=True)
        return path

    def new_sheet_directory(self) -> str:
        return f"sheets/{uuid.uuid4().hex}"

    def sweep(self) -> None:
        """Remove what interrupted imports left (:func:`logsheet.workspace.housekeeping.sweep`)."""
        housekeeping.sweep(self.root, self.catalog)

    # ---------------------------------------------------------------------------------------------- sheets
    def sheet(self, name: str) -> SheetRecord:
        record = self.catalog.get_sheet(name)
        if record is None:
            known = self.catalog.sheet_names()
            hint = f"; sheets: {', '.join(known)}" if known else "; the workspace has no sheets yet"
            raise NotFound(f"no sheet named {name!r}{hint}")
        return record

    def sheets(self) -> list[SheetRecord]:
        return [r for r in (self.catalog.get_sheet(n) for n in self.catalog.sheet_names()) if r is not None]

    def info(self, name: str) -> dict[str, Any]:
        record = self.sheet(name)
        return {
            "name": record.name,
            "format": record.format,
            "rows": record.row_count,
            "rejected": record.reject_count,
            "duplicates_removed": record.duplicate_count,
            "time_column": record.time_column,
            "columns": record.schema.to_json(),
            "bytes": record.bytes,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "sources": [s.to_json() for s in self.catalog.sources(record.id)],
            "imports": self.catalog.imports(record.id),
        }

    def rename_sheet(self, old: str, new: str) -> None:
        validate_sheet_name(new)
        self.sheet(old)
        if self.catalog.get_sheet(new) is not None:
            raise LogsheetError(f"a sheet named {new!r} already exists")
        self.catalog.rename_sheet(old, new)

    def delete_sheet(self, name: str) -> None:
        self.sheet(name)
        directory = self.catalog.delete_sheet(name)
        if directory:
            shutil.rmtree(self.root / directory, ignore_errors=True)

    def import_paths(
        self,
        paths: list[str | Path],
        sheet: str | None = None,
        format: str | None = None,
        append: bool = False,
        options: ImportOptions | Mapping[str, object] | None = None,
        progress: Any = None,
    ) -> Any:
        from logsheet.ingest.options import ImportOptions
        from logsheet.ingest.pipeline import run_import

        resolved = [Path(p).expanduser() for p in paths]
        if not resolved:
            raise LogsheetError("nothing to import: give one or more files or folders")
        name = sheet or default_sheet_name(resolved[0])
        validate_sheet_name(name)
        return run_import(self, resolved, name, format, append, ImportOptions.of(options), progress)

    # ---------------------------------------------------------------------------------------------- queries
    def plan(self, sheet: str, query: ir.Query | None = None, dialect: Any = None) -> ViewPlan:
        record = self.sheet(sheet)
        paths = [str(self.root / p) for p in record.data_paths()]
        if not paths:
            raise LogsheetError(f"sheet {sheet!r} has no rows")
        from logsheet.compiler.dialects import DUCKDB

        return ViewPlan(query or ir.Query(), record.schema, paths, dialect or DUCKDB, record.time_column)

    def query(
        self,
        sheet: str,
        query: ir.Query | None = None,
        limit: int = 100,
        offset: int = 0,
        timeout: float | None = DEFAULT_TIMEOUT,
        with_total: bool = True,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> Page:
        if not 0 <= limit <= MAX_PAGE:
            raise LogsheetError(f"a page holds 0 to {MAX_PAGE} rows, not {limit}")
        if offset < 0:
            raise LogsheetError("offset cannot be negative")
        started = time.monotonic()
        plan, engine_ = self.view(sheet, query, engine, dataset)
        columns = plan.columns()
        if plan.pages_by_id(offset):  # find the page's ids on the filter and sort columns, then read its rows
            ids = self._page_ids(sheet, plan, engine_, engine, dataset, limit, offset, timeout)
            result = engine_.fetch(plan.rows_for_ids_sql(ids), timeout)
        else:
            result = engine_.fetch(plan.rows_sql(limit, offset), timeout)
        grouped = plan.query.group is not None
        rows = [tuple(r) if grouped else tuple(r[1:]) for r in result.rows]
        rowids = [] if grouped else [int(r[0]) for r in result.rows]
        total = self._total(sheet, plan, engine_, engine, dataset, timeout) if with_total else len(rows)
        return Page(columns, rows, int(total or 0), offset, limit, rowids, time.monotonic() - started)

    def _page_ids(
        self,
        sheet: str,
        plan: ViewPlan,
        engine_: Any,
        engine: str | None,
        dataset: str | None,
        limit: int,
        offset: int,
        timeout: float | None,
    ) -> list[int]:
        """A page's row ids. Sorted by a stored time or number column, the page is first looked for among the
        rows in the last (or first) PROBE_FRACTION of that column's range, where the Parquet reader skips
        every other row group; a full page there is the answer, otherwise the whole view is read."""
        column = plan.probe_column() if (engine or self.default_engine) == "duckdb" and not dataset else None
        span = self._range(sheet, column, timeout) if column and offset + limit <= PROBE_MAX_ROWS else None
        if span is not None:
            low, high = span
            width = (high - low) * PROBE_FRACTION
            bound = high - width if plan.query.sort[0].descending else low + width
            ids = [r[0] for r in engine_.fetch(plan.rowids_sql(limit, offset, bound), timeout).rows]
            if len(ids) == limit:
                return ids
        return [r[0] for r in engine_.fetch(plan.rowids_sql(limit, offset), timeout).rows]

    def _range(self, sheet: str, column: str, timeout: float | None) -> tuple[Any, Any] | None:
        """The smallest and largest value of a sheet's column (None when blank or a single value), remembered."""
        record = self.sheet(sheet)
        key = (record.id, record.row_count, record.updated_at, column)

        def compute() -> tuple[Any, ...]:
            base = exp.Subquery(this=self.plan(sheet).filtered, alias=exp.TableAlias(this=exp.to_identifier("t")))
            select = exp.select(exp.Min(this=col(column)), exp.Max(this=col(column))).from_(base)
            low, high = self.engine.fetch(select, timeout).rows[0]
            return (low, high) if low is not None and high is not None and low != high else ()

        return self._ranges.remember(key, compute) or None

    def _total(
        self, sheet: str, plan: ViewPlan, engine_: Any, engine: str | None, dataset: str | None, timeout: float | None
    ) -> int:
        """The view's row count, remembered per sheet version and view (logsheet.store.totals)."""
        key = Totals.key(self.sheet(sheet), plan.query, engine or self.default_engine, dataset)
        return int(self._totals.remember(key, lambda: int(engine_.scalar(plan.count_sql(), timeout) or 0)))

    def count(
        self,
        sheet: str,
        query: ir.Query | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> int:
        plan, engine_ = self.view(sheet, query, engine, dataset)
        return int(engine_.scalar(plan.count_sql(), timeout) or 0)

    def sql(
        self,
        sheet: str,
        query: ir.Query | None = None,
        dialect: str = "duckdb",
        limit: int | None = None,
        engine: str | None = None,
    ) -> str:
        """The SQL a view compiles to. ``dialect`` spark or trino reads the sheet from a table (view) named
        after the sheet, as registered on a cluster or in Athena (see docs/spark.md); ``engine`` picks the
        dialect of that engine instead."""
        if engine is not None:
            dialect = engine
        if dialect == "duckdb":
            return to_sql(self.plan(sheet, query).rows_sql(limit, 0, with_rowid=False), dialect, pretty=True)
        from logsheet.compiler.dialects import dialect_for

        try:
            target = dialect_for(dialect, sheet)
        except ValueError as exc:
            raise LogsheetError(str(exc)) from None
        return target.render(self.plan(sheet, query, target).rows_sql(limit, 0, with_rowid=False), pretty=True)

    def stream(
        self,
        sheet: str,
        query: ir.Query | None = None,
        limit: int | None = None,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> tuple[list[OutputColumn], Iterator[pa.RecordBatch]]:
        """Every row of a view as Arrow batches (for exports), in the view's order."""
        plan, engine_ = self.view(sheet, query, engine, dataset)
        return plan.columns(), engine_.batches(plan.rows_sql(limit, 0, with_rowid=False))

    # ------------------------------------------------------------------------ engines (logsheet.engines.spark)
    def engine_setting(self) -> engine_settings.EngineSetting:
        """The workspace's stored engine setting (what ``logsheet serve`` and the CLI run views on)."""
        return engine_settings.load(self.catalog)

    def set_engine(self, engine: str, master: str | None = None, remote: str | None = None) -> engine_settings.EngineSetting:
        """Store the workspace's engine setting (``duckdb``, or ``spark`` with a ``master`` or a Spark Connect
        ``remote``) and run this workspace's views on it from now on."""
        setting = engine_settings.EngineSetting(engine, master or None, remote or None)
        engine_settings.save(self.catalog, setting)
        self._apply(setting)
        return setting

    def use_engine(self, engine: str, master: str | None = None, remote: str | None = None) -> None:
        """Run views on ``engine`` in this process only (``--engine`` on the command line); the stored setting
        is unchanged. ``spark`` without a master or remote keeps the setting's Spark location, if it has one."""
        if engine == "spark" and not master and not remote and self.default_engine == "spark":
            master, remote = self._spark_settings
        self._apply(engine_settings.EngineSetting(engine, master or None, remote or None))

    def serving(self) -> engine_settings.EngineSetting:
        """What runs views now: the setting, or what use_engine/use_spark chose for this process."""
        if self._setting_problem:
            raise LogsheetError(self._setting_problem)
        return engine_settings.EngineSetting(self.default_engine, *self._spark_settings)

    def _apply(self, setting: engine_settings.EngineSetting) -> None:
        self._setting_problem = None
        if setting.engine == "spark":
            same = self._spark_settings == (setting.master, setting.remote)
            self.use_spark(setting.master, setting.remote, self._spark if same else None)  # keep a started session
        else:
            self.default_engine = setting.engine
            self._spark_settings = (None, None)

    def use_spark(self, master: str | None = None, remote: str | None = None, engine: Any = None) -> None:
        """Run views on Spark from now on (``default_engine = "spark"``): a local or cluster ``master``, a
        Spark Connect ``remote`` (``sc://host:15002``), or a ready ``logsheet.engines.spark.engine.SparkEngine``.
        The session starts when the first view runs."""
        self._spark = engine
        self._spark_settings = (master, remote)
        self.default_engine = "spark"
        self._setting_problem = None

    @property
    def spark(self) -> Any:
        """The workspace's SparkEngine (started on first use, from use_spark's settings or the defaults)."""
        if self._spark is None:
            with self._engine_lock:
                if self._spark is None:
                    from logsheet.engines.spark.engine import SparkEngine

                    self._spark = SparkEngine.connect(*self._spark_settings)
        return self._spark

    def view(
        self, sheet: str, query: ir.Query | None = None, engine: str | None = None, dataset: str | None = None
    ) -> tuple[ViewPlan, Any]:
        """The compiled view and the engine that runs it: ``duckdb`` (in process) or ``spark``. On Spark,
        ``dataset`` (a folder or URL of Parquet, e.g. ``s3a://bucket/cloudtrail/``) replaces the sheet's own
        parts, read with the sheet's schema."""
        if engine is None and self._setting_problem:
            raise LogsheetError(self._setting_problem)
        engine = engine or self.default_engine
        if engine == "duckdb":
            if dataset:
                raise LogsheetError("reading a dataset in place needs the Spark engine (--engine spark)")
            return self.plan(sheet, query), self.engine
        if engine != "spark":
            raise LogsheetError(f"unknown engine {engine!r}; use duckdb or spark")
        from logsheet.compiler.dialects import SparkDialect

        record = self.sheet(sheet)
        paths = [dataset] if dataset else [str(self.root / p) for p in record.data_paths()]
        if not paths:
            raise LogsheetError(f"sheet {sheet!r} has no rows")
        relation = self.spark.relation(paths, record.schema)
        plan = ViewPlan(query or ir.Query(), record.schema, paths, SparkDialect(relation), record.time_column)
        return plan, self.spark

    def rejects(self, sheet: str, limit: int = 1000, offset: int = 0) -> Page:
        record = self.sheet(sheet)
        from logsheet.ingest.rejects_view import rejects_page

        return rejects_page(self.root, self.engine, record, limit, offset)

    def save_view(self, sheet: str, name: str, query: ir.Query) -> None:
        record = self.sheet(sheet)
        self.plan(sheet, query).columns()  # validate against the sheet before saving
        self.catalog.save_view(record.id, name, ir_json(query))

    def views(self, sheet: str) -> list[dict[str, Any]]:
        import json

        record = self.sheet(sheet)
        return [{"name": n, "query": json.loads(q), "created_at": c} for n, q, c in self.catalog.views(record.id)]

    # --------------------------------------------------------------- analysis beside the grid (logsheet.analysis)
    def histogram(
        self,
        sheet: str,
        query: ir.Query | None = None,
        buckets: int = 60,
        start: str | None = None,
        end: str | None = None,
        column: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Any:
        """Row counts of a view over time, on the sheet's time column (or ``column``): an analysis.Histogram,
        remembered per sheet version and view like totals (the timeline is asked again at every page)."""
        from logsheet import analysis

        key = (*Totals.key(self.sheet(sheet), query or ir.Query(), self.default_engine, None), buckets, start, end, column)
        return self._histograms.remember(
            key, lambda: analysis.histogram(*self.view(sheet, query), buckets, start, end, column, timeout)
        )

    def profile(
        self, sheet: str, column: str, query: ir.Query | None = None, top: int = 20, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Any:
        """Rows, blanks, distinct values, min, max and top values of a column in a view: an analysis.Profile.
        The distinct count is exact up to analysis.EXACT_DISTINCT_ROWS rows in the sheet, approximate (flagged) above."""
        from logsheet import analysis

        exact = self.sheet(sheet).row_count <= analysis.EXACT_DISTINCT_ROWS
        return analysis.profile(*self.view(sheet, query), column, top, exact, timeout)

    def preview(
        self, sheet: str, step: ir.Step, query: ir.Query | None = None, limit: int = 20, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Any:
        """The first rows of a view with one more step, and the columns it adds or changes: an analysis.Preview."""
        from logsheet import analysis

        base = query or ir.Query()
        before = self.plan(sheet, base).schema
        extended = analysis.preview_query(base, step)
        page = self.query(sheet, extended, limit, 0, timeout, with_total=False)
        return analysis.Preview(page, analysis.changed_columns(before, self.plan(sheet, extended).schema, step))

    @contextlib.contextmanager
    def request(self, request_id: str | None) -> Iterator[None]:
        """``with ws.request(id):`` — the queries run inside can be stopped by ``ws.cancel(id)`` from another
        thread, on DuckDB and, when the workspace runs views on Spark, on Spark."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.engine.request(request_id))
            if request_id and (self.default_engine == "spark" or self._spark is not None):
                stack.enter_context(self.spark.request(request_id))
            yield

    def cancel(self, request_id: str) -> bool:
        """Stop the queries running under ``request_id`` (they raise QueryCancelled); False if none runs."""
        on_duckdb = self._engine is not None and self._engine.cancel(request_id)
        on_spark = self._spark is not None and bool(self._spark.cancel(request_id))
        return on_duckdb or on_spark


__all__ = ["Page", "Workspace", "build_query", "default_home", "parse_agg", "ROWID"]
