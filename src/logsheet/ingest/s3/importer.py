"""An S3 import: the selection listed, its objects downloaded concurrently and imported in batches as they
arrive, each batch one atomic import (:func:`logsheet.ingest.pipeline.run_import`) that records its objects'
evidence in the catalog: bucket, key, version id, ETag, size, last-modified and the SHA-256 of the bytes.

Exactly once. An object is imported when a batch holding it commits, and the commit records its key, size and
ETag with its rows, in one transaction. Before downloading, the objects the sheet already holds (same bucket,
key, size and ETag) are left out: run again after an interruption (the process killed, the network lost), an
import reads only what did not commit, and with new deliveries (``--append`` or the same command again) only
the new objects. A batch cut short commits nothing; its staging folder is swept the next time the workspace
opens.

Batches are ``LOGSHEET_S3_BATCH_OBJECTS`` objects (default 2,000) or ``LOGSHEET_S3_BATCH_BYTES`` bytes
(default 256 MiB) of objects, whichever is reached first; the downloads run ahead of the import by at most two
batches.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable

from logsheet.core.errors import Conflict, ImportFailed, LogsheetError
from logsheet.ingest.discover import Discovery, Found
from logsheet.ingest.options import ImportOptions
from logsheet.ingest.pipeline import ImportSummary, ImportTarget, Progress, run_import
from logsheet.ingest.s3.client import connect
from logsheet.ingest.s3.fetch import Fetched, Fetcher, Unreadable
from logsheet.ingest.s3.layout import Lister, Selection, select
from logsheet.ingest.s3.request import S3Request

#: objects done, objects in all, bytes downloaded, bytes in all
Transfer = Callable[[int, int, int, int], None]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise LogsheetError(f"{name}={raw!r} must be a positive whole number")
    return int(raw)


def import_s3(
    ws: ImportTarget,
    request: S3Request,
    sheet: str,
    fmt: str | None = None,
    append: bool = False,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    transfer: Transfer | None = None,
) -> ImportSummary:
    clock = time.monotonic()
    options = ImportOptions() if options is None else options
    bucket = request.url.bucket
    existing = ws.catalog.get_sheet(sheet)
    if existing is not None and not append and not resumable(ws, existing.id, bucket):
        raise Conflict(f"sheet {sheet!r} already exists; add --append to add these objects to it")
    if existing is not None and fmt and fmt != existing.format:
        raise LogsheetError(f"sheet {sheet!r} holds {existing.format} data; cannot append {fmt}")
    batch_objects = _env_int("LOGSHEET_S3_BATCH_OBJECTS", 2000)
    batch_bytes = _env_int("LOGSHEET_S3_BATCH_BYTES", 256 << 20)
    client = connect(request)
    _report(progress, "listing", 0, 1)
    selection = select(Lister(client, request), request, fmt or (existing.format if existing else None))
    if not selection.objects:
        raise ImportFailed(f"no objects to import under {request.url}" + _selection_words(request) + _listed_words(selection))
    held = {(o["key"], o["size"], o["etag"]) for o in ws.catalog.s3_objects(existing.id, bucket)} if existing else set()
    todo = [o for o in selection.objects if o.identity() not in held]
    run = _Run(ws, request, sheet, fmt, options, selection, len(selection.objects) - len(todo))
    if todo:
        total_bytes = sum(o.size for o in todo)
        counter = _Bytes(len(todo), total_bytes, transfer)
        folder = ws.new_staging()
        try:
            with Fetcher(client, request, todo, folder, 2 * batch_objects, 2 * batch_bytes, counter.add) as fetcher:
                batch: list[Fetched] = []
                size = 0
                for result in fetcher:
                    counter.arrived()
                    if isinstance(result, Unreadable):
                        run.unreadable.append(result)
                        fetcher.release(1, result.obj.size)
                    else:
                        batch.append(result)
                        size += result.obj.size
                    if len(batch) >= batch_objects or size >= batch_bytes:
                        run.commit(batch)
                        fetcher.release(len(batch), size)
                        batch, size = [], 0
                    _report(progress, "downloading", counter.objects, len(todo))
                if batch:
                    run.commit(batch)
                    fetcher.release(len(batch), size)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    summary = run.summary(existing is not None)
    summary.elapsed = time.monotonic() - clock
    _report(progress, "done", 1, 1)
    return summary


class _Run:
    """The batches of one S3 import, and their summaries added up."""

    def __init__(
        self,
        ws: ImportTarget,
        request: S3Request,
        sheet: str,
        fmt: str | None,
        options: ImportOptions,
        selection: Selection,
        already: int,
    ) -> None:
        self.ws, self.request, self.sheet, self.fmt, self.options = ws, request, sheet, fmt, options
        self.selection, self.already = selection, already
        self.parts: list[ImportSummary] = []
        self.unreadable: list[Unreadable] = []

    def commit(self, batch: list[Fetched]) -> None:
        batch.sort(key=lambda f: f.obj.key)
        found = [self._found(f) for f in batch]
        appending = self.ws.catalog.get_sheet(self.sheet) is not None
        try:
            part = run_import(self.ws, [], self.sheet, self.fmt, appending, self.options, None, fetched=Discovery(found))
            self.parts.append(part)
        finally:
            for f in batch:
                f.path.unlink(missing_ok=True)

    def _found(self, f: Fetched) -> Found:
        evidence = {
            "bucket": self.request.url.bucket,
            "key": f.obj.key,
            "version_id": f.version_id,
            "etag": f.obj.etag,
            "size": f.obj.size,
            "last_modified": f.obj.last_modified,
        }
        return Found(
            f.path,
            self.request.url.key_url(f.obj.key),
            f.obj.size,
            f.inspected.sha256,
            f.inspected.compressed,
            refused=f.inspected.refused,
            s3=evidence,
        )

    def summary(self, appended: bool) -> ImportSummary:
        record = self.ws.catalog.get_sheet(self.sheet)
        bad = [f"{self.request.url.key_url(u.obj.key)}: not imported, {u.reason}" for u in self.unreadable]
        if record is None:
            raise ImportFailed(
                f"none of the {len(self.unreadable)} object(s) could be read: " + "; ".join(bad[:3])
                if bad
                else f"nothing was imported from {self.request.url}"
            )
        warnings: list[str] = list(self.selection.notes)
        if self.already:
            warnings.append(f"{self.already:,} object(s) already in sheet {self.sheet!r} were not read again")
        for part in self.parts:
            warnings.extend(w for w in part.warnings if w not in warnings)
        warnings.extend(bad)
        if bad:
            warnings.append(f"{len(bad)} object(s) could not be read; run the same import again to retry them")
        out = ImportSummary(
            self.sheet,
            record.format,
            sum(p.rows for p in self.parts),
            sum(p.rejected for p in self.parts),
            sum(p.duplicates for p in self.parts),
            list(record.schema),
            record.time_column,
            [s for p in self.parts for s in p.sources],
            0.0,
            appended,
            warnings,
        )
        out.s3 = {
            "url": str(self.request.url),
            "list_requests": self.selection.requests,
            "prefixes_listed": len(self.selection.prefixes),
            "objects_listed": len(self.selection.objects),
            "objects_already_imported": self.already,
            "objects_imported": sum(len(p.sources) for p in self.parts),
            "objects_unreadable": [{"key": u.obj.key, "reason": u.reason} for u in self.unreadable],
            "digest_files_skipped": self.selection.digests,
            "batches": len(self.parts),
        }
        return out


def resumable(ws: ImportTarget, sheet_id: int, bucket: str) -> bool:
    """Whether a sheet holds only objects of ``bucket`` (an S3 import of it run again resumes it)."""
    sources = ws.catalog.sources(sheet_id)
    return bool(sources) and all(s.s3 is not None and s.s3.get("bucket") == bucket for s in sources)


class _Bytes:
    """The downloads' progress (objects and bytes), reported from the download threads."""

    def __init__(self, objects: int, total: int, transfer: Transfer | None) -> None:
        self.total_objects, self.total, self.transfer = objects, total, transfer
        self.objects = 0
        self.bytes = 0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        with self._lock:
            self.bytes += n
            self._tell()

    def arrived(self) -> None:
        with self._lock:
            self.objects += 1
            self._tell()

    def _tell(self) -> None:
        if self.transfer is not None:
            self.transfer(self.objects, self.total_objects, self.bytes, self.total)


def _report(progress: Progress | None, phase: str, done: float, total: float) -> None:
    if progress is not None:
        progress(phase, done, total)


def _selection_words(request: S3Request) -> str:
    parts = []
    if request.accounts:
        parts.append(f"account {', '.join(request.accounts)}")
    if request.regions:
        parts.append(f"region {', '.join(request.regions)}")
    if request.since or request.until:
        parts.append(f"days {request.since or '...'} to {request.until or '...'}")
    return f" for {'; '.join(parts)}" if parts else ""


def _listed_words(selection: Selection) -> str:
    if not selection.prefixes:
        return " (no matching folders)"
    shown = ", ".join(selection.prefixes[:3]) + (" ..." if len(selection.prefixes) > 3 else "")
    return f" (listed {len(selection.prefixes)} prefix(es): {shown})"
