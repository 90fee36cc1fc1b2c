"""Generic JSON: an array of objects, a single object, or JSON lines (NDJSON).

Nested objects become dotted columns; arrays stay JSON text. DuckDB reads well-formed files with full-file
type inference (``sample_size=-1``, so a late odd record cannot break the import); a file it cannot read is
decoded in Python record by record: good records are kept, each bad line or broken span is a reject with
its line number or byte offset. A top-level value that is not an object is kept as a ``value`` column.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import col, lit, render
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged, open_text, read_all
from logsheet.ingest.formats.cloudtrail.reader import object_size
from logsheet.ingest.formats.generic.flatten import bigint_check, describe, flatten, guess_time_column
from logsheet.ingest.formats.sql import FILE_COL, ROW_COL, attach_source, file_column, files_array, named, table_function

name = "json"
description = "JSON: arrays of objects, objects, JSON lines (nested objects flattened to dotted columns)"
POSITION_KEY = "__logsheet_pos"


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
    except json.JSONDecodeError:
        if sample.truncated:
            return Detection(name, 0.6, "starts like a JSON document")
    return Detection(name, 0.3, "starts like JSON but does not parse")


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def layout(source: SourceFile) -> str:
    with open_text(source) as fh:
        head = fh.read(65536).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "array"
    lines = [line for line in head.split(b"\n")[:3] if line.strip()]
    if len(lines) >= 2 or (
        lines and _is_object(lines[0].decode("utf-8", "replace")) and len(head) < 65536 and head.count(b"\n") <= 1
    ):
        return "newline_delimited"
    return "auto"


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    groups: dict[str, list[SourceFile]] = {}
    for source in sources:
        groups.setdefault(layout(source), []).append(source)
    selects: list[exp.Select] = []
    fallback: list[SourceFile] = []
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
                staged = _python_decode(source, ctx)
                if staged is not None:
                    fallback.append(staged)
    if fallback:
        selects.append(_reader_select(fallback, "salvaged"))
    if not selects:
        empty = exp.select(exp.alias_(lit(None), SOURCE, quoted=True), exp.alias_(lit(None), POS, quoted=True))
        return Staged(select=empty.where(exp.false()))
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
    )


def _readable(select: exp.Select, ctx: ReadContext) -> bool:
    probe = exp.select(exp.Count(this=exp.Star())).from_(select.subquery("p"))
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
        named("maximum_object_size", lit(object_size(sources))),
        named("union_by_name", exp.true()),
        named("format", lit("newline_delimited" if kind == "salvaged" else kind)),
    ]
    reader = table_function("read_json", *args)
    if kind == "salvaged":
        numbered = exp.select(exp.Star(except_=[col(POSITION_KEY)]), exp.alias_(col(POSITION_KEY), ROW_COL, quoted=True))
    else:
        window = exp.Window(this=exp.RowNumber(), partition_by=[col(FILE_COL)])
        numbered = exp.select(exp.Star(), exp.alias_(window, ROW_COL, quoted=True))
    return attach_source(numbered.from_(reader), sources)


def _python_decode(source: SourceFile, ctx: ReadContext) -> SourceFile | None:
    """Decode a file DuckDB refused; returns a staged JSON-lines file of its good records, or None."""
    raw, damage = read_all(source)
    if damage:
        ctx.reject(source, 0, damage, "")
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    records = list(_decode_records(source, text, ctx))
    if not records:
        return None
    target = ctx.new_path(f"json-{source.id}", ".ndjson")
    with open(target, "w", encoding="utf-8") as out:
        for position, record in records:
            record = dict(record) if isinstance(record, dict) else {"value": record}
            record[POSITION_KEY] = position
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return SourceFile(source.id, target, source.display, source.size, source.sha256)


def _decode_records(source: SourceFile, text: str, ctx: ReadContext) -> Any:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    else:
        items = document if isinstance(document, list) else [document]
        yield from enumerate(items, start=1)
        return
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from _scan_array(source, text, ctx)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            ctx.reject(source, number, f"line {number} is not valid JSON: {exc.msg} (column {exc.colno})", line[:65536])


def _scan_array(source: SourceFile, text: str, ctx: ReadContext) -> Any:
    decoder = json.JSONDecoder()
    i = text.index("[") + 1
    position = 0
    while i < len(text):
        match = re.compile(r"[\s,]*").match(text, i)
        i = match.end() if match else i
        if i >= len(text) or text[i] == "]":
            return
        position += 1
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            line = text.count("\n", 0, i) + 1
            ctx.reject(
                source,
                position,
                f"element {position} (line {line}) is not valid JSON: {exc.msg}; the rest of the file could not be read",
                text[i : i + 65536],
            )
            return
        yield position, value
