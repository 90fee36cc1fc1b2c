"""The workspace catalog: sheets, their Parquet parts, their sources and imports, and the cases, in SQLite.

SQLite (WAL mode, a busy timeout) lets a running server and a CLI share one workspace. A sheet becomes
visible only when the transaction that records it commits, after its files are in place: an import killed
half-way leaves at most unreferenced files, which :meth:`Catalog.referenced_paths` lets the workspace sweep.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from logsheet.core.columns import COMMENT_SEPARATOR
from logsheet.core.errors import Conflict
from logsheet.core.schema import Schema

SCHEMA_VERSION = 2  # 2: cases (a workspace from before them gets the tables and a default case of every sheet)
DEFAULT_CASE = "default"
S3_FIELDS = ("bucket", "key", "version_id", "etag", "size", "last_modified")  # an S3 source's evidence

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sheets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    time_column TEXT,
    columns TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    reject_count INTEGER NOT NULL DEFAULT 0,
    duplicate_count INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    directory TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    import_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('data', 'rejects')),
    path TEXT NOT NULL,
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    options TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    import_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    container TEXT,
    container_sha256 TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    records_read INTEGER NOT NULL,
    rows_kept INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS s3_objects (
    source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    last_modified TEXT
);
CREATE INDEX IF NOT EXISTS s3_objects_key ON s3_objects (sheet_id, bucket, key);
CREATE TABLE IF NOT EXISTS views (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (sheet_id, name)
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings (
    id TEXT NOT NULL,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    rule_id TEXT NOT NULL,
    level_rank INTEGER NOT NULL,
    first_seen TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (sheet_id, id)
);
CREATE INDEX IF NOT EXISTS findings_rule ON findings (sheet_id, rule_id);
CREATE TABLE IF NOT EXISTS finding_rules (
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    rule_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (sheet_id, rule_id)
);
CREATE TABLE IF NOT EXISTS annotations (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    row_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('star', 'tag', 'comment')),
    value TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS annotations_once ON annotations (sheet_id, row_id, kind, value) WHERE kind != 'comment';
CREATE INDEX IF NOT EXISTS annotations_rows ON annotations (sheet_id, row_id);
CREATE TABLE IF NOT EXISTS annotation_files (
    sheet_id INTEGER PRIMARY KEY REFERENCES sheets(id) ON DELETE CASCADE,
    path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rule_runs (
    sheet_id INTEGER PRIMARY KEY REFERENCES sheets(id) ON DELETE CASCADE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_sheets (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL,
    PRIMARY KEY (case_id, sheet_id)
);
CREATE TABLE IF NOT EXISTS timeline_views (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (case_id, name)
);
CREATE TABLE IF NOT EXISTS ioc_lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS iocs (
    list_id INTEGER NOT NULL REFERENCES ioc_lists(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (list_id, kind, value)
);
"""


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class SourceRecord:
    """One input file of a sheet, with its hash and its accounting
    (records_read = rows_kept + rejected + duplicates)."""

    id: int
    path: str
    size: int
    sha256: str
    format: str
    records_read: int = 0
    rows_kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    container: str | None = None
    container_sha256: str | None = None
    note: str = ""
    # An object read from S3 (logsheet.ingest.s3): bucket, key, version_id, etag, size, last_modified.
    s3: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        if self.s3 is None:
            del out["s3"]
        return out


@dataclass
class SheetRecord:
    id: int
    name: str
    format: str
    time_column: str | None
    schema: Schema
    row_count: int
    reject_count: int
    duplicate_count: int
    bytes: int
    directory: str
    created_at: str
    updated_at: str
    parts: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, relative path, rows)
    annotations: str | None = None  # the relative path of the annotations' Parquet file, when the sheet has some

    def data_paths(self) -> list[str]:
        return [p for kind, p, _ in self.parts if kind == "data"]

    def reject_paths(self) -> list[str]:
        return [p for kind, p, _ in self.parts if kind == "rejects"]


