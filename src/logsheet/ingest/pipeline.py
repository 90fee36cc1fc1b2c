"""The import pipeline every format plugs into.

1. discover: walk folders, open archives safely, hash every file (SHA-256 of the evidence as it is);
2. detect: sniff each file's content, or take the ``format`` override; files of another format than the
   sheet's are set aside with the reason;
3. read: the format stages its records (``__source``, ``__pos``, columns) and reports its rejects;
4. write: one Parquet part (zstd) with a stable ``__rowid`` (source id × 2^40 + position), duplicates
   removed when the format names a key (CloudTrail's ``eventID``), also against rows already in the sheet;
5. commit: the part is moved into the sheet's folder and recorded in the catalog in one transaction.

Until step 5 commits, nothing is visible: an import killed at any point leaves no sheet, and the staging
folder it leaves behind is swept the next time the workspace opens.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
from sqlglot import exp

from logsheet.core.columns import POS, ROWID, SOURCE, row_id
from logsheet.core.errors import Conflict, ImportFailed, LogsheetError
from logsheet.core.schema import Column, Schema, logical_type
from logsheet.core.sqlnames import col, lit, render
from logsheet.engines.duckdb import configure
from logsheet.ingest import formats
from logsheet.ingest.discover import Discovery, Found, discover
from logsheet.ingest.formats.base import ReadContext, SourceFile, Staged
from logsheet.ingest.formats.stage import copy_to_parquet, parquet_table
from logsheet.ingest.options import ImportOptions
from logsheet.ingest.rejects import RejectLog
from logsheet.store.catalog import Catalog, NewImport, SourceRecord, merge_schemas, now


class ImportTarget(Protocol):
    """Where an import commits: a workspace's folder and catalog (:class:`logsheet.workspace.Workspace`)."""

    root: Path
    catalog: Catalog

    def new_staging(self) -> Path: ...

    def new_sheet_directory(self) -> str: ...


Progress = Callable[[str, float, float], None]
IMPORT_MEMORY = os.environ.get("LOGSHEET_IMPORT_MEMORY", "1GB")


@dataclass
class ImportSummary:
    sheet: str
    format: str
    rows: int
    rejected: int
    duplicates: int
    columns: list[Column]
    time_column: str | None
    sources: list[SourceRecord]
    elapsed: float
    appended: bool
    warnings: list[str] = field(default_factory=list)
    rules: dict[str, Any] | None = None  # the detection run after the import, when the workspace asks for one
    s3: dict[str, Any] | None = None  # an S3 import: what was listed, imported, left out (logsheet.ingest.s3)

    def to_json(self) -> dict[str, Any]:
        out = {
            "sheet": self.sheet,
            "format": self.format,
            "rows": self.rows,
            "rejected": self.rejected,
            "duplicates_removed": self.duplicates,
            "columns": [c.to_json() for c in self.columns],
            "time_column": self.time_column,
            "sources": [s.to_json() for s in self.sources],
            "elapsed_seconds": round(self.elapsed, 3),
            "appended": self.appended,
            "warnings": self.warnings,
        }
        if self.rules is not None:
            out["rules"] = self.rules
        if self.s3 is not None:
            out["s3"] = self.s3
        return out


