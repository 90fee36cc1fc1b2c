"""AWS CloudTrail, as delivered to S3 (``{"Records": [...]}``, plain or ``.json.gz``), as bare JSON arrays
and as JSON lines.

Quirks handled here:
- The stable fields are read with an explicit schema, every scalar as text and cast afterwards, because
  DuckDB's inference types request IDs as UUIDs and turns per-event shapes into union structs; and because
  a ``readOnly`` that is sometimes a string must not fail a whole file.
- The variable parts (``requestParameters``, ``responseElements``, ``additionalEventData``,
  ``serviceEventDetails``, ``resources``, ``userIdentity.sessionContext`` …) stay JSON text, queried by path.
- ``userIdentity.*`` and ``tlsDetails.*`` become dotted columns (``userIdentity.arn``).
- Old eventVersions (1.01–1.05) lack ``readOnly``, ``eventType``, ``recipientAccountId``: they are blank.
- ``requestParameters`` is often ``null``; ``sourceIPAddress`` is sometimes a service name
  (``autoscaling.amazonaws.com``) or ``AWS Internal``: kept as text.
- The same event delivered twice (same ``eventID``) is removed by the pipeline (``dedupe_key``).
- A malformed file (a missing comma between records, a truncated upload) fails DuckDB's reader for the
  whole file; it is then salvaged record by record in Python: every record that decodes whole is kept, the
  broken span is a reject with its byte offset.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from logsheet.formats.base import POS_COL, SOURCE_COL, Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.formats.sql import files_array, named, struct_literal, struct_type, table_function, with_source
from logsheet.formats.stage import copy_to_parquet, parquet_table
from logsheet.sqlnames import cast, col, ident, lit

name = "cloudtrail"
description = 'AWS CloudTrail: S3 deliveries {"Records": [...]}, JSON arrays and JSON lines'

TEXT_FIELDS = (
    "eventVersion",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestID",
    "eventID",
    "eventType",
    "apiVersion",
    "managementEvent",
    "readOnly",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "sessionCredentialFromConsole",
)
JSON_FIELDS = (
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "resources",
    "insightDetails",
    "edgeDeviceDetails",
    "addendum",
)
USER_IDENTITY_TEXT = (
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "invokedBy",
    "identityProvider",
    "credentialId",
)
USER_IDENTITY_JSON = ("sessionContext", "onBehalfOf")
TLS_TEXT = ("tlsVersion", "cipherSuite", "clientProvidedHostHeader")
BOOLEAN_FIELDS = ("readOnly", "managementEvent")
POSITION_KEY = "__logsheet_pos"

_MARKERS = (b'"eventVersion"', b'"eventSource"', b'"eventName"', b'"eventTime"')


def record_type() -> str:
    fields: dict[str, str] = {f: "VARCHAR" for f in TEXT_FIELDS}
    fields.update({f: "JSON" for f in JSON_FIELDS})
    identity = {f: "VARCHAR" for f in USER_IDENTITY_TEXT} | {f: "JSON" for f in USER_IDENTITY_JSON}
    fields["userIdentity"] = struct_type(identity)
    fields["tlsDetails"] = struct_type({f: "VARCHAR" for f in TLS_TEXT})
    return struct_type(fields)


def output_columns() -> list[tuple[str, exp.Expr, str]]:
    """(column name, expression over a record struct ``r``, logical type), in sheet order."""
    r = exp.column("r")

    def field(*path: str) -> exp.Expr:
        expression: exp.Expr = r
        for part in path:
            expression = exp.Dot(this=expression, expression=ident(part))
        return expression

    out: list[tuple[str, exp.Expr, str]] = [("eventTime", cast(field("eventTime"), "TIMESTAMPTZ", safe=True), "timestamp")]
    for f in TEXT_FIELDS:
        if f == "eventTime":
            continue
        if f in BOOLEAN_FIELDS:
            out.append((f, cast(field(f), "BOOLEAN", safe=True), "boolean"))
        else:
            out.append((f, field(f), "text"))
        if f == "eventName":
            out += [(f"userIdentity.{u}", field("userIdentity", u), "text") for u in USER_IDENTITY_TEXT]
            out += [(f"userIdentity.{u}", field("userIdentity", u), "json") for u in USER_IDENTITY_JSON]
    out += [(f, field(f), "json") for f in JSON_FIELDS]
    out += [(f"tlsDetails.{t}", field("tlsDetails", t), "text") for t in TLS_TEXT]
    return out


# ------------------------------------------------------------------------------------------------ sniffing
def sniff(sample: Sample) -> Detection | None:
    head = sample.head.lstrip()
    hits = sum(marker in sample.head for marker in _MARKERS)
    if hits < 3:
        return None
    if re.match(rb'\{\s*"Records"\s*:', head):
        return Detection(name, 0.99, 'a {"Records": [...]} envelope of CloudTrail events')
    if b'"Records"' in sample.head[:4096] and head.startswith(b"{"):
        return Detection(name, 0.95, 'an object with a "Records" list of CloudTrail events')
    if head.startswith(b"["):
        return Detection(name, 0.9, "a JSON array of CloudTrail events")
    if head.startswith(b"{"):
        return Detection(name, 0.85, "JSON lines of CloudTrail events")
    return None


def layout(source: SourceFile) -> str:
    """'records' ({"Records": [...]}), 'array' or 'lines', from the first non-blank byte and the key."""
    with open_text(source) as fh:
        head = fh.read(4096).lstrip()
    if head.startswith(b"["):
        return "array"
    if re.match(rb'\{\s*"Records"\s*:', head):
        return "records"
    return "lines"


# ------------------------------------------------------------------------------------------------- reading
def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    groups: dict[str, list[SourceFile]] = {"records": [], "array": [], "lines": []}
    for source in sources:
        groups[layout(source)].append(source)
    parts: list[Path] = []
    salvaged: list[SourceFile] = []
    for kind, members in groups.items():
        if members:
            parts += _stage(kind, members, ctx, salvaged)
    if salvaged:
        target = ctx.new_path("cloudtrail-salvaged", ".parquet")
        copy_to_parquet(ctx.con, _select("salvaged", salvaged), target)
        parts.append(target)
    select = exp.select(exp.Star()).from_(parquet_table(parts)) if parts else _empty()
    types = {n: t for n, _, t in output_columns()}
    return Staged(select=select, types=types, time_column="eventTime", dedupe_key="eventID", materialized=True)


def _stage(kind: str, members: list[SourceFile], ctx: ReadContext, salvaged: list[SourceFile]) -> list[Path]:
    """Read a batch in one pass; a file DuckDB refuses is named by its error, salvaged in Python and left out
    of the next attempt."""
    good = list(members)
    while good:
        target = ctx.new_path(f"cloudtrail-{kind}", ".parquet")
        try:
            copy_to_parquet(ctx.con, _select(kind, good), target)
            return [target]
        except duckdb.Error as exc:
            bad = _blamed(str(exc), good) or _first_unreadable(kind, good, ctx)
            if bad is None:
                raise
            good.remove(bad)
            recovered = salvage(bad, ctx)
            if recovered is not None:
                salvaged.append(recovered)
    return []


def _reader(kind: str, sources: list[SourceFile]) -> exp.Table:
    record = record_type()
    args = [files_array(sources)]
    if kind == "records":
        args += [named("columns", struct_literal({"Records": record + "[]"})), named("format", lit("auto"))]
    elif kind == "salvaged":
        args += [
            named("columns", struct_literal({"r": record, POSITION_KEY: "BIGINT"})),
            named("format", lit("newline_delimited")),
        ]
    else:
        # Each top-level value is one record: read it whole as the single column "r".
        args += [
            named("columns", struct_literal({"r": record})),
            named("records", lit("false")),
            named("format", lit("array" if kind == "array" else "newline_delimited")),
        ]
    args += [named("filename", exp.true()), named("maximum_object_size", lit(object_size(sources)))]
    return table_function("read_json", *args)


def object_size(sources: list[SourceFile]) -> int:
    """The reader's largest-object bound: a {"Records": [...]} file is one object, so its whole size."""
    largest = max((uncompressed_size(s) for s in sources), default=0)
    return max(16 << 20, largest + (largest >> 3) + 1024)


