"""Reading in Python what DuckDB's reader does not: exports, and CloudTrail files that are broken.

Each file read here becomes a staged JSON-lines file of ``{"r": event, "__logsheet_pos": n}`` (the events
named as CloudTrail names them, :func:`cloudtrail_exports.canonical`), which the format then reads like any
delivery; whatever is not an event is a reject with its position and reason.

Quirks handled here:
- A malformed JSON file (a missing comma between records, a truncated upload) is salvaged record by record:
  every record that decodes whole is kept, each broken span is one reject with its byte offset; JSON lines
  are read line by line (a bad line is a reject with its line number).
- A ``.gz`` whose stream is cut short (an interrupted download) keeps every whole record before the cut;
  the cut is one reject.
- Bytes that are not UTF-8 are replaced, and said so in a reject.
- A CSV is read with the delimiter sniffed from its start, and cells of any size (the console's
  ``CloudTrail event`` column holds a whole event); a row with another number of fields than the header
  is a reject with its line.
- A digest file (``digestPublicKeyFingerprint`` …) yields no rows and no rejects: the caller notes it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from logsheet.ingest.formats.base import ReadContext, SourceFile
from logsheet.ingest.formats.cloudtrail.exports import ALIASES, FIELDS, canonical, dumps, is_digest, lookup_rows
from logsheet.ingest.formats.cloudtrail.sniff import header, norm
from logsheet.ingest.formats.generic.csvfmt import decode_sample

POSITION_KEY = "__logsheet_pos"
RAW_LIMIT = 65536
_CHUNK = 1 << 20
_MISSING = object()


@dataclass
class Outcome:
    staged: SourceFile | None  # the events, staged as JSON lines (None when there are none)
    digest: bool = False


class _Writer:
    """Canonical events of one source into a staged JSON-lines file; what is not an event, into rejects."""

    def __init__(self, source: SourceFile, ctx: ReadContext) -> None:
        self.source, self.ctx = source, ctx
        self.path = ctx.new_path(f"cloudtrail-py-{source.id}", ".ndjson")
        self._out: TextIO | None = None

    def add(self, position: int, record: Any, tabular: bool = False) -> None:
        event, reason = canonical(record, tabular)
        if event is None:
            self.ctx.reject(self.source, position, f"record {position}: {reason}", _raw(record))
            return
        if self._out is None:
            self._out = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._out.write(dumps({"r": event, POSITION_KEY: position}))
        self._out.write("\n")

    def close(self) -> SourceFile | None:
        if self._out is None:
            return None
        self._out.close()
        return SourceFile(self.source.id, self.path, self.source.display, self.source.size, self.source.sha256)


def _raw(record: Any) -> str:
    try:
        return json.dumps(record, ensure_ascii=False, default=str)[:RAW_LIMIT]
    except (TypeError, ValueError):
        return repr(record)[:RAW_LIMIT]


def stage(source: SourceFile, ctx: ReadContext) -> Outcome:
    """Read one source in Python: its events staged, its bad records rejected."""
    data, problem = inflate(source)
    if problem:
        ctx.reject(source, len(data), problem, "")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    writer = _Writer(source, ctx)
    if not stripped:
        return Outcome(None)
    if stripped[:1] in (b"{", b"["):
        digest = _json(source, ctx, writer, _text(data, source, ctx))
        return Outcome(writer.close(), digest)
    _csv(source, ctx, writer, data)
    return Outcome(writer.close())


def head(source: SourceFile, limit: int) -> tuple[bytes, bool]:
    """The first ``limit`` bytes of a file (decompressed), and whether it could be read that far."""
    try:
        with gzip.open(source.path, "rb") if source.compressed else open(source.path, "rb") as fh:
            return fh.read(limit), True
    except (EOFError, OSError, zlib.error):
        return b"", False


def inflate(source: SourceFile) -> tuple[bytes, str]:
    """The file's bytes (decompressed), and what went wrong if the compressed stream is damaged: every byte
    before the damage is kept."""
    with open(source.path, "rb") as fh:
        if not source.compressed:
            return fh.read(), ""
        out = bytearray()
        inflater = zlib.decompressobj(31)
        try:
            while chunk := fh.read(_CHUNK):
                while chunk:
                    out += inflater.decompress(chunk)
                    chunk = inflater.unused_data if inflater.eof else b""
                    if chunk:  # the next member of a multi-member gzip
                        inflater = zlib.decompressobj(31)
        except zlib.error as exc:
            return bytes(out), f"the compressed file is damaged ({exc}); the {len(out)} bytes before it were read"
        if not inflater.eof:
            return bytes(out), f"the compressed file is cut short (a broken download?); {len(out)} bytes were read"
        return bytes(out), ""


def _text(data: bytes, source: SourceFile, ctx: ReadContext) -> str:
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        ctx.reject(source, exc.start, f"not valid UTF-8 at byte {exc.start}; undecodable bytes replaced", "")
        return data.decode("utf-8", errors="replace").lstrip("\ufeff")


# --------------------------------------------------------------------------------------------------- JSON
def _json(source: SourceFile, ctx: ReadContext, writer: _Writer, text: str) -> bool:
    """Stage the events of a JSON file; True when it is a digest file."""
    try:
        document: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        document = _MISSING
    if document is not _MISSING:
        if is_digest(document):
            return True
        rows = lookup_rows(document)
        tabular = isinstance(document, dict) and "QueryResultRows" in document
        for position, record in enumerate(rows if rows is not None else _as_list(document), start=1):
            writer.add(position, record, tabular)
        return False
    lines = _json_lines(text)
    if lines is not None:
        for number, line in lines:
            try:
                writer.add(number, json.loads(line))
            except (json.JSONDecodeError, RecursionError) as exc:
                ctx.reject(source, number, f"line {number} is not valid JSON: {getattr(exc, 'msg', exc)}", line[:RAW_LIMIT])
        return False
    records, problems = scan_records(text)
    for offset, reason, excerpt in problems:
        ctx.reject(source, offset, reason, excerpt)
    for position, record in records:
        writer.add(position, record)
    return False


def _as_list(document: Any) -> list[Any]:
    return document if isinstance(document, list) else [document]


def _json_lines(text: str) -> Iterator[tuple[int, str]] | None:
    """(line number, line) of a JSON-lines file, or None when the first line is not a whole JSON object."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(numbered) < 2:
        return None
    try:
        first = json.loads(numbered[0][1])
    except (json.JSONDecodeError, RecursionError):
        return None
    return iter(numbered) if isinstance(first, dict) else None