def run_import(
    ws: ImportTarget,
    paths: list[Path],
    sheet: str,
    fmt: str | None = None,
    append: bool = False,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    *,
    fetched: Discovery | None = None,
) -> ImportSummary:
    """Import ``paths`` into ``sheet``; or, with ``fetched``, files already found and hashed elsewhere (the
    objects :mod:`logsheet.ingest.s3` downloaded into the workspace's staging folder)."""
    options = ImportOptions() if options is None else options
    started, clock = now(), time.monotonic()
    existing = ws.catalog.get_sheet(sheet)
    if existing is not None and not append:
        raise Conflict(f"sheet {sheet!r} already exists; add --append to add these files to it")
    if existing is not None and fmt and fmt != existing.format:
        raise LogsheetError(f"sheet {sheet!r} holds {existing.format} data; cannot append {fmt}")
    staging = ws.new_staging()
    con = duckdb.connect(":memory:")
    try:
        configure(con, staging / "spill", IMPORT_MEMORY)
        _report(progress, "discovering", 0, 1)
        discovery = fetched if fetched is not None else discover(paths, staging, follow_links=options.follow_links)
        found = discovery.found
        if not found:
            skipped = "; ".join(discovery.notes[:3])
            raise ImportFailed(f"no files found in {', '.join(str(p) for p in paths)}" + (f" ({skipped})" if skipped else ""))
        first = ws.catalog.reserve_ids("source", len(found))
        sources = [_source(first + i, f) for i, f in enumerate(found)]
        rejects = RejectLog(staging / "rejects.parquet")
        refused = {s.id: f.refused for s, f in zip(sources, found) if f.refused}
        for source in sources:
            if source.id in refused:
                rejects.whole_file(source, refused[source.id])
        readable = [s for s in sources if s.id not in refused]
        chosen, accepted, notes = _choose_format(readable, fmt, existing.format if existing else None, rejects)
        notes.update(refused)
        module = formats.get(chosen)
        forced = {"format": fmt} if fmt else {}  # a reader may refuse what it was not asked to read (text: binary)
        ctx = ReadContext(con=con, staging=staging, reject=rejects, options={**options.to_json(), **forced})
        _report(progress, "reading", 0, 1)
        staged = module.read(accepted, ctx) if accepted else None
        if staged is not None and options.keep_duplicates:
            staged.dedupe_key = None
        data_path = staging / "data.parquet"
        emitted, kept, schema = _write(con, staged, data_path, existing, ws, progress)
        reject_count = rejects.close()
        records = _account(sources, emitted, kept, rejects.counts, staged, notes, chosen, found)
        summary = ImportSummary(
            sheet,
            chosen,
            sum(kept.values()),
            reject_count,
            sum(emitted.values()) - sum(kept.values()),
            list(schema),
            (staged.time_column if staged else None),
            records,
            0.0,
            existing is not None,
        )
        summary.warnings.extend(discovery.notes)
        summary.warnings.extend(_widened(existing.schema if existing else None, schema))
        if reject_count:
            summary.warnings.append(
                f"{reject_count} record(s) could not be read and were set aside; see: logsheet rejects {sheet}"
            )
        if summary.rows == 0 and existing is None:
            reasons = sorted({n for n in (*notes.values(), *(staged.notes.values() if staged else ())) if n})
            reasons += rejects.examples
            raise ImportFailed(
                f"nothing could be imported from {len(sources)} file(s): " + ("; ".join(reasons[:3]) or "no records found")
            )
        _commit(ws, sheet, existing, staging, data_path, schema, summary, records, fmt, options, started)
        summary.elapsed = time.monotonic() - clock
        _report(progress, "done", 1, 1)
        return summary
    finally:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)


def _widened(before: Schema | None, part: Schema) -> list[str]:
    """What an append changes in the sheet's column types (values are never rounded to fit)."""
    if before is None:
        return []
    merged = merge_schemas(before, part)
    return [
        f"column {c.name!r} is now {merged_type} (it was {c.type}): the appended values do not all fit {c.type}"
        for c in before
        if (merged_type := (merged.get(c.name) or c).type) != c.type
    ]


def _report(progress: Progress | None, phase: str, done: float, total: float) -> None:
    if progress is not None:
        progress(phase, done, total)


def _source(source_id: int, found: Found) -> SourceFile:
    return SourceFile(
        source_id, found.path, found.display, found.size, found.sha256, found.compressed, found.container, found.container_sha256
    )