def uncompressed_size(source: SourceFile) -> int:
    if not source.compressed:
        return source.size
    with open(source.path, "rb") as fh:
        fh.seek(-4, 2)
        trailer = int.from_bytes(fh.read(4), "little")  # gzip ISIZE: the size modulo 2^32
    return max(trailer, source.size)


def _select(kind: str, sources: list[SourceFile]) -> exp.Select:
    reader = _reader(kind, sources)
    if kind == "records":
        inner = exp.select(
            exp.column("filename"),
            exp.alias_(exp.Unnest(expressions=[exp.column("Records")]), "r"),
            exp.alias_(exp.Anonymous(this="generate_subscripts", expressions=[exp.column("Records"), lit(1)]), "i"),
        ).from_(reader)
    elif kind == "salvaged":
        inner = exp.select(exp.column("filename"), exp.column("r"), exp.alias_(col(POSITION_KEY), "i")).from_(reader)
    else:
        inner = exp.select(
            exp.column("filename"),
            exp.column("r"),
            exp.alias_(exp.Window(this=exp.RowNumber(), partition_by=[exp.column("filename")]), "i"),
        ).from_(reader)
    base = exp.select(exp.alias_(exp.column("i", "x"), POS_COL, quoted=True))
    base = base.select(*[exp.alias_(e, n, quoted=True) for n, e, _ in output_columns()])
    base = base.from_(inner.subquery("x"))
    return with_source(base, sources, table="x")


