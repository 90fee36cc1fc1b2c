"""Generic JSON: an array of objects, a single object, or JSON lines (NDJSON).

Nested objects become dotted columns; arrays stay JSON text. DuckDB reads well-formed files with full-file
type inference (``sample_size=-1``, so a late odd record cannot break the import); a file it cannot read is
decoded in Python record by record: good records are kept, each bad line or broken span is a reject with
its line number or byte offset. A top-level value that is not an object is kept as a ``value`` column.
A file whose first records hold more than ``jsonwide.MAX_COLUMNS`` top-level keys is read by ``jsonwide``
(the first keys as columns, the rest of each record as one json column).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import col, func, lit, render
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged
from logsheet.ingest.formats.cloudtrail.reader import object_size
from logsheet.ingest.formats.generic import jsonwide
from logsheet.ingest.formats.generic.flatten import bigint_check, describe, flatten, guess_time_column
from logsheet.ingest.formats.generic.jsonsalvage import POSITION_KEY, salvage
from logsheet.ingest.formats.generic.jsonstream import MAX_RECORD_BYTES, ByteStream, has_risky_numbers
from logsheet.ingest.formats.sql import FILE_COL, ROW_COL, attach_source, file_column, files_array, named, table_function
from logsheet.ingest.formats.stage import ROW_GROUP_ROWS

name = "json"
description = "JSON: arrays of objects, objects, JSON lines (nested objects flattened to dotted columns)"


def sniff(sample: Sample) -> Detection | None:
    text = sample.text().lstrip("\ufeff \t\r\n")
    if not text or text[0] not in "[{":
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    complete = lines[:-1] if sample.truncated else lines
    if len(complete) >= 2 and all(_is_object(line) for line in complete[:50]):
        return Detection(name, 0.8, f"{len(complete)} lines that each hold a JSON object (JSON lines)")
    try:
        json.loads(text)
        return Detection(name, 0.8, "a JSON document")
    except RecursionError:
        return Detection(name, 0.6, "a JSON document (nested very deep)")
    except json.JSONDecodeError:
        if sample.truncated:
            return Detection(name, 0.6, "starts like a JSON document")
    return Detection(name, 0.3, "starts like JSON but does not parse")


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def layout(source: SourceFile) -> str:
    """array, newline_delimited (the first line holds a whole JSON object) or auto (anything else)."""
    buffer, newline = bytearray(), False
    for chunk in ByteStream(source).chunks():  # a cut-short gzip stream still gives what precedes the cut
        buffer += chunk
        newline = newline or b"\n" in chunk
        # enough to see the layout, and the whole first line (a record of many keys is longer than 64 KiB)
        if len(buffer) >= 65536 and (newline or len(buffer) > MAX_RECORD_BYTES):
            break
    head = bytes(buffer)
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "array"
    first = head.split(b"\n", 1)[0][:MAX_RECORD_BYTES]
    if first.strip() and _is_object(first.decode("utf-8", "replace")):
        return "newline_delimited"
    return "auto"


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    groups: dict[str, list[SourceFile]] = {}
    kinds: dict[int, str] = {}
    fallback: list[SourceFile] = []
    notes: dict[int, str] = {}

    def salvage_one(source: SourceFile) -> None:
        salvaged = salvage(source, kinds[source.id], ctx)
        if salvaged.note:
            notes[source.id] = salvaged.note
        if salvaged.staged is not None:
            fallback.append(salvaged.staged)

    wide: list[tuple[Path, Any]] = []
    for source in sources:
        kinds[source.id] = layout(source)
        keys = jsonwide.sample_keys(source, kinds[source.id])
        if jsonwide.is_wide(keys):  # too many keys for columns: the first ones are columns, the rest one json
            target, stager, note = jsonwide.stage(source, kinds[source.id], keys, ctx)
            notes[source.id] = note
            if stager.rows:
                wide.append((target, stager))
        elif has_risky_numbers(source, kinds[source.id] == "newline_delimited"):  # DuckDB would round them, or
            # the gzip stream is damaged, or a line is past the limit DuckDB does not hold to
            salvage_one(source)
        else:
            groups.setdefault(kinds[source.id], []).append(source)
    selects: list[exp.Select] = []
    for kind, members in groups.items():
        batch = _reader_select(members, kind)
        if _readable(batch, ctx):
            selects.append(batch)
            continue
        for source in members:
            single = _reader_select([source], kind)
            if _readable(single, ctx):
                selects.append(single)
            else:
                salvage_one(source)
    if fallback:
        selects.append(_reader_select(fallback, "salvaged"))
    row_groups = None
    if wide:
        wide_select, _, text_bytes, rows = jsonwide.select(wide)
        selects.append(wide_select)
        row_groups = max(min(jsonwide.GROUP_BYTES // max(text_bytes // max(rows, 1), 1), ROW_GROUP_ROWS), 64)
    if not selects:
        empty = exp.select(exp.alias_(lit(None), SOURCE, quoted=True), exp.alias_(lit(None), POS, quoted=True))
        return Staged(select=empty.where(exp.false()), notes=notes)
    union: exp.Expr = selects[0]
    for select in selects[1:]:
        union = exp.Union(this=union, expression=select, distinct=False, by_name=True)
    columns = describe(ctx.con, union)
    projections, types = flatten(columns, bigint_check(ctx.con, union))
    final = exp.select(col(SOURCE), col(POS), *[exp.alias_(e, n, quoted=True) for n, e in projections])
    return Staged(
        select=final.from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("u")))),
        types=types,
        time_column=guess_time_column(types),
        notes=notes,
        row_group_rows=row_groups,
    )


def _readable(select: exp.Select, ctx: ReadContext) -> bool:
    # Hashing the whole row makes the reader transform every value (a bare count would skip that, and a
    # duplicate key or a bad byte would surface only when the import writes).
    whole_row = exp.Is(this=func("hash", exp.column("p")), expression=exp.Null())
    probe = exp.select(exp.Count(this=exp.Star())).from_(select.subquery("p")).where(exp.Not(this=whole_row))
    try:
        ctx.con.execute(render(probe)).fetchall()
    except Exception:  # noqa: BLE001 - the reader refused: the caller decodes in Python
        return False
    return True


def _reader_select(sources: list[SourceFile], kind: str) -> exp.Select:
    args = [
        files_array(sources),
        file_column(),
        named("sample_size", lit(-1)),
        # One line is one record: past MAX_RECORD_BYTES the reader refuses the file and the record-by-record
        # reader rejects that line (a whole document or an array may be as large as the file).
        named("maximum_object_size", lit(MAX_RECORD_BYTES if kind == "newline_delimited" else object_size(sources))),
        named("union_by_name", exp.true()),
        named("format", lit("newline_delimited" if kind == "salvaged" else kind)),
    ]
    # Never fold a record of many keys of one type into a MAP (DuckDB does past 200 keys): every key is a
    # column (a file of more than jsonwide.MAX_COLUMNS keys is read by jsonwide instead), and the position key
    # of a salvaged file must stay a column.
    args.append(named("map_inference_threshold", lit(-1)))
    reader = table_function("read_json", *args)
    if kind == "salvaged":
        numbered = exp.select(exp.Star(except_=[col(POSITION_KEY)]), exp.alias_(col(POSITION_KEY), ROW_COL, quoted=True))
    else:
        window = exp.Window(this=exp.RowNumber(), partition_by=[col(FILE_COL)])
        numbered = exp.select(exp.Star(), exp.alias_(window, ROW_COL, quoted=True))
    return attach_source(numbered.from_(reader), sources)
