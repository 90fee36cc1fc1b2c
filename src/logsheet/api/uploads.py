"""``POST /api/uploads``: files streamed to disk as they arrive, then imported by a background job (in a child
process: :mod:`logsheet.api.jobs`, :mod:`logsheet.api.import_worker`).

The multipart body is parsed as it streams (never held whole in memory, never spooled to a temporary folder
first): each file goes straight to ``<workspace>/uploads/<job>/f0001-<name>``, a generated name built only
from the position and the letters, digits, ``.``, ``_`` and ``-`` of the client's name (which is kept as
display text, and in ``manifest.json`` next to the files). Those files are the evidence: they stay, and the
import records their SHA-256 in the sheet's sources.

The files of one upload may total at most ``LOGSHEET_MAX_UPLOAD_BYTES`` (default 20 GiB): past it the upload
is refused with 413 and what was written is removed. The text fields (``sheet``, ``format``, ``append``, ``case``) may
also be given in the query string; given there, or before the files in the body, a conflict (409: the sheet
exists and ``append`` is not set) or an unknown format (400) is refused before any file is received.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from logsheet.api.common import Settings
from logsheet.api.jobs import Job, Jobs, UploadedFile
from logsheet.core.errors import Conflict, LogsheetError
from logsheet.core.sheetnames import default_sheet_name, validate_case_name, validate_sheet_name
from logsheet.ingest import formats
from logsheet.ingest.options import ImportOptions
from logsheet.workspace import Workspace

MAX_FILES = 10_000
MAX_FIELD_BYTES = 64 << 10
MULTIPART_SLACK = 1 << 20  # what the multipart framing may add to the files' bytes in Content-Length
FLUSH_BYTES = 1 << 20
TRUE = ("1", "true", "yes", "on")
OPTION_FIELDS = ("year", "timezone", "fields", "keep_duplicates", "encoding")
TEXT_FIELDS = ("sheet", "format", "append", "case", *OPTION_FIELDS)


class UploadTooLarge(LogsheetError):
    """An upload past the server's size limit (LOGSHEET_MAX_UPLOAD_BYTES)."""


class BadUpload(LogsheetError):
    """A body that is not a usable upload."""


def stored_name(index: int, client_name: str) -> str:
    """``f0001-x.json`` for ``../../x.json``: the position, then only safe characters of the base name."""
    base = client_name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if ch.isascii() and (ch.isalnum() or ch in "._-")).lstrip(".-")
    return f"f{index:04d}-{clean[-80:]}" if clean else f"f{index:04d}"


def import_options(fields: dict[str, str]) -> ImportOptions:
    """The import options an upload carries (``year``, ``timezone``, ``fields``, ``keep_duplicates``), read and
    checked as the CLI's are."""
    return ImportOptions.from_mapping({k: fields[k] for k in OPTION_FIELDS if k in fields})


def display_name(client_name: str) -> str:
    return "".join(ch for ch in client_name if ch.isprintable())[:500] or "unnamed"