def _choose_format(
    sources: list[SourceFile], override: str | None, sheet_format: str | None, rejects: RejectLog
) -> tuple[str, list[SourceFile], dict[int, str]]:
    """The sheet's format, the sources that are of it, and a note for each source set aside."""
    notes: dict[int, str] = {}
    if override:
        formats.get(override)
        return override, [s for s in sources if s.size > 0], {s.id: "empty file" for s in sources if s.size == 0}
    detected: dict[int, str] = {}
    for source in sources:
        if source.size == 0:
            notes[source.id] = "empty file"
            continue
        detected[source.id] = formats.detect(formats.sample(source.path, source.compressed)).format
    if not detected:
        return sheet_format or "text", [], notes
    counts = Counter(detected.values())
    chosen = sheet_format or max(counts, key=lambda f: (counts[f], f != "text"))
    accepted = []
    for source in sources:
        found = detected.get(source.id)
        if found is None:
            continue
        if found == chosen:
            accepted.append(source)
        else:
            reason = (
                f"detected as {found}, but this sheet is {chosen}: import it into its own sheet, "
                f"or force the format with --format"
            )
            notes[source.id] = reason
            rejects.whole_file(source, reason)
    return chosen, accepted, notes


def _write(
    con: duckdb.DuckDBPyConnection,
    staged: Staged | None,
    target: Path,
    existing: Any,
    ws: ImportTarget,
    progress: Progress | None,
) -> tuple[dict[int, int], dict[int, int], Schema]:
    """Write the sheet part; returns rows emitted and kept per source, and the part's schema."""
    if staged is None:
        return {}, {}, Schema([])
    relation: Any = staged.select
    emitted: dict[int, int] = {}
    if staged.dedupe_key:
        if staged.materialized:
            raw: exp.Expr = exp.Subquery(this=staged.select, alias=exp.TableAlias(this=exp.to_identifier("raw")))
        else:
            raw_path = target.with_name("raw.parquet")
            _copy(con, exp.select(exp.Star()).from_(relation.subquery("s")), raw_path, progress)
            raw = parquet_table([raw_path])
        relation = _deduplicated(raw, staged.dedupe_key, existing, ws)
        emitted = _per_source(con, raw)
    names = [
        c
        for c in con.sql(render(exp.select(exp.Star()).from_(relation.subquery("s")).limit(0))).columns
        if c not in (SOURCE, POS)
    ]
    final = exp.select(exp.alias_(row_id(), ROWID, quoted=True), col(SOURCE), *[col(n) for n in names])
    final = final.from_(relation.subquery("s"))
    # No ORDER BY: every view orders by __rowid itself, and the staged rows already come source by source
    # (insertion order is kept), so row groups hold narrow rowid ranges; sorting a billion wide rows would
    # cost more time and disk than the whole read.
    _copy(con, final, target, progress, staged.row_group_rows)
    kept = _per_source(con, parquet_table([target]))
    if not staged.dedupe_key:
        emitted = dict(kept)
    types = con.sql(render(exp.select(exp.Star()).from_(parquet_table([target])).limit(0)))
    schema = Schema(
        Column(n, staged.types.get(n) or logical_type(str(t)))
        for n, t in zip(types.columns, types.types)
        if n not in (ROWID, SOURCE)
    )
    return emitted, kept, schema


def _deduplicated(raw: exp.Expr, key: str, existing: Any, ws: ImportTarget) -> exp.Select:
    """Keep the first record of each key (by source and position); drop keys already in the sheet.

    The window sees only the key and the row's place (not the whole rows), and what it finds is a list of
    the duplicates to leave out: memory stays small however wide the records are."""
    window = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col(key)],
        order=exp.Order(expressions=[exp.Ordered(this=col(SOURCE)), exp.Ordered(this=col(POS))]),
    )
    later = exp.and_(exp.Not(this=exp.Is(this=col(key), expression=exp.Null())), exp.GT(this=window, expression=lit(1)))
    dropped: exp.Query = exp.select(col(SOURCE), col(POS)).from_(raw).qualify(later)
    if existing is not None and existing.data_paths() and key in existing.schema:
        previous = exp.select(col(key)).from_(parquet_table([ws.root / p for p in existing.data_paths()]))
        previous = previous.where(exp.Not(this=exp.Is(this=col(key), expression=exp.Null())))
        seen = exp.select(col(SOURCE), col(POS)).from_(raw)
        seen = seen.where(exp.In(this=col(key), query=exp.Subquery(this=previous)))
        dropped = exp.union(dropped, seen, distinct=False)
    place = exp.Tuple(expressions=[col(SOURCE), col(POS)])
    return exp.select(exp.Star()).from_(raw).where(exp.Not(this=exp.In(this=place, query=exp.Subquery(this=dropped))))