def _empty() -> exp.Select:
    columns = [exp.alias_(exp.Null(), SOURCE_COL, quoted=True), exp.alias_(exp.Null(), POS_COL, quoted=True)]
    types = {"timestamp": "TIMESTAMPTZ", "boolean": "BOOLEAN", "text": "VARCHAR", "json": "JSON"}
    columns += [exp.alias_(cast(exp.Null(), types[t]), n, quoted=True) for n, _, t in output_columns()]
    return exp.select(*columns).where(exp.false())


def _blamed(message: str, sources: list[SourceFile]) -> SourceFile | None:
    for source in sources:
        if f'"{source.path}"' in message or str(source.path) in message:
            return source
    return None


def _first_unreadable(kind: str, sources: list[SourceFile], ctx: ReadContext) -> SourceFile | None:
    for source in sources:
        probe = exp.select(exp.Count(this=exp.Star())).from_(_select(kind, [source]).subquery("p"))
        try:
            ctx.con.execute(probe.sql("duckdb")).fetchall()
        except Exception:  # noqa: BLE001
            return source
    return None


# ------------------------------------------------------------------------------------------------ salvage
def salvage(source: SourceFile, ctx: ReadContext) -> SourceFile | None:
    """Recover every whole record of a file DuckDB could not read; reject the broken spans.

    Returns a staged JSON-lines file (same source id) holding the recovered records with their positions,
    or None when nothing was recovered.
    """
    with open_text(source) as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        ctx.reject(source, 0, f"not valid UTF-8 at byte {exc.start}; undecodable bytes replaced", "")
    records, problems = scan_records(text)
    for offset, reason, excerpt in problems:
        ctx.reject(source, offset, reason, excerpt)
    if not records:
        return None
    target = ctx.new_path(f"salvaged-{source.id}", ".ndjson")
    with open(target, "w", encoding="utf-8") as out:
        for position, record in records:
            out.write(json.dumps({"r": record, POSITION_KEY: position}, ensure_ascii=False))
            out.write("\n")
    return SourceFile(source.id, target, source.display, source.size, source.sha256)


def scan_records(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, str]]]:
    """Decode the records of a CloudTrail file that is not valid JSON as a whole.

    Returns (position, record) for every record decoded whole, and (byte offset, reason, raw excerpt) for
    every span that could not be decoded. A record is sound when it decodes completely as an object with
    CloudTrail keys; the scanner then continues after it, tolerating a missing or extra comma.
    """
    decoder = json.JSONDecoder()
    start = _records_start(text)
    if start == 0 and not text.lstrip().startswith("{"):
        return [], [(0, "not CloudTrail JSON: the file does not start with '{' or '['", text[:4096])]
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[tuple[int, str, str]] = []
    i, n, position = start, len(text), 0
    expect_separator = False
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] == ",":
            expect_separator = False
            while i < n and text[i] in " \t\r\n,":
                i += 1
        if i >= n or text[i] in "]}":
            break
        if expect_separator:
            line = text.count("\n", 0, i) + 1
            problems.append(
                (
                    len(text[:i].encode("utf-8")),
                    f"malformed JSON: a ',' is missing before record "
                    f"{position + 1} (line {line}); the records on both sides were recovered",
                    text[max(0, i - 200) : i + 200],
                )
            )
        expect_separator = True
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            position += 1
            resume = _next_record(text, i + 1, decoder)
            reason = f"malformed JSON in record {position}: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            problems.append((len(text[:i].encode("utf-8")), reason, text[i : (resume if resume > 0 else n)][:16384]))
            if resume < 0:
                break
            i = resume
            continue
        position += 1
        if isinstance(value, dict):
            records.append((position, value))
        else:
            problems.append((len(text[:i].encode("utf-8")), f"record {position} is not a JSON object", text[i:end][:65536]))
        i = end
    tail = text[i:].strip()
    if tail and tail.strip("]} \t\r\n"):
        problems.append((len(text[:i].encode("utf-8")), "unexpected text after the records", tail[:65536]))
    return records, problems


def _records_start(text: str) -> int:
    match = re.match(r'\s*\{\s*"Records"\s*:\s*\[', text)
    if match:
        return match.end()
    stripped = len(text) - len(text.lstrip())
    if text[stripped : stripped + 1] == "[":
        return stripped + 1
    return 0


def _next_record(text: str, i: int, decoder: json.JSONDecoder) -> int:
    """The offset of the next object that decodes whole and looks like a CloudTrail record, or -1."""
    while True:
        i = text.find("{", i)
        if i < 0:
            return -1
        try:
            value, _ = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            i += 1
            continue
        if isinstance(value, dict) and ("eventID" in value or "eventVersion" in value or "eventName" in value):
            return i
        i += 1


def sorted_sources(sources: list[SourceFile]) -> list[SourceFile]:
    return sorted(sources, key=lambda s: Path(s.display).name)