class Receiver:
    """Multipart callbacks that queue file operations; ``flush`` (in a worker thread) does the disk writes."""

    def __init__(self, ws: Workspace, job: Job, limit: int, fields: dict[str, str]) -> None:
        self.ws = ws
        self.job = job
        self.limit = limit
        self.fields = dict(fields)
        self.total = 0
        self.checked = False
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field: str | None = None
        self._field_data = bytearray()
        self._file: UploadedFile | None = None
        self._skip = False
        self._count = 0
        self._ops: list[tuple[str, Any]] = []
        self._pending = 0
        self._handle: IO[bytes] | None = None
        self._writing: UploadedFile | None = None

    def callbacks(self) -> Any:  # python_multipart's MultipartCallbacks
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_end": self.on_end,
        }

    # ----------------------------------------------------------------------------------- parser callbacks
    def on_part_begin(self) -> None:
        self._disposition, self._field, self._file, self._skip = b"", None, None, False
        self._field_data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"filename" not in options:
            self._field = options.get(b"name", b"").decode("utf-8", "replace")
            return
        self._count += 1
        if self._count > MAX_FILES:
            raise BadUpload(f"an upload holds at most {MAX_FILES} files")
        name = options[b"filename"].decode("utf-8", "replace")
        if not name:
            self._skip = True  # a file input left empty: browsers send a part with no name and no bytes
            return
        self._file = UploadedFile(display_name(name), stored_name(self._count, name))
        self._ops.append(("open", self._file))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._skip:
            return
        if self._file is None:
            if len(self._field_data) + size > MAX_FIELD_BYTES:
                raise BadUpload(f"the form field {self._field!r} is too long")
            self._field_data += data[start:end]
            return
        self.total += size
        if self.total > self.limit:
            raise UploadTooLarge(f"the upload is larger than this server's limit of {self.limit:,} bytes")
        self._ops.append(("data", bytes(data[start:end])))
        self._pending += size

    def on_part_end(self) -> None:
        if self._file is not None:
            self._ops.append(("close", self._file))
        elif self._field is not None and self._field in TEXT_FIELDS:
            self.fields[self._field] = self._field_data.decode("utf-8", "replace")

    def on_end(self) -> None:
        self.ended = True

    # ------------------------------------------------------------------------------------- disk (thread)
    def should_flush(self) -> bool:
        return self._pending >= FLUSH_BYTES or any(op != "data" for op, _ in self._ops)

    def flush(self) -> None:
        ops, self._ops, self._pending = self._ops, [], 0
        for op, value in ops:
            if op == "open":
                self.check_target(value.name)
                self._handle = open(self.job.folder / value.stored, "xb")  # noqa: SIM115 - closed by "close" or abort()
                self._writing = value
                with self.job.lock:
                    self.job.files.append(value)
            elif op == "data" and self._handle is not None and self._writing is not None:
                self._handle.write(value)
                self._writing.received += len(value)
            elif op == "close" and self._handle is not None:
                self._handle.close()
                self._handle, self._writing = None, None
                value.complete = True

    def check_target(self, first_file: str | None = None) -> None:
        """Refuse early what the import would refuse late: an unknown format, a taken sheet name."""
        if self.checked:
            return
        fmt = self.fields.get("format") or None
        if fmt:
            formats.get(fmt)
        sheet = self.fields.get("sheet") or None
        if sheet is None and first_file:
            sheet = default_sheet_name(Path(first_file.replace("\\", "/").rsplit("/", 1)[-1] or "upload"))
        if sheet is None:
            return
        validate_sheet_name(sheet)
        append = self.fields.get("append", "").strip().lower() in TRUE
        if not append and self.ws.catalog.get_sheet(sheet) is not None:
            raise Conflict(f"a sheet named {sheet!r} already exists; upload with append to add these files to it")
        case = self.fields.get("case") or None
        if case is not None:
            validate_case_name(case)
        options = import_options(self.fields)
        with self.job.lock:
            self.job.sheet, self.job.format, self.job.append, self.job.options = sheet, fmt, append, options
            self.job.case = case
        self.checked = True

    def finish(self) -> None:
        self.flush()
        if not self.ended:
            raise BadUpload("the upload ended before its last part was complete")
        files = list(self.job.files)
        if not files:
            raise BadUpload("the upload holds no files (send them in the 'files' field)")
        self.checked = False  # fields after the files may have changed the target
        self.check_target(files[0].name)
        manifest = {
            "job": self.job.id,
            "created_at": self.job.created_at,
            "files": [{"name": f.name, "stored": f.stored, "bytes": f.received} for f in files],
        }
        (self.job.folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")

    def abort(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def router(ws: Workspace, settings: Settings, jobs: Jobs) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["uploads"])

    @api.post("/uploads", openapi_extra={"requestBody": _REQUEST_BODY})
    async def upload(
        request: Request,
        sheet: str | None = None,
        format: str | None = None,
        append: bool = False,
        year: int | None = None,
        timezone: str | None = None,
        encoding: str | None = None,
        case: str | None = None,
    ) -> dict[str, str]:
        """Receive files (multipart ``files``, many) into a new import job; answers ``{"job": id}`` when every
        byte is on disk, and the import runs in the background (``GET /api/jobs/{id}``)."""
        ctype, params = parse_options_header(request.headers.get("content-type", ""))
        if ctype != b"multipart/form-data" or b"boundary" not in params:
            raise BadUpload("an upload is a multipart/form-data body with one or more files in the field 'files'")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_upload_bytes + MULTIPART_SLACK:
            raise UploadTooLarge(f"the upload is larger than this server's limit of {settings.max_upload_bytes:,} bytes")
        given = (
            ("sheet", sheet),
            ("format", format),
            ("append", "true" if append else ""),
            ("year", str(year) if year else ""),
            ("timezone", timezone),
            ("encoding", encoding),
            ("case", case),
        )
        fields = {k: v for k, v in given if v}
        job = await run_in_threadpool(jobs.new)
        receiver = Receiver(ws, job, settings.max_upload_bytes, fields)
        try:
            if fields.get("sheet") or fields.get("format"):
                await run_in_threadpool(receiver.check_target)
            parser = MultipartParser(params[b"boundary"], receiver.callbacks())
            async for chunk in request.stream():
                parser.write(chunk)
                if receiver.should_flush():
                    await run_in_threadpool(receiver.flush)
            parser.finalize()
            await run_in_threadpool(receiver.finish)
        except BaseException as exc:
            receiver.abort()
            if isinstance(exc, ClientDisconnect):
                job.fail("the upload was interrupted before every file arrived")
                raise
            if isinstance(exc, FormParserError):
                job.fail("the upload is not valid multipart data")
                raise BadUpload("the upload is not valid multipart data") from None
            job.fail(str(exc) if isinstance(exc, LogsheetError) else "the upload failed")
            raise
        jobs.submit(job)
        return {"job": job.id}

    return api


_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "sheet": {"type": "string", "description": "The sheet to create (default: from the first file's name)."},
                    "format": {"type": "string", "description": "A format from GET /api/formats (default: detected)."},
                    "append": {"type": "boolean", "description": "Add the files to an existing sheet."},
                    "case": {"type": "string", "description": "Also put the sheet in this case (made if missing)."},
                    "year": {"type": "integer", "description": "Syslog: the year of the files' last lines (default: inferred)."},
                    "timezone": {"type": "string", "description": "Time zone of timestamps without one (default UTC)."},
                    "fields": {"type": "string", "description": "VPC flow logs without a header: the field names."},
                    "keep_duplicates": {"type": "boolean", "description": "Keep records delivered twice (CloudTrail)."},
                    "encoding": {
                        "type": "string",
                        "description": "CSV and text: the files' encoding (a Python codec name; default: per file).",
                    },
                },
            }
        }
    },
}