def _per_source(con: duckdb.DuckDBPyConnection, table: exp.Expr) -> dict[int, int]:
    query = exp.select(col(SOURCE), exp.Count(this=exp.Star())).from_(table).group_by(col(SOURCE))
    return {int(s): int(n) for s, n in con.execute(render(query)).fetchall() if s is not None}


def _copy(
    con: duckdb.DuckDBPyConnection, select: exp.Expr, target: Path, progress: Progress | None, row_group_rows: int | None = None
) -> None:
    """``copy_to_parquet`` with DuckDB's query progress reported while it runs."""
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.25):
            try:
                percent = con.query_progress()
            except duckdb.Error:
                continue
            if percent is not None and percent >= 0:
                _report(progress, "writing", percent, 100)

    watcher = threading.Thread(target=poll, daemon=True) if progress else None
    if watcher:
        watcher.start()
    try:
        copy_to_parquet(con, select, target, row_group_rows)
    finally:
        done.set()


def _account(
    sources: list[SourceFile],
    emitted: dict[int, int],
    kept: dict[int, int],
    rejected: Counter[int],
    staged: Staged | None,
    notes: dict[int, str],
    chosen: str,
    found: list[Found],
) -> list[SourceRecord]:
    """Per source: records read = rows kept + rejected + duplicates removed (+ recognised and skipped)."""
    out = []
    for source, given in zip(sources, found):
        skipped = staged.skipped.get(source.id, 0) if staged else 0
        n_emitted, n_kept, n_rejected = emitted.get(source.id, 0), kept.get(source.id, 0), rejected.get(source.id, 0)
        note = notes.get(source.id) or (staged.notes.get(source.id, "") if staged else "")
        out.append(
            SourceRecord(
                id=source.id,
                path=source.display,
                size=source.size,
                sha256=source.sha256,
                format=chosen,
                records_read=n_emitted + n_rejected + skipped,
                rows_kept=n_kept,
                rejected=n_rejected,
                duplicates=n_emitted - n_kept,
                container=source.container,
                container_sha256=source.container_sha256,
                note=note,
                s3=given.s3,
            )
        )
    return out


def _commit(
    ws: ImportTarget,
    sheet: str,
    existing: Any,
    staging: Path,
    data_path: Path,
    schema: Schema,
    summary: ImportSummary,
    records: list[SourceRecord],
    fmt: str | None,
    options: ImportOptions,
    started: str,
) -> None:
    import_id = ws.catalog.reserve_ids("import", 1)
    directory = existing.directory if existing is not None else ws.new_sheet_directory()
    folder = ws.root / directory
    folder.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    data_parts, reject_parts = [], []
    if summary.rows:
        final = folder / f"data-{import_id:06d}.parquet"
        shutil.move(data_path, final)
        moved.append(final)
        data_parts.append((str(final.relative_to(ws.root)), summary.rows, final.stat().st_size))
    reject_file = staging / "rejects.parquet"
    if reject_file.exists():
        final = folder / f"rejects-{import_id:06d}.parquet"
        shutil.move(reject_file, final)
        moved.append(final)
        reject_parts.append((str(final.relative_to(ws.root)), summary.rejected, final.stat().st_size))
    new = NewImport(
        format=summary.format,
        time_column=summary.time_column,
        schema=schema,
        data_parts=data_parts,
        reject_parts=reject_parts,
        sources=records,
        options={"format": fmt, **options.to_json()},
        started_at=started,
        summary={k: v for k, v in summary.to_json().items() if k != "sources"},
    )
    try:
        ws.catalog.commit_import(sheet, directory, new, import_id, append=existing is not None)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise
