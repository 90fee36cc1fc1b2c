"""AWS CloudTrail, whatever the wrapper: the same columns for every one (docs/formats/cloudtrail.md).

- S3 deliveries ``{"Records": [...]}`` (plain or ``.json.gz``; also the console's JSON download), bare JSON
  arrays, JSON lines from log shippers and single-event files are read by DuckDB in one pass
  (``read_json_objects``, then each record decoded with an explicit structure): the fast path.
- Exports are mapped in Python (:mod:`cloudtrail_exports`): the console's event-history CSV, LookupEvents
  JSON, CloudTrail Lake query results (JSON or CSV) and Lake's ``eventData`` events.
- Digest files (``CloudTrail-Digest/``) are recognised and skipped with a note: no rows, no rejects.

Quirks handled here (the others are where they are parsed: ``cloudtrail_sniff``, ``cloudtrail_fields``,
``cloudtrail_values``, ``cloudtrail_exports``, ``cloudtrail_decode``):
- Every scalar is read as text and cast afterwards: DuckDB's inference types request IDs as UUIDs and turns
  per-event shapes into union structs, and a ``readOnly`` that is sometimes a string must not fail a file.
- ``read_json`` with an explicit schema slows down more than linearly with the number of files (4,652
  deliveries, 196k records: 9 s, against 3 s here; far worse on a loaded machine); ``read_json_objects`` +
  ``from_json`` does not, and keeps the record's text, from which the ``extra`` column is made. The price is
  a second parse of each record (``json_keys``, to tell whether it has keys CloudTrail does not define): one
  big JSON-lines file reads about 1.6 times slower than with ``read_json``.
- A file the fast path refuses (malformed JSON, a record that is not an event, a damaged ``.gz``) is named
  by DuckDB's error, taken out of the batch and read in Python record by record (``cloudtrail_decode``):
  good records are kept, each bad one is a reject with its position and reason.
- A file holding several ``{"Records": [...]}`` objects one after the other numbers its records on from
  one object to the next, so that positions (and row ids) stay unique.
- The same event delivered twice (same ``eventID``) is removed by the pipeline (``dedupe_key``).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import cast, col, func, ident, lit, render
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged
from logsheet.ingest.formats.cloudtrail import fields
from logsheet.ingest.formats.cloudtrail.decode import POSITION_KEY, head, stage
from logsheet.ingest.formats.cloudtrail.sniff import classify, envelope
from logsheet.ingest.formats.cloudtrail.sniff import sniff as _sniff
from logsheet.ingest.formats.generic.jsonstream import MAX_RECORD_BYTES
from logsheet.ingest.formats.parallel import batches, side_by_side, uncompressed_size
from logsheet.ingest.formats.sql import files_array, named, struct_literal, table_function, with_source
from logsheet.ingest.formats.stage import copy_to_parquet, parquet_table

name = "cloudtrail"
description = (
    'AWS CloudTrail: S3 deliveries {"Records": [...]}, JSON arrays, JSON lines from log shippers, single events, '
    "console event-history and CloudTrail Lake exports (CSV / JSON); digest files skipped"
)
DIGEST_NOTE = "CloudTrail digest file: integrity data, no events"
# Files are read this many (uncompressed) bytes at a time: the reader numbers records per file, which holds
# a batch's documents in memory; 1M records in one batch need more than the import's 1 GB.
BATCH_BYTES = 64 << 20
HEAD_BYTES = 16 * 1024  # enough to tell a wrapper; a wrong guess costs time, never rows (the fallback reads it)
# Fast-path layouts -> read_json_objects format: envelopes and loose objects (lines, single events, concatenated)
# are read as a stream of JSON values, arrays element by element.
FAST = {"records": "unstructured", "lines": "unstructured", "array": "array"}


def sniff(sample: Sample) -> Detection | None:
    return _sniff(sample)


def output_columns() -> list[tuple[str, exp.Expr, str]]:
    """(column, expression over the decoded record ``s``, its text ``r`` and its keys ``k``, logical type)."""
    return fields.columns(exp.column("s"), exp.column("r"), exp.column("k"))


# ------------------------------------------------------------------------------------------------- reading
def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    batches: dict[str, list[SourceFile]] = {kind: [] for kind in FAST}
    slow: list[SourceFile] = []
    notes: dict[int, str] = {}
    for source in sources:
        kind = _kind(source)
        if kind == "digest":
            notes[source.id] = DIGEST_NOTE
        elif kind in batches:
            batches[kind].append(source)
        else:
            slow.append(source)
    parts: list[Path] = []
    for kind, members in batches.items():
        parts += _stage_fast(kind, members, ctx, slow)
    staged: list[SourceFile] = []
    for source in slow:
        outcome = stage(source, ctx)
        if outcome.digest:
            notes[source.id] = DIGEST_NOTE
        if outcome.staged is not None:
            staged.append(outcome.staged)
    if staged:
        target = ctx.new_path("cloudtrail-exports", ".parquet")
        copy_to_parquet(ctx.con, _select(_staged_rows(staged), staged, check=False), target)
        parts.append(target)
    select = exp.select(exp.Star()).from_(parquet_table(parts)) if parts else _empty()
    types = {n: t for n, _, t in output_columns()}
    return Staged(select=select, types=types, time_column=fields.TIME, dedupe_key=fields.KEY, notes=notes, materialized=True)


def _kind(source: SourceFile) -> str:
    """How a source is read: a fast-path layout, 'digest', or 'python' (exports, damaged or odd files)."""
    start, readable = head(source, HEAD_BYTES)
    if not readable:
        return "python"
    shape = classify(start)
    if shape is not None:
        return shape.kind if shape.kind in FAST or shape.kind == "digest" else "python"
    first = start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]  # not recognisable, but forced: let the reader decide
    if first == b"{":
        return "records" if envelope(start) else "lines"
    return "array" if first == b"[" else "python"


def _stage_fast(kind: str, members: list[SourceFile], ctx: ReadContext, slow: list[SourceFile]) -> list[Path]:
    """Read the files in batches of about BATCH_BYTES (memory stays bounded whatever the input's size)."""
    return side_by_side(ctx, batches(members, BATCH_BYTES), lambda batch, con: _stage_batch(kind, batch, ctx, slow, con))


def _stage_batch(
    kind: str, members: list[SourceFile], ctx: ReadContext, slow: list[SourceFile], con: duckdb.DuckDBPyConnection
) -> list[Path]:
    """Read a batch in one pass; a file DuckDB refuses is named by its error and left to the Python reader."""
    good = list(members)
    while good:
        target = ctx.new_path(f"cloudtrail-{kind}", ".parquet")
        try:
            # in file order: the sheet's row groups then hold narrow row-id ranges (pages are read by row id)
            rows = _select(_fast_rows(kind, good), good, check=True)
            # one file is already in its order (read in order, numbered as read): no sort of the whole file
            ordered = rows.order_by(col(SOURCE), col(POS)) if len(good) > 1 else rows
            copy_to_parquet(con, ordered, target)
            return [target]
        except duckdb.Error as exc:
            bad = _blamed(str(exc), good) or _first_unreadable(kind, good, con)
            if bad is None:
                raise
            good.remove(bad)
            slow.append(bad)
    return []


# ------------------------------------------------------------------------------------------------- SQL
def _fast_rows(kind: str, sources: list[SourceFile]) -> exp.Select:
    """(filename, pos, r): every record of the files as JSON text, numbered in its file from 1."""
    reader = table_function(
        "read_json_objects",
        files_array(sources),
        named("format", lit(FAST[kind])),
        named("filename", exp.true()),
        # a {"Records": [...]} file is one object; a line or an array element is one record
        named("maximum_object_size", lit(object_size(sources) if kind == "records" else MAX_RECORD_BYTES)),
    )
    filename, document = exp.column("filename"), exp.Column(this=ident("json"))
    # One file (a big one is a batch of its own): numbered as it is read, by a streaming window, so that a
    # file of any size never sits whole in memory; several files: numbered within each.
    number = exp.Window(this=exp.RowNumber(), partition_by=[filename] if len(sources) > 1 else [])
    if kind != "records":  # each value is a record
        return exp.select(filename, exp.alias_(number, "pos"), exp.alias_(document, "r")).from_(reader)
    objects = exp.select(filename, document, exp.alias_(number, "o")).from_(reader)
    is_envelope = exp.EQ(this=func("json_type", document, lit("$.Records")), expression=lit("ARRAY"))
    listed = func("struct_extract", func("from_json", document, lit(json.dumps({"Records": ["JSON"]}))), lit("Records"))
    records = exp.Case(ifs=[exp.If(this=is_envelope, true=listed)], default=exp.Array(expressions=[document]))
    lists = exp.select(filename, exp.column("o"), exp.alias_(records, "rs")).from_(objects.subquery("objects"))
    # Several envelopes in one file (merged deliveries): records are numbered on from one to the next.
    length = func("len", exp.column("rs"))
    running = exp.Window(
        this=exp.Sum(this=length), partition_by=[filename], order=exp.Order(expressions=[exp.Ordered(this=exp.column("o"))])
    )
    offsets = exp.select(filename, exp.column("rs"), exp.alias_(exp.Sub(this=running, expression=length), "base"))
    offsets = offsets.from_(lists.subquery("lists"))
    unnested = exp.select(
        filename,
        exp.column("base"),
        exp.alias_(exp.Unnest(expressions=[exp.column("rs")]), "r"),
        exp.alias_(func("generate_subscripts", exp.column("rs"), lit(1)), "i"),
    ).from_(offsets.subquery("offsets"))
    position = exp.Add(this=exp.column("base"), expression=exp.column("i"))
    return exp.select(filename, exp.alias_(position, "pos"), exp.column("r")).from_(unnested.subquery("records"))


def _staged_rows(staged: list[SourceFile]) -> exp.Select:
    """(filename, pos, r) of the events the Python reader staged as JSON lines."""
    reader = table_function(
        "read_json",
        files_array(staged),
        named("columns", struct_literal({"r": "JSON", POSITION_KEY: "BIGINT"})),
        named("format", lit("newline_delimited")),
        named("filename", exp.true()),
        named("maximum_object_size", lit(object_size(staged))),
    )
    return exp.select(exp.column("filename"), exp.alias_(col(POSITION_KEY), "pos"), exp.column("r")).from_(reader)


def _select(rows: exp.Select, sources: list[SourceFile], check: bool) -> exp.Select:
    """The sheet's columns over (filename, pos, r); ``check``: fail, naming the file, on a record that is
    not a CloudTrail event (the Python reader then rejects it with its reason)."""
    r = exp.column("r")
    decoded = exp.select(
        exp.column("filename"),
        exp.column("pos"),
        r,
        exp.alias_(func("from_json", r, lit(fields.structure())), "s"),
        exp.alias_(fields.keys(r), "k"),
    ).from_(rows.subquery("rows"))
    s = exp.column("s", "x")
    base = exp.select(exp.alias_(exp.column("pos", "x"), POS, quoted=True))
    base = base.select(
        *[exp.alias_(e, n, quoted=True) for n, e, _ in fields.columns(s, exp.column("r", "x"), exp.column("k", "x"))]
    )
    base = base.from_(decoded.subquery("x"))
    if check:  # a value that is not an object decodes to a struct of blanks, so it fails here too
        is_event = fields.readable(s)
        message = func(
            "concat",
            lit("logsheet: record "),
            cast(exp.column("pos", "x"), "VARCHAR"),
            lit(' of "'),
            exp.column("filename", "x"),
            lit('" is not a CloudTrail event'),
        )
        base = base.where(exp.Case(ifs=[exp.If(this=is_event, true=exp.true())], default=func("error", message)))
    return with_source(base, sources, table="x")


def _empty() -> exp.Select:
    columns = [exp.alias_(exp.Null(), SOURCE, quoted=True), exp.alias_(exp.Null(), POS, quoted=True)]
    types = {"timestamp": "TIMESTAMPTZ", "boolean": "BOOLEAN", "text": "VARCHAR", "json": "JSON"}
    columns += [exp.alias_(cast(exp.Null(), types[t]), n, quoted=True) for n, _, t in output_columns()]
    return exp.select(*columns).where(exp.false())


def _blamed(message: str, sources: list[SourceFile]) -> SourceFile | None:
    """The source a DuckDB error names (the longest path that appears in it, so that ``a.json`` is not taken
    for ``a.json.gz``)."""
    named_ = [s for s in sources if f'"{s.path}"' in message] or [s for s in sources if str(s.path) in message]
    return max(named_, key=lambda s: len(str(s.path)), default=None)


def _first_unreadable(kind: str, sources: list[SourceFile], con: duckdb.DuckDBPyConnection) -> SourceFile | None:
    for source in sources:
        probe = exp.select(exp.Count(this=exp.Star())).from_(
            _select(_fast_rows(kind, [source]), [source], check=True).subquery("p")
        )
        try:
            con.execute(render(probe)).fetchall()
        except duckdb.Error:
            return source
    return None


def object_size(sources: list[SourceFile]) -> int:
    """The reader's largest-object bound: a {"Records": [...]} file is one object, so its whole size."""
    largest = max((uncompressed_size(s) for s in sources), default=0)
    return max(16 << 20, largest + (largest >> 3) + 1024)