def scan_records(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str, str]]]:
    """Decode the records of a CloudTrail file that is not valid JSON as a whole.

    Returns (position, record) for every record decoded whole, and (byte offset, reason, raw excerpt) for
    every span that could not be decoded. Inside ``{"Records": [...]}`` or ``[...]`` a missing or doubled
    comma is tolerated (and a missing one reported); outside, records are concatenated objects.
    """
    decoder = json.JSONDecoder()
    start = _records_start(text)
    in_list = start > 0
    if not in_list and not text.lstrip().startswith("{"):
        return [], [(0, "not CloudTrail JSON: the file does not start with '{' or '['", text[:4096])]
    records: list[tuple[int, Any]] = []
    problems: list[tuple[int, str, str]] = []
    i, n, position = start, len(text), 0
    expect_separator = False
    while i < n:
        i = _skip(text, i, " \t\r\n")
        if i < n and text[i] == ",":
            expect_separator = False
            i = _skip(text, i, " \t\r\n,")
        if i >= n or (in_list and text[i] in "]}"):
            break
        if expect_separator and in_list:
            line = text.count("\n", 0, i) + 1
            reason = (
                f"malformed JSON: a ',' is missing before record {position + 1} (line {line}); records on both sides recovered"
            )
            problems.append((_offset(text, i), reason, text[max(0, i - 200) : i + 200]))
        expect_separator = True
        position += 1
        try:
            value, end = decoder.raw_decode(text, i)
        except (json.JSONDecodeError, RecursionError) as exc:
            resume = _next_record(text, i + 1, decoder)
            where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            reason = f"malformed JSON in record {position}: {getattr(exc, 'msg', 'nested too deeply')}{where}"
            problems.append((_offset(text, i), reason, text[i : (resume if resume > 0 else n)][:16384]))
            if resume < 0:
                return records, problems  # the rest of the file is the broken record: reported once
            i = resume
            continue
        records.append((position, value))
        i = end
    tail = text[i:].strip()
    if tail and tail.strip("]} \t\r\n"):
        problems.append((_offset(text, i), "unexpected text after the records", tail[:RAW_LIMIT]))
    return records, problems


def _skip(text: str, i: int, chars: str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8"))


def _records_start(text: str) -> int:
    match = re.match(r'\s*\{\s*"Records"\s*:\s*\[', text)
    if match:
        return match.end()
    stripped = len(text) - len(text.lstrip())
    return stripped + 1 if text[stripped : stripped + 1] == "[" else 0


_RESUME_KEYS = ("eventID", "eventVersion", "eventName", "eventTime", "@timestamp", "CloudTrailEvent", "eventid", "eventtime")


def _next_record(text: str, i: int, decoder: json.JSONDecoder) -> int:
    """The offset of the next object that decodes whole and looks like a record, or -1."""
    while True:
        i = text.find("{", i)
        if i < 0:
            return -1
        try:
            value, _ = decoder.raw_decode(text, i)
        except (json.JSONDecodeError, RecursionError):
            i += 1
            continue
        if isinstance(value, dict) and any(k in value for k in _RESUME_KEYS):
            return i
        i += 1


# ---------------------------------------------------------------------------------------------------- CSV
def _csv(source: SourceFile, ctx: ReadContext, writer: _Writer, data: bytes) -> None:
    found = header(data[: 256 * 1024])
    columns = [norm(c) for c in found[0]] if found else []
    if not any(c in FIELDS or c in ALIASES or c in ("cloudtrailevent", "eventjson") for c in columns):
        reason = "not CloudTrail JSON: the file does not start with '{' or '[', nor is it a CSV export with CloudTrail columns"
        ctx.reject(source, 0, reason, data[:4096].decode("utf-8", errors="replace"))
        return
    assert found is not None
    _, encoding = decode_sample(data[: 256 * 1024])
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 1 << 30))
    try:
        _csv_rows(source, ctx, writer, text, found[1])
    finally:
        csv.field_size_limit(limit)


def _csv_rows(source: SourceFile, ctx: ReadContext, writer: _Writer, text: str, delimiter: str) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = next(reader)
    except (StopIteration, csv.Error):
        return
    position = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            position += 1
            ctx.reject(source, position, f"line {line}: {exc}", "")
            continue
        if not row:
            continue
        position += 1
        if len(row) != len(names):
            raw = delimiter.join(row)[:RAW_LIMIT]
            ctx.reject(source, position, f"line {line}: {len(row)} fields where the header has {len(names)}", raw)
            continue
        writer.add(position, dict(zip(names, row)), tabular=True)
