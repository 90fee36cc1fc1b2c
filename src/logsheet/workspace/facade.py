"""The workspace: the one Python API that the CLI and the web server are thin shells over.

A workspace is a folder (``LOGSHEET_HOME``, default: the per-user data directory) holding the catalog
(``catalog.sqlite``), each sheet's immutable Parquet parts under ``sheets/``, and ``staging/`` for imports
in progress. Sheets are queried with :class:`logsheet.core.ir.Query` (or the filter language) through the
compiler, on the engine the workspace's setting names (:mod:`logsheet.workspace.engines`: DuckDB in process
by default, or Apache Spark); imports, rejects and the catalog always use DuckDB and the local folder.

The façade holds no strategy of its own: pages are read as :mod:`logsheet.compiler.paging` plans them, the
engine is :meth:`Engines.engine_for`'s, results are remembered by :mod:`logsheet.store.totals`, sheets are
described by :class:`~logsheet.workspace.summaries.SheetSummary` and files written by :mod:`logsheet.export`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from collections.abc import Mapping as AnyMapping
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import pyarrow as pa

from logsheet import analysis
from logsheet.compiler import ROWID, OutputColumn, ViewPlan, paging
from logsheet.compiler.dialects import DUCKDB, Dialect, dialect_for
from logsheet.core import ir
from logsheet.core.errors import Conflict, LogsheetError, NotFound
from logsheet.core.pivot_table import PivotTable
from logsheet.core.sheetnames import default_sheet_name, validate_case_name, validate_sheet_name
from logsheet.detect.findings import Finding
from logsheet.detect.sigma import Mapping
from logsheet.engines.base import DEFAULT_TIMEOUT, Engine
from logsheet.engines.datasets import DATE, DatasetSummary, partitioned
from logsheet.engines.duckdb import DuckEngine
from logsheet.export.files import export_format, write_view
from logsheet.export.page import MAX_PAGE, Page
from logsheet.query.spellings import build_query, ir_json, parse_agg
from logsheet.store import settings as engine_settings
from logsheet.store.catalog import Catalog, SheetRecord
from logsheet.store.totals import Remembered, sheet_key, view_key
from logsheet.workspace import audit as trail
from logsheet.workspace import cases as case_sets
from logsheet.workspace import detections, enrichment, externals, housekeeping, iocs
from logsheet.workspace import timeline as timelines
from logsheet.workspace.annotations import Annotation, annotate_rows, delete_annotation, list_annotations, remove_annotations
from logsheet.workspace.cases import Case
from logsheet.workspace.context import Context, check_counts, context_query, row_context
from logsheet.workspace.detections import RuleInfo, RuleRun
from logsheet.workspace.engines import Engines
from logsheet.workspace.summaries import JSONObject, SheetSummary

if TYPE_CHECKING:
    from logsheet.engines.spark.engine import SparkEngine
    from logsheet.ingest.options import ImportOptions
    from logsheet.ingest.pipeline import ImportSummary, Progress
    from logsheet.ingest.s3.importer import Transfer
    from logsheet.ingest.s3.request import S3Request
    from logsheet.workspace.pivot import Pivot
    from logsheet.workspace.pivot_table import PivotTableResult


def default_home() -> Path:
    env = os.environ.get("LOGSHEET_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("logsheet", appauthor=False))


MAX_OFFSET = 2**63 - 1 - MAX_PAGE  # the engines count rows in 64-bit integers: a page must end inside them


def check_offset(offset: int) -> None:
    """Refuse an offset the engines cannot count to (a 400, never the engine's conversion error)."""
    if not 0 <= offset <= MAX_OFFSET:
        raise LogsheetError(f"an offset is 0 to {MAX_OFFSET:,}, not {offset:,}")


def _saved_view(name: str, text: str, created_at: str) -> JSONObject:
    try:
        query = ir.query_from_json(text)
    except LogsheetError as exc:
        return {"name": name, "query": None, "created_at": created_at, "error": str(exc)}
    return {"name": name, "query": ir.query_to_json(query), "created_at": created_at}


def check_row_limit(limit: int | None) -> None:
    """Refuse a limit on the rows of an export that is negative or past the engines' 64-bit counts."""
    if limit is not None and not 0 <= limit <= MAX_OFFSET:
        raise LogsheetError(f"a limit is 0 to {MAX_OFFSET:,} rows, not {limit:,}")


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("sheets", "staging", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(root / "catalog.sqlite")
        self.engines = Engines(root / "tmp")
        self._totals: Remembered[int] = Remembered()
        self._ranges: Remembered[paging.Span | None] = Remembered()
        self._histograms: Remembered[analysis.Histogram] = Remembered()
        try:
            self.engines.apply(engine_settings.load(self.catalog))
        except LogsheetError as exc:  # reported when a view runs, so that `logsheet config` can still fix it
            self.engines.refuse(str(exc))
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
        """The workspace's DuckDB engine (imports, rejects, and views unless they run on Spark)."""
        return self.engines.duck

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

    # -------------------------------------------------------------------- recipes (logsheet.workspace.recipes)
    def recipe(self, sheet: str, view: str | None = None, query: ir.Query | None = None) -> JSONObject:
        """The recipe (steps, filter, groups as IR, and as SQL for DuckDB, Spark and Trino) of a saved view of
        the sheet, or of ``query``."""
        from logsheet.workspace import recipes

        made = recipes.export_recipe(self, sheet, view) if view else recipes.recipe_of(self, sheet, query or ir.Query())
        self.record("export recipe", [sheet], name=view or "", columns=made["from"]["columns"])
        return made

    def apply_recipe(
        self,
        data: bytes | str | AnyMapping[str, object],
        sheet: str,
        mapping: AnyMapping[str, str] | None = None,
        save_as: str | None = None,
        source: str = "the recipe",
    ) -> JSONObject:
        """Apply a recipe (a file's bytes, its text or its JSON) to a sheet: its view checked there, columns
        renamed by ``mapping`` first (a missing column is named, with the mapping that would use another), saved
        as ``save_as`` when given; answers ``{sheet, query, columns, rows, saved_as}``."""
        from logsheet.workspace import recipes

        return recipes.apply_recipe(self, data, sheet, mapping, save_as, source)

    # ------------------------------------------------------------------------ audit (logsheet.workspace.audit)
    def record(self, action: str, sheets: Sequence[str] = (), cases: Sequence[str] = (), **detail: object) -> None:
        """Append an entry to the workspace's audit trail (who, when, what, on which sheets and cases)."""
        trail.record(self, action, sheets, cases, **detail)

    def audit(self, case: str | None = None, limit: int | None = None) -> list[JSONObject]:
        """The audit trail's entries, oldest first: all, or those touching a case (its name or its sheets)."""
        return trail.entries(self, case, limit)

    def verify_audit(self) -> JSONObject:
        """Check the trail's hash chain: ``{ok, entries, head}``, or where it breaks (``line``, ``seq``, ``reason``)."""
        return trail.verify(self).to_json()

    # ---------------------------------------------------------------------------------------------- sheets
    def sheet(self, name: str) -> SheetRecord:
        record = self.catalog.get_sheet(name)
        if record is None:
            known = self.catalog.sheet_names()
            hint = f"; sheets: {', '.join(known)}" if known else "; the workspace has no sheets yet"
            raise NotFound(f"no sheet named {name!r}{hint}")
        return record

    def summary(self, name: str) -> SheetSummary:
        """A sheet's summary: format, rows, columns, sources with SHA-256 and accounting, imports."""
        return SheetSummary.of(self.sheet(name), self.catalog)

    def sheets(self) -> list[SheetSummary]:
        """Every sheet's summary, by name."""
        records = (self.catalog.get_sheet(n) for n in self.catalog.sheet_names())
        return [SheetSummary.of(r, self.catalog) for r in records if r is not None]

    def info(self, name: str) -> JSONObject:
        """A sheet's summary as JSON (``SheetSummary.to_json``)."""
        return self.summary(name).to_json()

    def rename_sheet(self, old: str, new: str) -> None:
        validate_sheet_name(new)
        self.sheet(old)
        if self.catalog.get_sheet(new) is not None:
            raise Conflict(f"a sheet named {new!r} already exists")
        self.catalog.rename_sheet(old, new)
        self.record("rename sheet", [old, new], name=new)

    def delete_sheet(self, name: str) -> None:
        self.sheet(name)
        directory = self.catalog.delete_sheet(name)
        if directory:
            shutil.rmtree(self.root / directory, ignore_errors=True)
        self.record("delete sheet", [name])

    def import_paths(
        self,
        paths: list[str | Path],
        sheet: str | None = None,
        format: str | None = None,
        append: bool = False,
        options: ImportOptions | AnyMapping[str, object] | None = None,
        progress: Progress | None = None,
        case: str | None = None,
    ) -> ImportSummary:
        """Import files into a sheet; the new sheet joins the default case and ``case`` (made if missing)."""
        from logsheet.ingest.options import ImportOptions
        from logsheet.ingest.pipeline import run_import

        resolved = [Path(p).expanduser() for p in paths]
        if not resolved:
            raise LogsheetError("nothing to import: give one or more files or folders")
        name = sheet or default_sheet_name(resolved[0])
        validate_sheet_name(name)
        if case is not None:
            validate_case_name(case)
        summary = run_import(self, resolved, name, format, append, ImportOptions.of(options), progress)
        return self._imported(name, summary, case)

    def import_s3(
        self,
        url: str,
        sheet: str | None = None,
        format: str | None = None,
        append: bool = False,
        options: ImportOptions | AnyMapping[str, object] | None = None,
        progress: Progress | None = None,
        case: str | None = None,
        s3: S3Request | AnyMapping[str, object] | None = None,
        transfer: Transfer | None = None,
    ) -> ImportSummary:
        """Import the objects of ``s3://BUCKET/PREFIX`` (:mod:`logsheet.ingest.s3`): ``s3`` holds the
        credentials, endpoint and selection (:class:`~logsheet.ingest.s3.request.S3Request`, or its
        ``from_mapping`` keys without ``url``); run again, an import reads only the objects not yet imported."""
        from logsheet.ingest.options import ImportOptions
        from logsheet.ingest.s3.importer import import_s3
        from logsheet.ingest.s3.request import S3Request

        request = s3 if isinstance(s3, S3Request) else S3Request.from_mapping({**(s3 or {}), "url": url})
        name = sheet or default_sheet_name(Path(request.url.bucket))
        validate_sheet_name(name)
        if case is not None:
            validate_case_name(case)
        summary = import_s3(self, request, name, format, append, ImportOptions.of(options), progress, transfer)
        return self._imported(name, summary, case)

    def _imported(self, name: str, summary: ImportSummary, case: str | None) -> ImportSummary:
        """After an import: the sheet joins ``case``; the rules run when the workspace asks for it."""
        self.record("import", [name], [case] if case else [], **trail.import_detail(summary, summary.appended))
        if case is not None:
            case_sets.join_case(self, case, name)
        if detections.on_import(self):
            try:
                run = self.run_rules(name)
            except LogsheetError as exc:
                summary.warnings.append(f"the rules did not run after the import: {exc}")
            else:
                summary.rules = {**run.to_json(), "by_level": dict(Counter(f.level or "none" for f in run.findings))}
        return summary

    # ---------------------------------------------------------------------------------------------- queries
    def plan(self, sheet: str, query: ir.Query | None = None, dialect: Dialect | None = None) -> ViewPlan:
        """A view of the sheet's own parts compiled for ``dialect`` (DuckDB's by default)."""
        record = self.sheet(sheet)
        paths = [str(self.root / p) for p in record.data_paths()]
        if not paths:
            raise LogsheetError(f"sheet {sheet!r} has no rows")
        notes = self.annotations_file(record)
        resolved = iocs.resolve(self, record, query or ir.Query())
        target = dialect or DUCKDB
        joined = externals.externals(self, resolved, lambda _paths, _schema, name: dialect_for(target.name, name))
        return ViewPlan(resolved, record.schema, paths, target, record.time_column, notes, externals=joined)

    def annotations_file(self, record: SheetRecord) -> str | None:
        """The path of the sheet's annotations file (what its views join), None when it has no annotations."""
        return str(self.root / record.annotations) if record.annotations else None

    def view(
        self, sheet: str, query: ir.Query | None = None, engine: str | None = None, dataset: str | None = None
    ) -> tuple[ViewPlan, Engine]:
        """The compiled view and the engine that runs it: ``duckdb`` (in process) or ``spark`` (default: what
        views run on). On Spark, ``dataset`` (a folder or URL of Parquet, e.g. ``s3a://bucket/cloudtrail/``)
        replaces the sheet's own parts, read with the sheet's schema."""
        record = self.sheet(sheet)
        runner = self.engines.engine_for(engine, dataset)
        paths = [dataset] if dataset else [str(self.root / p) for p in record.data_paths()]
        if not paths:
            raise LogsheetError(f"sheet {sheet!r} has no rows")
        notes = None if dataset else self.annotations_file(record)  # a dataset's row ids need not be the sheet's
        dialect = runner.source(paths, record.schema, notes)
        resolved = iocs.resolve(self, record, query or ir.Query())
        joined = externals.externals(self, resolved, lambda parts, schema, _name: runner.source(parts, schema, None))
        plan = ViewPlan(resolved, record.schema, paths, dialect, record.time_column, notes, externals=joined)
        return plan, runner

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
        """A page of a view (rows, or groups when it has ``group``) and its exact total (remembered)."""
        if not 0 <= limit <= MAX_PAGE:
            raise LogsheetError(f"a page holds 0 to {MAX_PAGE} rows, not {limit}")
        check_offset(offset)
        started = time.monotonic()
        plan, runner = self.view(sheet, query, engine, dataset)
        columns = plan.columns()
        page = paging.PagePlan(plan, limit, offset)
        if page.by_id:  # find the page's ids on the filter and sort columns, then read its rows
            ids = self._page_ids(sheet, page, runner, dataset, timeout)
            result = runner.fetch(page.rows_for_ids_sql(ids), timeout)
        else:
            result = runner.fetch(page.rows_sql(), timeout)
        grouped = plan.query.group is not None
        rows = [tuple(r) if grouped else tuple(r[1:]) for r in result.rows]
        rowids = [] if grouped else [int(r[0]) for r in result.rows]
        total = self._total(sheet, plan, runner, dataset, timeout) if with_total else len(rows)
        return Page(columns, rows, total, offset, limit, rowids, time.monotonic() - started)

    def _page_ids(
        self, sheet: str, page: paging.PagePlan, runner: Engine, dataset: str | None, timeout: float | None
    ) -> list[int]:
        """A page's row ids: probed near one end of its sort column's range first, where the engine can."""
        column = page.probe_column() if runner.probes_sorted_pages and not dataset else None
        found = self._range(sheet, column, timeout) if column else None
        if found is not None:
            ids = [r[0] for r in runner.fetch(page.probe_sql(found), timeout).rows]
            if len(ids) == page.limit:
                return ids
        return [r[0] for r in runner.fetch(page.rowids_sql(), timeout).rows]

    def _range(self, sheet: str, column: str, timeout: float | None) -> paging.Span | None:
        """The smallest and largest value of a sheet's column (None when blank or a single value), remembered."""
        record = self.sheet(sheet)

        def compute() -> paging.Span | None:
            low, high = self.engine.fetch(paging.range_sql(self.plan(sheet), column), timeout).rows[0]
            return paging.span(low, high)

        return self._ranges.remember(sheet_key(record, column), compute)

    def _total(self, sheet: str, plan: ViewPlan, runner: Engine, dataset: str | None, timeout: float | None) -> int:
        """The view's row count, remembered per sheet version and view (logsheet.store.totals)."""
        key = (*view_key(self.sheet(sheet), plan.query, runner.name, dataset), *externals.versions(self, plan.query))
        return self._totals.remember(key, lambda: int(runner.scalar(plan.count_sql(), timeout) or 0))

    def count(
        self,
        sheet: str,
        query: ir.Query | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> int:
        plan, runner = self.view(sheet, query, engine, dataset)
        return int(runner.scalar(plan.count_sql(), timeout) or 0)

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
        try:
            target = dialect_for(engine or dialect, sheet)
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
        check_row_limit(limit)
        plan, runner = self.view(sheet, query, engine, dataset)
        return plan.columns(), runner.batches(plan.rows_sql(limit, 0, with_rowid=False))

    def context(
        self,
        sheet: str,
        rowid: int,
        before: int = 10,
        after: int = 10,
        timeout: float | None = DEFAULT_TIMEOUT,
        engine: str | None = None,
    ) -> Context:
        """Row ``rowid`` of ``sheet`` and the ``before`` / ``after`` rows around it in time: the sheet's time
        column ascending (blank times last), ties broken by ``__rowid``; a sheet without a time column in row-id
        (file) order (``Context.order_by`` says which). NotFound for a row id the sheet does not hold."""
        check_counts(before, after)
        record = self.sheet(sheet)
        plan, runner = self.view(sheet, context_query(record.time_column, record.schema), engine)
        return row_context(sheet, plan, runner, rowid, before, after, timeout)

    # ---------------------------------------------------------------------------------------------- exports
    def export(
        self,
        sheet: str,
        query: ir.Query,
        output: Path,
        limit: int | None = None,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> int:
        """Write a view to ``output`` (.csv, .json, .ndjson/.jsonl or .parquet: :mod:`logsheet.export.files`);
        the number of rows written."""
        fmt = export_format(output)
        columns, batches = self.stream(sheet, query, limit, engine, dataset)
        written = write_view(columns, batches, output, fmt)
        self.record("export", [sheet], rows=written, format=fmt, file=output.name, view=ir.query_to_json(query))
        return written

    def export_dataset(
        self,
        sheet: str,
        query: ir.Query,
        directory: str,
        partition_by: str = DATE,
        limit: int | None = None,
        engine: str | None = None,
        dataset: str | None = None,
    ) -> DatasetSummary:
        """Write the rows of a view under ``directory``, one folder per value of ``partition_by``: ``date``
        (the UTC day of the sheet's time column, unless the sheet has a column of that name) or a column
        (:mod:`logsheet.engines.datasets`). On Spark, ``directory`` may be an ``s3a://`` or ``hdfs://`` URL."""
        check_row_limit(limit)
        if query.group is not None:
            raise LogsheetError("a dataset holds rows: export a view without --group-by")
        plan, runner = self.view(sheet, query, engine, dataset)
        statement = partitioned(plan, self.sheet(sheet).time_column, partition_by, limit)
        written = runner.write_dataset(statement, directory, partition_by)
        self.record("export dataset", [sheet], rows=written.rows, directory=str(directory), view=ir.query_to_json(query))
        return written

    # ------------------------------------------------------------------------ engines (logsheet.workspace.engines)
    @property
    def default_engine(self) -> str:
        """The name of the engine views run on when not told: the setting, or use_engine/use_spark's."""
        return self.engines.default

    def engine_setting(self) -> engine_settings.EngineSetting:
        """The workspace's stored engine setting (what ``logsheet serve`` and the CLI run views on)."""
        return engine_settings.load(self.catalog)

    def set_engine(self, engine: str, master: str | None = None, remote: str | None = None) -> engine_settings.EngineSetting:
        """Store the workspace's engine setting (``duckdb``, or ``spark`` with a ``master`` or a Spark Connect
        ``remote``) and run this workspace's views on it from now on."""
        setting = engine_settings.EngineSetting(engine, master or None, remote or None)
        engine_settings.save(self.catalog, setting)
        self.record("set engine", engine=setting.engine)
        self.engines.apply(setting)
        return setting

    def use_engine(self, engine: str | None, master: str | None = None, remote: str | None = None) -> None:
        """Run views on ``engine`` in this process only (``--engine`` on the command line); the stored setting
        is unchanged. A master or a remote means Spark (:func:`logsheet.workspace.engines.requested`); ``spark``
        without them keeps the Spark location views run on, if they run on Spark."""
        self.engines.use(engine, master, remote)

    def serving(self) -> engine_settings.EngineSetting:
        """What runs views now: the setting, or what use_engine/use_spark chose for this process."""
        return self.engines.serving()

    def use_spark(self, master: str | None = None, remote: str | None = None, engine: SparkEngine | None = None) -> None:
        """Run views on Spark from now on (``default_engine = "spark"``): a local or cluster ``master``, a
        Spark Connect ``remote`` (``sc://host:15002``), or a ready ``logsheet.engines.spark.engine.SparkEngine``.
        The session starts when the first view runs."""
        self.engines.use_spark(master, remote, engine)

    @property
    def spark(self) -> SparkEngine:
        """The workspace's SparkEngine (started on first use, from use_spark's settings or the defaults)."""
        return self.engines.spark

    def engine_for(self, engine: str | None = None, dataset: str | None = None) -> Engine:
        """The engine that runs views named ``engine`` (default: what views run on)."""
        return self.engines.engine_for(engine, dataset)

    # ------------------------------------------------------------------------------------ rejects and views
    def rejects(self, sheet: str, limit: int = 1000, offset: int = 0) -> Page:
        if not 0 <= limit <= MAX_PAGE:
            raise LogsheetError(f"a page holds 0 to {MAX_PAGE} rows, not {limit}")
        check_offset(offset)
        record = self.sheet(sheet)
        from logsheet.ingest.rejects_view import rejects_page

        return rejects_page(self.root, self.engine, record, limit, offset)

    def save_view(self, sheet: str, name: str, query: ir.Query) -> None:
        record = self.sheet(sheet)
        self.plan(sheet, query).columns()  # validate against the sheet before saving
        self.catalog.save_view(record.id, name, ir_json(query))
        self.record("save view", [sheet], name=name, view=ir.query_to_json(query))

    def delete_view(self, sheet: str, name: str) -> None:
        """Forget a saved view (its sheet is untouched); NotFound when the sheet has no view of that name."""
        record = self.sheet(sheet)
        if not self.catalog.delete_view(record.id, name):
            raise NotFound(f"sheet {sheet!r} has no saved view named {name!r}")
        self.record("delete view", [sheet], name=name)

    def views(self, sheet: str) -> list[JSONObject]:
        """The sheet's saved views: ``{name, query (IR JSON), created_at}``. A stored view this logsheet cannot read
        (saved before the IR's limits, or by another version) is listed with ``query: null`` and its ``error``,
        so that it can still be deleted and never stops the others from being listed."""
        record = self.sheet(sheet)
        return [_saved_view(n, q, c) for n, q, c in self.catalog.views(record.id)]

    # ------------------------------------------------------------------------- cases (logsheet.workspace.cases)
    def cases(self) -> list[Case]:
        """Every case (a named set of sheets), by name; the default case is always there."""
        return case_sets.list_cases(self)

    def case(self, name: str | None = None) -> Case:
        """The case of that name (NotFound when there is none), or the default case."""
        return case_sets.get_case(self, name)

    def create_case(self, name: str, sheets: Sequence[str] = ()) -> Case:
        made = case_sets.create_case(self, name, sheets)
        self.record("create case", made.sheets, [made.name])
        return made

    def rename_case(self, old: str, new: str) -> Case:
        renamed = case_sets.rename_case(self, old, new)
        self.record("rename case", [], [old, renamed.name], name=renamed.name)
        return renamed

    def delete_case(self, name: str) -> None:
        """Forget a case (never the default one); its sheets stay."""
        case_sets.delete_case(self, name)
        self.record("delete case", [], [name])

    def add_to_case(self, name: str, sheets: Sequence[str]) -> Case:
        changed = case_sets.add_to_case(self, name, sheets)
        self.record("add to case", list(sheets), [changed.name])
        return changed

    def remove_from_case(self, name: str, sheets: Sequence[str]) -> Case:
        changed = case_sets.remove_from_case(self, name, sheets)
        self.record("remove from case", list(sheets), [changed.name])
        return changed

    # ------------------------------------------------------------------- timelines (logsheet.workspace.timeline)
    def timeline(
        self,
        case: str | None = None,
        query: ir.Query | None = None,
        limit: int = 100,
        offset: int = 0,
        timeout: float | None = DEFAULT_TIMEOUT,
        with_total: bool = True,
        engine: str | None = None,
    ) -> Page:
        """A page of a case's timeline (default: the default case), oldest first unless sorted otherwise."""
        check_offset(offset)
        return timelines.page(self, case, query, limit, offset, timeout, with_total, engine)[0]

    def timeline_view(
        self, case: str | None = None, query: ir.Query | None = None, engine: str | None = None
    ) -> timelines.Timeline:
        """The compiled timeline: its plan, the sheets it holds and those left out (``notes()``)."""
        return timelines.compile_timeline(self, case, query, engine)

    def timeline_count(
        self,
        case: str | None = None,
        query: ir.Query | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        engine: str | None = None,
    ) -> int:
        return timelines.count_of(self, timelines.compile_timeline(self, case, query, engine), timeout)

    def timeline_histogram(
        self,
        case: str | None = None,
        query: ir.Query | None = None,
        buckets: int = 60,
        start: str | None = None,
        end: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> timelines.StackedHistogram:
        """The timeline's row counts over time, stacked by sheet."""
        return timelines.histogram(self, case, query, buckets, start, end, timeout)

    def timeline_stream(
        self, case: str | None = None, query: ir.Query | None = None, limit: int | None = None, engine: str | None = None
    ) -> tuple[list[OutputColumn], Iterator[pa.RecordBatch]]:
        check_row_limit(limit)
        return timelines.stream(self, case, query, limit, engine)

    def export_timeline(
        self, case: str | None, query: ir.Query | None, output: Path, limit: int | None = None, engine: str | None = None
    ) -> int:
        """Write a case's timeline view to ``output`` (.csv, .json, .ndjson/.jsonl or .parquet)."""
        check_row_limit(limit)
        written = timelines.export(self, case, query, output, limit, engine)
        view = ir.query_to_json(query or ir.Query())
        self.record("export timeline", [], [self.case(case).name], rows=written, file=output.name, view=view)
        return written

    # --------------------------------------- saved timeline views and annotations from the timeline
    def save_timeline_view(self, case: str | None, name: str, query: ir.Query) -> JSONObject:
        """Save (or replace) a timeline view under a name in the case (logsheet.workspace.timeline_views)."""
        from logsheet.workspace.timeline_views import save_timeline_view

        saved = save_timeline_view(self, case, name, query)
        self.record("save timeline view", [], [self.case(case).name], name=name, view=ir.query_to_json(query))
        return saved

    def timeline_views(self, case: str | None = None) -> list[JSONObject]:
        """The case's saved timeline views: ``{name, query (IR JSON), created_at}``, by name."""
        from logsheet.workspace.timeline_views import timeline_views

        return timeline_views(self, case)

    def saved_timeline_view(self, case: str | None, name: str) -> ir.Query:
        """The IR of a saved timeline view of the case; NotFound when it has none of that name."""
        from logsheet.workspace.timeline_views import saved_query

        return saved_query(self, case, name)

    def delete_timeline_view(self, case: str | None, name: str) -> None:
        from logsheet.workspace.timeline_views import delete_timeline_view

        delete_timeline_view(self, case, name)
        self.record("delete timeline view", [], [self.case(case).name], name=name)

    def annotate_timeline(
        self,
        case: str | None,
        query: ir.Query | None = None,
        rowids: Sequence[int] | None = None,
        *,
        star: bool = False,
        tag: str | None = None,
        comment: str | None = None,
        author: str | None = None,
        remove: bool = False,
    ) -> dict[str, int]:
        """Star, tag or comment the rows of a timeline view and/or timeline rows by id, each in its own sheet
        (``remove``: unstar or untag them); rows annotated per sheet (logsheet.workspace.timeline_annotations)."""
        from logsheet.workspace.timeline_annotations import annotate_timeline

        done = annotate_timeline(self, case, query, rowids, star=star, tag=tag, comment=comment, author=author, remove=remove)
        kind = trail.annotation_kind(star, tag, comment, remove)
        self.record(f"{kind} from the timeline", list(done), [self.case(case).name], value=tag or comment, rows=done)
        return done

    def pivot(
        self,
        value: str,
        case: str | None = None,
        anywhere: bool = False,
        top: int = 10,
        engine: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Pivot:
        """Every row of the case's sheets (the default case's) holding ``value`` in an entity column (or, with
        ``anywhere``, in any column): per sheet its rows, first and last seen, and the related entities, the
        ``top`` of each kind (:mod:`logsheet.workspace.pivot`)."""
        from logsheet.workspace.pivot import pivot

        return pivot(self, value, case, anywhere, top, engine, timeout)

    def pivot_table(
        self,
        sheet: str,
        query: ir.Query | None,
        spec: PivotTable,
        engine: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> PivotTableResult:
        """A pivot table of a view: rows × columns × an aggregate, with totals (:mod:`logsheet.workspace.pivot_table`)."""
        from logsheet.workspace.pivot_table import pivot_table

        return pivot_table(self, sheet, query, spec, engine, timeout)

    def element_fields(self, sheet: str, path: str, query: ir.Query | None = None) -> list[str]:
        """The fields of the elements of the JSON array at ``path`` (sampled), for an explode step's columns."""
        from logsheet.workspace.pivot_table import element_fields

        return element_fields(self, sheet, query, path)

    # ------------------------------------------------------------------------- detections (logsheet.detect)
    def rules(self, sigma: Sequence[str | Path] = (), builtin: bool = True, mappings: Sequence[Mapping] = ()) -> list[RuleInfo]:
        """The rules a run would use: the built-in pack (unless ``builtin`` is false), the workspace's rule
        paths, and ``sigma`` (Sigma files or folders)."""
        return detections.list_rules(detections.rule_sources(self, sigma, builtin), mappings)

    def run_rules(
        self,
        sheet: str,
        sigma: Sequence[str | Path] = (),
        builtin: bool = True,
        mappings: Sequence[Mapping] = (),
        engine: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> RuleRun:
        """Run the rules on a sheet, store its findings (replacing those the same rules found before)."""
        sources = detections.rule_sources(self, sigma, builtin)
        run = detections.run_rules(self, sheet, sources, mappings, engine, timeout)
        self.record("run rules", [sheet], rules=run.rules, findings=len(run.findings), sigma=[str(p) for p in sigma])
        return run

    def findings(self, sheet: str | None = None, case: str | None = None) -> list[Finding]:
        """The stored findings, of one sheet, of a case's sheets, or of every sheet, the most severe first."""
        if case is not None:
            found = case_sets.case_findings(self, case)
            return found if sheet is None else [f for f in found if f.sheet == sheet]
        return detections.stored_findings(self, sheet)

    def finding(self, finding: str) -> Finding:
        return detections.stored_finding(self, finding)

    def last_rule_run(self, sheet: str) -> JSONObject | None:
        """What the last run of rules on the sheet did (rules run, refused and why), or None."""
        return detections.last_run(self, sheet)

    def finding_query(self, sheet: str, finding: str, query: ir.Query | None = None) -> ir.Query:
        """A view narrowed to a finding's rows: ``query``'s filter and the finding's, both."""
        return detections.finding_query(self, sheet, finding, query)

    def rules_settings(self) -> JSONObject:
        return detections.rules_settings(self)

    def set_rules_settings(self, on_import: bool | None = None, sigma: Sequence[str] | None = None) -> JSONObject:
        """Run the rules after every import (or not), and the workspace's own rule paths."""
        changed = detections.set_rules_settings(self, on_import, sigma)
        self.record("rules settings", **changed)
        return changed

    # ------------------------------------------------------------------------ IOC lists (logsheet.workspace.iocs)
    def import_iocs(
        self,
        path: str | Path,
        name: str | None = None,
        kind: str | None = None,
        level: str = "high",
        replace: bool = False,
        data: bytes | None = None,
    ) -> JSONObject:
        """Read an IOC file (plain text, CSV or a STIX 2.1 bundle) into the list ``name`` (default: the file's
        name); what was set aside is in the result, with its line and reason."""
        made = iocs.import_list(self, path, name, kind, level, replace, data)
        self.record(
            "import IOC list", name=made["name"], source=made["source"], sha256=made["sha256"], indicators=made["indicators"]
        )
        return made

    def ioc_lists(self) -> list[JSONObject]:
        return iocs.lists(self)

    def ioc_indicators(self, name: str) -> list[JSONObject]:
        return [i.to_json() for i in iocs.indicators(self, name)]

    def delete_ioc_list(self, name: str) -> None:
        """Forget a list (its findings stay until the next match of the case's sheets)."""
        iocs.delete_list(self, name)
        self.record("delete IOC list", name=name)

    def match_iocs(
        self,
        case: str | None = None,
        lists: Sequence[str] = (),
        engine: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        record_findings: bool = True,
    ) -> list[iocs.SheetMatch]:
        """Match IOC lists against every sheet of a case: per sheet with hits, its rows, the indicators found;
        each list's rows kept as a finding (rule ``ioc:LIST``) unless ``record_findings`` is false."""
        found = iocs.match(self, case, tuple(lists), engine, timeout, record_findings)
        hits = {m.sheet: m.rows for m in found}
        self.record("match IOC lists", list(hits), [self.case(case).name], lists=list(lists), rows=hits)
        return found

    # ---------------------------------------------------------------- annotations (logsheet.workspace.annotations)
    def annotate(
        self,
        sheet: str,
        query: ir.Query | None = None,
        rowids: Sequence[int] | None = None,
        *,
        star: bool = False,
        tag: str | None = None,
        comment: str | None = None,
        author: str | None = None,
    ) -> int:
        """Star, tag or comment the rows of a view (``query``) and/or rows by id; how many rows gained it. The
        author defaults to the OS user's name."""
        done = annotate_rows(self, sheet, query, rowids, star=star, tag=tag, comment=comment, author=author)
        kind = trail.annotation_kind(star, tag, comment, False)
        self.record(kind, [sheet], value=tag or comment, rows=done, rowids=list(rowids or [])[:100], view=trail.view_of(query))
        return done

    def remove_annotations(
        self,
        sheet: str,
        query: ir.Query | None = None,
        rowids: Sequence[int] | None = None,
        *,
        star: bool = False,
        tag: str | None = None,
        comments: bool = False,
    ) -> int:
        """Unstar, untag or uncomment the rows of a view and/or rows by id; how many annotations went."""
        gone = remove_annotations(self, sheet, query, rowids, star=star, tag=tag, comments=comments)
        kind = "uncomment" if comments else trail.annotation_kind(star, tag, None, True)
        self.record(kind, [sheet], value=tag, rows=gone, rowids=list(rowids or [])[:100], view=trail.view_of(query))
        return gone

    def delete_annotation(self, annotation_id: int) -> Annotation:
        """Remove one annotation (a comment) by its id."""
        gone = delete_annotation(self, annotation_id)
        self.record("delete annotation", [gone.sheet], id=annotation_id, kind=gone.kind, value=gone.value, rowid=gone.rowid)
        return gone

    def annotations(
        self,
        sheet: str | None = None,
        sheets: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        *,
        case: str | None = None,
        newest_first: bool = False,
    ) -> list[Annotation]:
        """The annotations of a sheet, of ``sheets``, of a ``case``'s sheets (NotFound for an unknown case), or of
        every sheet, oldest first (``newest_first``: the newest first)."""
        if case is not None:
            if sheet is not None or sheets is not None:
                raise LogsheetError("choose the annotations of a sheet, of sheets or of a case, not several")
            return case_sets.case_annotations(self, case, limit, offset, newest_first)
        return list_annotations(self, sheet, sheets, limit, offset, newest_first)

    # ------------------------------------------------------------------------- the case report (logsheet.report)
    def report(
        self,
        case: str | None = None,
        fmt: str = "html",
        views: Sequence[tuple[str, str]] = (),
        title: str | None = None,
        author: str | None = None,
    ) -> str:
        """The case's report (default: the default case) as ``html`` (one self-contained file) or ``md``:
        summary, findings, starred events, the saved ``views`` ((sheet, view) pairs) as tables, charts and the
        evidence appendix (docs/report.md). Every report (CLI, API, UI) is made here, and recorded in the audit
        trail: its case and sheets, format, views, size and the SHA-256 of its text."""
        import hashlib

        from logsheet import report as reports

        if fmt not in reports.FORMATS:
            raise LogsheetError(f"unknown report format {fmt!r}; formats: {', '.join(reports.FORMATS)}")
        gathered = reports.gather(self, case, views, title, author)
        made = reports.render(gathered, fmt)
        data = made.encode("utf-8")
        self.record(
            "report",
            [s.name for s in gathered.sheets],
            [gathered.case],
            format=fmt,
            views=[f"{sheet}:{view}" for sheet, view in views],
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        return made

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
    ) -> analysis.Histogram:
        """Row counts of a view over time, on the sheet's time column (or ``column``), remembered per sheet
        version and view like totals (the timeline is asked again at every page)."""
        key = (*view_key(self.sheet(sheet), query or ir.Query(), self.default_engine, None), buckets, start, end, column)
        key += externals.versions(self, query or ir.Query())
        return self._histograms.remember(
            key, lambda: analysis.histogram(*self.view(sheet, query), buckets, start, end, column, timeout)
        )

    def profile(
        self, sheet: str, column: str, query: ir.Query | None = None, top: int = 20, timeout: float | None = DEFAULT_TIMEOUT
    ) -> analysis.Profile:
        """Rows, blanks, distinct values, min, max and top values of a column in a view. The distinct count is
        exact up to analysis.EXACT_DISTINCT_ROWS rows in the sheet, approximate (flagged) above."""
        exact = self.sheet(sheet).row_count <= analysis.EXACT_DISTINCT_ROWS
        return analysis.profile(*self.view(sheet, query), column, top, exact, timeout)

    def check_formula(self, text: str, sheet: str | None = None, query: ir.Query | None = None) -> JSONObject:
        """A formula checked (docs/formulas.md): its canonical text and tree, and with ``sheet`` the type of the
        column it would add to ``query``; FilterSyntaxError at the character when it is wrong."""
        from logsheet.compiler.formula import describe_formula

        schema = None
        if sheet is not None:
            base = (query or ir.Query()).with_(where=None, search="", group=None, columns=(), sort=())
            schema = self.plan(sheet, base).schema
        return describe_formula(text, schema)

    def preview(
        self, sheet: str, step: ir.Step, query: ir.Query | None = None, limit: int = 20, timeout: float | None = DEFAULT_TIMEOUT
    ) -> analysis.Preview:
        """The first rows of a view with one more step, and the columns it adds or changes."""
        base = query or ir.Query()
        before = self.plan(sheet, base).schema
        extended = analysis.preview_query(base, step)
        page = self.query(sheet, extended, limit, 0, timeout, with_total=False)
        return analysis.Preview(page, analysis.changed_columns(before, self.plan(sheet, extended).schema, step))

    # ------------------------------------------------ lookups and IP enrichment (logsheet.workspace.enrichment)
    def lookup_counts(
        self, sheet: str, query: ir.Query, engine: str | None = None, timeout: float | None = DEFAULT_TIMEOUT
    ) -> list[JSONObject]:
        """For each lookup step of a view: ``{step, sheet, column, matched, rows}`` (rows of the view that found
        a match in the other sheet, of its rows)."""
        return externals.lookup_counts(self, sheet, query, engine, timeout)

    def set_ip_ranges(self, path: str | Path) -> JSONObject:
        """Read an AWS ``ip-ranges.json`` and store it as the workspace's AWS ranges (the enrich step's)."""
        return enrichment.set_ip_ranges(self, Path(path))

    def set_geoip(self, path: str | Path) -> JSONObject:
        """Read a MaxMind / DB-IP ``.mmdb`` file and store it as the workspace's GeoIP ranges."""
        return enrichment.set_geoip(self, Path(path))

    def clear_enrichment(self, which: str) -> None:
        """Forget the ``ip-ranges`` or the ``geoip`` setting."""
        if which not in ("ip-ranges", "geoip"):
            raise LogsheetError(f"unknown enrichment setting {which!r}; use ip-ranges or geoip")
        enrichment.clear(self, which)

    def enrichment(self) -> JSONObject:
        """What the enrich step has: ``{"ip_ranges": info or None, "geoip": info or None}``."""
        return enrichment.status(self)

    def describe_ip(self, address: str) -> JSONObject:
        """What the enrich step says of one address (class, AWS service and region, GeoIP facts)."""
        return enrichment.describe_ip(self, address)

    # ------------------------------------------------------------------------------------------- cancelling
    @contextlib.contextmanager
    def request(self, request_id: str | None) -> Iterator[None]:
        """``with ws.request(id):`` — the queries run inside can be stopped by ``ws.cancel(id)`` from another
        thread, on DuckDB and, when the workspace runs views on Spark, on Spark."""
        with self.engines.request(request_id):
            yield

    def cancel(self, request_id: str) -> bool:
        """Stop the queries running under ``request_id`` (they raise QueryCancelled); False if none runs."""
        return self.engines.cancel(request_id)


__all__ = ["Case", "Context", "Page", "SheetSummary", "Workspace", "build_query", "default_home", "parse_agg", "ROWID"]