@dataclass
class NewImport:
    """What an import commits: the parts it wrote (relative paths) and its sources."""

    format: str
    time_column: str | None
    schema: Schema
    data_parts: list[tuple[str, int, int]]  # (relative path, rows, bytes)
    reject_parts: list[tuple[str, int, int]]
    sources: list[SourceRecord]
    options: dict[str, Any]
    started_at: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class AnnotationRecord:
    """One annotation as the catalog keeps it (kind: star, tag or comment; value: the tag or the comment)."""

    id: int
    sheet_id: int
    sheet: str
    rowid: int
    kind: str
    value: str
    author: str
    created_at: str


#: One annotated row, as the annotations file is written from (logsheet.core.columns.ANNOTATION_COLUMNS): row id,
#: starred (0/1), its tags as ",a,b," and as "a, b", its comments joined by COMMENT_SEPARATOR (tags and comments
#: oldest first: group_concat follows the inner rows, read in index order).
AnnotatedRow = tuple[int, int, str | None, str | None, str | None]
#: Writes a sheet's annotations file from its annotated rows; returns its path relative to the workspace.
Publish = Callable[[list[AnnotatedRow]], str]


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        with self._connect() as db:
            had_cases = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cases'").fetchone()
            db.executescript(_DDL)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._ensure_default_case(migrate=had_cases is None)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened on first use and kept (opening one costs more than most lookups:
        a page request reads the catalog once per query). Autocommit: every statement sees the latest commit
        of any process."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        yield db

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ---------------------------------------------------------------------------------------------- ids
    def reserve_ids(self, name: str, count: int) -> int:
        """Reserve ``count`` consecutive ids from a named counter; returns the first."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            first = (row[0] if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, first + count - 1))
        return first

    # -------------------------------------------------------------------------------------------- sheets
    def sheet_names(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT name FROM sheets ORDER BY name")]

    def get_sheet(self, name: str) -> SheetRecord | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT id, name, format, time_column, columns, row_count, reject_count, duplicate_count, "
                "bytes, directory, created_at, updated_at FROM sheets WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None:
                return None
            parts = db.execute("SELECT kind, path, rows FROM parts WHERE sheet_id = ? ORDER BY id", (row[0],)).fetchall()
            notes = db.execute("SELECT path FROM annotation_files WHERE sheet_id = ?", (row[0],)).fetchone()
            return SheetRecord(
                id=row[0],
                name=row[1],
                format=row[2],
                time_column=row[3],
                schema=Schema.from_json(json.loads(row[4])),
                row_count=row[5],
                reject_count=row[6],
                duplicate_count=row[7],
                bytes=row[8],
                directory=row[9],
                created_at=row[10],
                updated_at=row[11],
                parts=[(k, p, n) for k, p, n in parts],
                annotations=notes[0] if notes else None,
            )

    def sources(self, sheet_id: int) -> list[SourceRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, path, size, sha256, format, records_read, rows_kept, rejected, duplicates, "
                "container, container_sha256, note FROM sources WHERE sheet_id = ? ORDER BY id",
                (sheet_id,),
            ).fetchall()
            objects = {
                r[0]: dict(zip(S3_FIELDS, r[1:]))
                for r in db.execute(
                    "SELECT source_id, bucket, key, version_id, etag, size, last_modified FROM s3_objects WHERE sheet_id = ?",
                    (sheet_id,),
                )
            }
        return [replace(SourceRecord(*r), s3=objects.get(r[0])) for r in rows]

    def s3_objects(self, sheet_id: int, bucket: str) -> list[dict[str, Any]]:
        """The S3 objects of a bucket that a sheet's imports have committed (to import each object once)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT bucket, key, version_id, etag, size, last_modified FROM s3_objects WHERE sheet_id = ? AND bucket = ?",
                (sheet_id, bucket),
            ).fetchall()
        return [dict(zip(S3_FIELDS, r)) for r in rows]

    def source_imports(self, sheet_id: int) -> dict[int, int]:
        """Each source's import (source id -> import id): when the evidence appendix says a file was read."""
        with self._connect() as db:
            rows = db.execute("SELECT id, import_id FROM sources WHERE sheet_id = ?", (sheet_id,)).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    def imports(self, sheet_id: int) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, started_at, finished_at, options, summary FROM imports WHERE sheet_id = ? ORDER BY id",
                (sheet_id,),
            ).fetchall()
        return [
            {"id": r[0], "started_at": r[1], "finished_at": r[2], "options": json.loads(r[3]), "summary": json.loads(r[4])}
            for r in rows
        ]

    def commit_import(self, name: str, directory: str, new: NewImport, import_id: int, *, append: bool) -> int:
        """Record an import atomically; creates the sheet unless ``append``. Returns the sheet id."""
        stamp = now()
        rows = sum(n for _, n, _ in new.data_parts)
        size = sum(b for _, _, b in new.data_parts)
        rejects = sum(s.rejected for s in new.sources)
        duplicates = sum(s.duplicates for s in new.sources)
        with self.transaction() as db:
            existing = db.execute("SELECT id, columns FROM sheets WHERE name = ?", (name,)).fetchone()
            if existing and not append:
                raise Conflict(f"sheet {name!r} already exists; use --append to add files, or another --sheet")
            if existing:
                sheet_id = existing[0]
                merged = merge_schemas(Schema.from_json(json.loads(existing[1])), new.schema)
                db.execute(
                    "UPDATE sheets SET columns = ?, row_count = row_count + ?, reject_count = reject_count + ?, "
                    "duplicate_count = duplicate_count + ?, bytes = bytes + ?, updated_at = ? WHERE id = ?",
                    (json.dumps(merged.to_json()), rows, rejects, duplicates, size, stamp, sheet_id),
                )
            else:
                cursor = db.execute(
                    "INSERT INTO sheets (name, format, time_column, columns, row_count, reject_count, "
                    "duplicate_count, bytes, directory, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        name,
                        new.format,
                        new.time_column,
                        json.dumps(new.schema.to_json()),
                        rows,
                        rejects,
                        duplicates,
                        size,
                        directory,
                        stamp,
                        stamp,
                    ),
                )
                sheet_id = int(cursor.lastrowid or 0)
                db.execute(  # a new sheet joins the default case (logsheet.workspace.cases)
                    "INSERT OR IGNORE INTO case_sheets (case_id, sheet_id, added_at) SELECT id, ?, ? FROM cases WHERE name = ?",
                    (sheet_id, stamp, DEFAULT_CASE),
                )
            db.execute(
                "INSERT INTO imports (id, sheet_id, started_at, finished_at, options, summary) VALUES (?,?,?,?,?,?)",
                (import_id, sheet_id, new.started_at, stamp, json.dumps(new.options), json.dumps(new.summary)),
            )
            for kind, parts in (("data", new.data_parts), ("rejects", new.reject_parts)):
                for path, count, nbytes in parts:
                    db.execute(
                        "INSERT INTO parts (sheet_id, import_id, kind, path, rows, bytes) VALUES (?,?,?,?,?,?)",
                        (sheet_id, import_id, kind, path, count, nbytes),
                    )
            for s in new.sources:
                db.execute(
                    "INSERT INTO sources (id, sheet_id, import_id, path, container, container_sha256, size, "
                    "sha256, format, records_read, rows_kept, rejected, duplicates, note) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        s.id,
                        sheet_id,
                        import_id,
                        s.path,
                        s.container,
                        s.container_sha256,
                        s.size,
                        s.sha256,
                        s.format,
                        s.records_read,
                        s.rows_kept,
                        s.rejected,
                        s.duplicates,
                        s.note,
                    ),
                )
                if s.s3 is not None:
                    db.execute(
                        "INSERT INTO s3_objects (source_id, sheet_id, bucket, key, version_id, etag, size, last_modified) "
                        "VALUES (?,?,?,?,?,?,?,?)",
                        (s.id, sheet_id, *(s.s3.get(f) for f in S3_FIELDS)),
                    )
        return sheet_id

    def rename_sheet(self, old: str, new: str) -> None:
        with self.transaction() as db:
            taken = db.execute("SELECT 1 FROM sheets WHERE name = ?", (new,)).fetchone()
            if taken and new != old:
                raise Conflict(f"a sheet named {new!r} already exists")
            db.execute("UPDATE sheets SET name = ?, updated_at = ? WHERE name = ?", (new, now(), old))

    def delete_sheet(self, name: str) -> str | None:
        """Remove a sheet from the catalog; returns its directory (the caller deletes the files)."""
        with self.transaction() as db:
            row = db.execute("SELECT id, directory FROM sheets WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM sheets WHERE id = ?", (row[0],))
            return str(row[1])

    def referenced_paths(self) -> set[str]:
        with self._connect() as db:
            return {r[0] for r in db.execute("SELECT path FROM parts UNION SELECT path FROM annotation_files")}

    def directories(self) -> set[str]:
        with self._connect() as db:
            return {r[0] for r in db.execute("SELECT directory FROM sheets")}

    # --------------------------------------------------------------------------------------------- views
    def save_view(self, sheet_id: int, name: str, query_json: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO views (sheet_id, name, query, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT (sheet_id, name) DO UPDATE SET query = excluded.query, created_at = excluded.created_at",
                (sheet_id, name, query_json, now()),
            )

    def delete_view(self, sheet_id: int, name: str) -> bool:
        """Remove one saved view; False when the sheet has no view of that name."""
        with self.transaction() as db:
            return db.execute("DELETE FROM views WHERE sheet_id = ? AND name = ?", (sheet_id, name)).rowcount > 0

    def views(self, sheet_id: int) -> list[tuple[str, str, str]]:
        with self._connect() as db:
            return [
                (r[0], r[1], r[2])
                for r in db.execute("SELECT name, query, created_at FROM views WHERE sheet_id = ? ORDER BY name", (sheet_id,))
            ]

    # ------------------------------------------------------------------------------------------ findings
    def replace_findings(
        self,
        sheet_id: int,
        rule_ids: list[str],
        findings: list[tuple[str, str, int, str | None, str]],
        run: str | None,
        rules: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Store a rule run on a sheet: the findings of ``rule_ids`` are replaced by ``findings`` (rows of
        id, rule id, level rank, first seen, JSON body), those of other rules stay; ``rules`` (rule id, JSON)
        are what the findings of one rule share (kept once); ``run`` (JSON) becomes the sheet's last run
        (None: an IOC match, which is not a rule run, leaves the last run as it is)."""
        with self.transaction() as db:
            gone = [(sheet_id, r) for r in rule_ids]
            db.executemany("DELETE FROM findings WHERE sheet_id = ? AND rule_id = ?", gone)
            db.executemany("DELETE FROM finding_rules WHERE sheet_id = ? AND rule_id = ?", gone)
            db.executemany(
                "INSERT OR REPLACE INTO findings (id, sheet_id, rule_id, level_rank, first_seen, body) VALUES (?,?,?,?,?,?)",
                [(fid, sheet_id, rule, rank, first, body) for fid, rule, rank, first, body in findings],
            )
            db.executemany(
                "INSERT OR REPLACE INTO finding_rules (sheet_id, rule_id, body) VALUES (?,?,?)",
                [(sheet_id, rule, body) for rule, body in rules],
            )
            if run is not None:
                db.execute("INSERT OR REPLACE INTO rule_runs (sheet_id, body) VALUES (?, ?)", (sheet_id, run))

    def finding_rules(self, sheet_id: int | None = None) -> dict[tuple[int, str], str]:
        """(sheet id, rule id) -> JSON of what that rule's findings on the sheet share."""
        with self._connect() as db:
            if sheet_id is None:
                rows = db.execute("SELECT sheet_id, rule_id, body FROM finding_rules")
            else:
                rows = db.execute("SELECT sheet_id, rule_id, body FROM finding_rules WHERE sheet_id = ?", (sheet_id,))
            return {(r[0], r[1]): r[2] for r in rows}

    def findings(self, sheet_id: int | None = None) -> list[tuple[int, str]]:
        """(sheet id, JSON body) of the stored findings (of one sheet, or all), the most severe first, then by
        first seen."""
        with self._connect() as db:
            if sheet_id is None:
                rows = db.execute("SELECT sheet_id, body FROM findings ORDER BY level_rank, first_seen IS NULL, first_seen, id")
            else:
                rows = db.execute(
                    "SELECT sheet_id, body FROM findings WHERE sheet_id = ? "
                    "ORDER BY level_rank, first_seen IS NULL, first_seen, id",
                    (sheet_id,),
                )
            return [(r[0], r[1]) for r in rows]

    def finding(self, finding_id: str) -> tuple[int, str] | None:
        with self._connect() as db:
            row = db.execute("SELECT sheet_id, body FROM findings WHERE id = ? LIMIT 1", (finding_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def rule_run(self, sheet_id: int) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT body FROM rule_runs WHERE sheet_id = ?", (sheet_id,)).fetchone()
        return row[0] if row else None

    # --------------------------------------------------------------------------------------- annotations
    def add_annotations(self, sheet_id: int, rowids: Iterable[int], kind: str, value: str, author: str, publish: Publish) -> int:
        """Annotate rows (a star or a tag once per row, any number of comments); ``publish`` then writes the
        sheet's annotations file from :data:`AnnotatedRow`s, in the same transaction. Returns how many rows
        gained the annotation."""
        stamp = now()
        with self.transaction() as db:
            before = db.total_changes
            db.execute(
                "INSERT OR IGNORE INTO annotations (sheet_id, row_id, kind, value, author, created_at) "
                "SELECT ?, value, ?, ?, ?, ? FROM json_each(?) ORDER BY value",
                (sheet_id, kind, value, author, stamp, json.dumps([int(r) for r in rowids])),
            )
            changed = db.total_changes - before
            self._publish(db, sheet_id, publish)
        return changed

    def remove_annotations(self, sheet_id: int, rowids: Iterable[int], kind: str, value: str | None, publish: Publish) -> int:
        """Remove a kind of annotation from rows (of that ``value``; every comment when None); how many went."""
        with self.transaction() as db:
            before = db.total_changes
            db.execute(
                "DELETE FROM annotations WHERE sheet_id = ? AND kind = ? AND (? IS NULL OR value = ?) "
                "AND row_id IN (SELECT value FROM json_each(?))",
                (sheet_id, kind, value, value, json.dumps([int(r) for r in rowids])),
            )
            changed = db.total_changes - before
            self._publish(db, sheet_id, publish)
        return changed

    def delete_annotation(self, annotation_id: int, publish: Publish) -> AnnotationRecord | None:
        """Remove one annotation by its id (a comment, typically); the one removed, or None."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT a.id, a.sheet_id, s.name, a.row_id, a.kind, a.value, a.author, a.created_at "
                "FROM annotations AS a JOIN sheets AS s ON s.id = a.sheet_id WHERE a.id = ?",
                (annotation_id,),
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            self._publish(db, row[1], publish)
        return AnnotationRecord(*row)

    def annotation(self, annotation_id: int) -> AnnotationRecord | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT a.id, a.sheet_id, s.name, a.row_id, a.kind, a.value, a.author, a.created_at "
                "FROM annotations AS a JOIN sheets AS s ON s.id = a.sheet_id WHERE a.id = ?",
                (annotation_id,),
            ).fetchone()
        return AnnotationRecord(*row) if row else None

    def annotations(
        self, sheet_ids: list[int] | None = None, limit: int | None = None, offset: int = 0, newest_first: bool = False
    ) -> list[AnnotationRecord]:
        """The annotations of these sheets (all: None), in the order they were made (or the newest first)."""
        with self._connect() as db:
            rows = db.execute(
                (
                    "SELECT a.id, a.sheet_id, s.name, a.row_id, a.kind, a.value, a.author, a.created_at "
                    "FROM annotations AS a JOIN sheets AS s ON s.id = a.sheet_id "
                    "WHERE ? IS NULL OR a.sheet_id IN (SELECT value FROM json_each(?)) ORDER BY a.id DESC LIMIT ? OFFSET ?"
                )
                if newest_first
                else (
                    "SELECT a.id, a.sheet_id, s.name, a.row_id, a.kind, a.value, a.author, a.created_at "
                    "FROM annotations AS a JOIN sheets AS s ON s.id = a.sheet_id "
                    "WHERE ? IS NULL OR a.sheet_id IN (SELECT value FROM json_each(?)) ORDER BY a.id LIMIT ? OFFSET ?"
                ),
                (None if sheet_ids is None else 1, json.dumps(sheet_ids or []), -1 if limit is None else limit, offset),
            )
            return [AnnotationRecord(*r) for r in rows]

    def _publish(self, db: sqlite3.Connection, sheet_id: int, publish: Publish) -> None:
        """Write the sheet's annotations file (inside the caller's transaction) and record where it is."""
        rows = db.execute(
            "SELECT row_id, MAX(kind = 'star'), ',' || group_concat(CASE WHEN kind = 'tag' THEN value END, ',') || ',', "
            "replace(group_concat(CASE WHEN kind = 'tag' THEN value END, ','), ',', ', '), "
            "group_concat(CASE WHEN kind = 'comment' THEN value END, ?) "
            "FROM (SELECT row_id, kind, value FROM annotations WHERE sheet_id = ? ORDER BY row_id, id) "
            "GROUP BY row_id ORDER BY row_id",
            (COMMENT_SEPARATOR, sheet_id),
        ).fetchall()
        path = publish(rows) if rows else None
        if path is None:
            db.execute("DELETE FROM annotation_files WHERE sheet_id = ?", (sheet_id,))
        else:
            db.execute("INSERT OR REPLACE INTO annotation_files (sheet_id, path) VALUES (?, ?)", (sheet_id, path))

    # ------------------------------------------------------------------------------------------ settings
    def settings(self) -> dict[str, str]:
        """The workspace's settings (see logsheet.store.settings)."""
        with self._connect() as db:
            return {k: v for k, v in db.execute("SELECT key, value FROM settings ORDER BY key")}

    def update_settings(self, values: dict[str, str | None]) -> None:
        """Set these settings (``None`` removes one), in one transaction; others are left as they are."""
        with self.transaction() as db:
            for key, value in values.items():
                if value is None:
                    db.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))

    # --------------------------------------------------------------------------------------------- cases
    def _ensure_default_case(self, migrate: bool) -> None:
        """The default case always exists; a catalog from before cases (``migrate``) puts every sheet in it."""
        if not migrate and self.case_id(DEFAULT_CASE) is not None:
            return  # the usual open: no write
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO cases (name, created_at) VALUES (?, ?)", (DEFAULT_CASE, now()))
            if migrate:
                db.execute(
                    "INSERT OR IGNORE INTO case_sheets (case_id, sheet_id, added_at) "
                    "SELECT cases.id, sheets.id, ? FROM cases, sheets WHERE cases.name = ?",
                    (now(), DEFAULT_CASE),
                )
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
                (str(SCHEMA_VERSION), SCHEMA_VERSION),
            )

    def cases(self) -> list[tuple[str, str, list[str]]]:
        """(name, created at, sheet names by name) of every case, by name."""
        with self._connect() as db:
            found = db.execute("SELECT id, name, created_at FROM cases ORDER BY name").fetchall()
            members = db.execute(
                "SELECT case_sheets.case_id, sheets.name FROM case_sheets JOIN sheets ON sheets.id = case_sheets.sheet_id "
                "ORDER BY sheets.name"
            ).fetchall()
        by_case: dict[int, list[str]] = {}
        for case_id, sheet in members:
            by_case.setdefault(case_id, []).append(sheet)
        return [(name, created, by_case.get(case_id, [])) for case_id, name, created in found]

    def case_id(self, name: str) -> int | None:
        with self._connect() as db:
            row = db.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else None

    def create_case(self, name: str, sheet_ids: Sequence[int] = ()) -> int:
        """A new case holding these sheets; Conflict when the name is taken."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM cases WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a case named {name!r} already exists")
            case_id = int(db.execute("INSERT INTO cases (name, created_at) VALUES (?, ?)", (name, now())).lastrowid or 0)
            stamp = now()
            db.executemany(
                "INSERT OR IGNORE INTO case_sheets (case_id, sheet_id, added_at) VALUES (?, ?, ?)",
                [(case_id, s, stamp) for s in sheet_ids],
            )
        return case_id

    def rename_case(self, old: str, new: str) -> None:
        with self.transaction() as db:
            if new != old and db.execute("SELECT 1 FROM cases WHERE name = ?", (new,)).fetchone():
                raise Conflict(f"a case named {new!r} already exists")
            db.execute("UPDATE cases SET name = ? WHERE name = ?", (new, old))

    def delete_case(self, name: str) -> bool:
        """Forget a case (its sheets stay); False when there is none of that name."""
        with self.transaction() as db:
            return db.execute("DELETE FROM cases WHERE name = ?", (name,)).rowcount > 0

    def add_to_case(self, case_id: int, sheet_ids: Sequence[int]) -> None:
        stamp = now()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO case_sheets (case_id, sheet_id, added_at) VALUES (?, ?, ?)",
                [(case_id, s, stamp) for s in sheet_ids],
            )

    def remove_from_case(self, case_id: int, sheet_ids: Sequence[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM case_sheets WHERE case_id = ? AND sheet_id = ?", [(case_id, s) for s in sheet_ids])

    # ------------------------------------------------------------------------------------ timeline views
    def save_timeline_view(self, case_id: int, name: str, query_json: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO timeline_views (case_id, name, query, created_at) VALUES (?,?,?,?) "
                "ON CONFLICT (case_id, name) DO UPDATE SET query = excluded.query, created_at = excluded.created_at",
                (case_id, name, query_json, now()),
            )

    def delete_timeline_view(self, case_id: int, name: str) -> bool:
        """Remove one saved timeline view; False when the case has no view of that name."""
        with self.transaction() as db:
            return db.execute("DELETE FROM timeline_views WHERE case_id = ? AND name = ?", (case_id, name)).rowcount > 0

    def timeline_views(self, case_id: int) -> list[tuple[str, str, str]]:
        """(name, IR JSON, saved at) of a case's saved timeline views, by name."""
        with self._connect() as db:
            found = db.execute("SELECT name, query, created_at FROM timeline_views WHERE case_id = ? ORDER BY name", (case_id,))
            return [(r[0], r[1], r[2]) for r in found]

    # ----------------------------------------------------------------------------------------- IOC lists
    def save_ioc_list(self, name: str, body: str, items: Sequence[tuple[str, str, str]], at: str, replace: bool) -> None:
        """Store an IOC list (its JSON ``body`` and ``items``: kind, value, JSON), replacing one of that name when
        ``replace`` (else :class:`Conflict`)."""
        with self.transaction() as db:
            row = db.execute("SELECT id FROM ioc_lists WHERE name = ?", (name,)).fetchone()
            if row is not None:
                if not replace:
                    raise Conflict(f"an IOC list named {name!r} exists; --replace to replace it, or --name another")
                db.execute("DELETE FROM ioc_lists WHERE id = ?", (row[0],))
            list_id = db.execute("INSERT INTO ioc_lists (name, body, imported_at) VALUES (?, ?, ?)", (name, body, at)).lastrowid
            db.executemany(
                "INSERT INTO iocs (list_id, kind, value, body) VALUES (?, ?, ?, ?)", [(list_id, *item) for item in items]
            )

    def ioc_lists(self) -> list[tuple[str, str, str]]:
        """(name, imported at, JSON body) of every IOC list, by name."""
        with self._connect() as db:
            return [(r[0], r[1], r[2]) for r in db.execute("SELECT name, imported_at, body FROM ioc_lists ORDER BY name")]

    def ioc_items(self, name: str) -> list[str]:
        """The JSON of a list's indicators, in the order they were read."""
        with self._connect() as db:
            found = db.execute(
                "SELECT i.body FROM iocs i JOIN ioc_lists l ON l.id = i.list_id WHERE l.name = ? ORDER BY i.rowid", (name,)
            )
            return [r[0] for r in found]

    def delete_ioc_list(self, name: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM ioc_lists WHERE name = ?", (name,)).rowcount > 0

    def ioc_lists_version(self) -> str:
        """Changes whenever a list is imported, replaced or deleted."""
        with self._connect() as db:
            return json.dumps(db.execute("SELECT id, name, imported_at, body FROM ioc_lists ORDER BY id").fetchall())


def merge_schemas(old: Schema, new: Schema) -> Schema:
    """Columns of both, in order of first appearance; a column whose types differ becomes text."""
    from logsheet.core.schema import Column

    merged: dict[str, str] = {c.name: c.type for c in old}
    for c in new:
        if c.name in merged and merged[c.name] != c.type:
            merged[c.name] = _common_type(merged[c.name], c.type)
        else:
            merged.setdefault(c.name, c.type)
    return Schema(Column(n, t) for n, t in merged.items())


def _common_type(a: str, b: str) -> str:
    if {a, b} == {"integer", "float"}:
        return "float"
    return "text"
