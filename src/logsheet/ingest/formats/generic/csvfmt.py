"""CSV and TSV, with the dialect and the encoding sniffed.

Quirks handled here:
- The dialect (delimiter, quoting, header) is sniffed in Python from the first lines, by which delimiter
  gives the most consistent field count; DuckDB's own sniffer is thrown off by a single bad line.
- Encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 / Latin-1; non-UTF-8 files are
  transcoded into the staging folder first. The original is never touched.
- Everything is read as text, then each column gets the narrowest type that every non-blank value fits
  (integer, float, boolean, timestamp): a late odd value can never turn a row into a reject.
- A line with the wrong number of fields is a reject with its line number and the raw line.
- Headers with spaces, duplicates or blanks are fine (blank headers become ``column_N``). Cells that hold
  Python-dict-looking text or odd quoting stay text.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import cast, col, func, lit, render
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.ingest.formats.generic.flatten import guess_time_column
from logsheet.ingest.formats.sql import ROW_COL, attach_source, file_column, files_array, named, struct_literal, table_function
from logsheet.ingest.formats.stage import parquet_table

name = "csv"
description = "CSV / TSV (delimiter, quoting, header and encoding sniffed)"
DELIMITERS = (",", "\t", ";", "|")
REJECTS_TABLE = "logsheet_csv_rejects"  # DuckDB's store_rejects tables, dropped after each file
SCANS_TABLE = "logsheet_csv_scans"
_TRY_TYPES = (("integer", "BIGINT"), ("float", "DOUBLE"), ("boolean", "BOOLEAN"), ("timestamp", "TIMESTAMPTZ"))
# A column is numeric only if every value's text means exactly the number stored: an engine's cast alone
# rounds ('2.5' AS BIGINT is 3) and drops leading zeros (an account ID 012345678901 is not a number).
INTEGER_TEXT = "[+-]?(0|[1-9][0-9]{0,17})"  # within BIGINT, no leading zeros
DECIMAL_TEXT = "[+-]?(0|[1-9][0-9]*)?([.][0-9]+)?([eE][+-]?[0-9]{1,3})?"
DATE_TEXT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
DOUBLE_DIGITS = 15  # a decimal of at most 15 significant digits reads back from a DOUBLE exactly as written


def decode_sample(head: bytes) -> tuple[str, str]:
    """(text, encoding) of a sample; the encoding as Python names it."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", errors="ignore"), "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore"), "utf-16"
    try:
        return head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sample's end
            return head[: exc.start].decode("utf-8"), "utf-8"
    try:
        return head.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return head.decode("latin-1"), "latin-1"


def dialect(text: str) -> tuple[str, float, int]:
    """(delimiter, consistency 0..1, field count) of the most consistent delimiter on the first lines."""
    lines = text.splitlines()[:100]
    if len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    best = (",", 0.0, 1)
    for delimiter in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        score = hits / len(counts)
        if width > 1 and (score, width) > (best[1], best[2]):
            best = (delimiter, score, width)
    return best


def sniff(sample: Sample) -> Detection | None:
    text, encoding = decode_sample(sample.head)
    stripped = text.lstrip()
    if not stripped or stripped[0] in "{[" or "\x00" in text[:4096]:
        return None
    delimiter, score, width = dialect(text)
    lines = len(text.splitlines())
    if width < 2 or lines < 2 or score < 0.8:
        return None
    label = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}[delimiter]
    return Detection(name, 0.5 + 0.3 * score, f"{label}-separated, {width} fields on {score:.0%} of the first lines ({encoding})")


def has_header(text: str, delimiter: str) -> bool:
    rows = [r for r in csv.reader(io.StringIO("\n".join(text.splitlines()[:20])), delimiter=delimiter) if r]
    if len(rows) < 2:
        return True
    first = rows[0]
    if any(_numeric(v) for v in first):
        return not all(any(_numeric(r[i]) for r in rows[1:] if i < len(r)) for i, v in enumerate(first) if _numeric(v))
    return True


def _numeric(value: str) -> bool:
    try:
        float(value.strip())
    except ValueError:
        return False
    return True


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    staged_parts = []
    for source in sources:
        staged_parts.append(_stage(source, ctx))
    table = parquet_table(staged_parts)
    columns = [c for c in ctx.con.sql(render(exp.select(exp.Star()).from_(table).limit(0))).columns if c not in (SOURCE, POS)]
    types = _infer_types(columns, table, ctx)
    projections: list[exp.Expr] = [col(SOURCE), col(POS)]
    for column in columns:
        engine = dict(_TRY_TYPES).get(types[column])
        value = col(column) if engine is None else cast(exp.Trim(this=col(column)), engine, safe=True)
        projections.append(exp.alias_(value, column, quoted=True))
    return Staged(select=exp.select(*projections).from_(table), types=types, time_column=guess_time_column(types))


def _stage(source: SourceFile, ctx: ReadContext):  # type: ignore[no-untyped-def]
    """Read one file as text columns into a staging Parquet file; record its bad lines as rejects."""
    with open_text(source) as fh:
        head = fh.read(256 * 1024)
    text, encoding = decode_sample(head)
    readable = source if encoding in ("utf-8", "utf-8-sig") and not source.compressed else _transcode(source, encoding, ctx)
    delimiter, _, _ = dialect(text)
    header = has_header(text, delimiter)
    reader = table_function(
        "read_csv",
        files_array([readable]),
        named("all_varchar", exp.true()),
        named("delim", lit(delimiter)),
        named("quote", lit('"')),
        named("escape", lit('"')),
        named("header", exp.true() if header else exp.false()),
        named("store_rejects", exp.true()),
        named("rejects_table", lit(REJECTS_TABLE)),
        named("rejects_scan", lit(SCANS_TABLE)),
        file_column(),
        named("strict_mode", exp.true()),
        named("null_padding", exp.false()),
        named("auto_detect", exp.true()),
        named("sample_size", lit(-1)),
        named("max_line_size", lit(64 * 1024 * 1024)),
    )
    numbered = exp.select(exp.Star(), exp.alias_(exp.Window(this=exp.RowNumber()), ROW_COL, quoted=True)).from_(reader)
    select = attach_source(numbered, [readable])
    target = ctx.new_path(f"csv-{source.id}", ".parquet")
    copy = exp.Copy(
        this=select.subquery(),
        kind=False,
        files=[lit(str(target))],
        params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("PARQUET"))],
    )
    ctx.con.execute(render(copy))
    rejects = ctx.con.execute(
        render(exp.select("line", "csv_line", "error_message").from_(REJECTS_TABLE).order_by("line"))
    ).fetchall()
    for line, raw, message in rejects:
        ctx.reject(source, int(line or 0), f"line {line}: {message}", raw or "")
    for table in (REJECTS_TABLE, SCANS_TABLE):
        ctx.con.execute(render(exp.Drop(tables=[exp.to_table(table)], kind="TABLE", exists=True)))
    return target


def _transcode(source: SourceFile, encoding: str, ctx: ReadContext) -> SourceFile:
    target = ctx.new_path(f"utf8-{source.id}", ".csv")
    with open_text(source) as raw, open(target, "w", encoding="utf-8", newline="") as out:
        reader = codecs.getreader(encoding)(raw, "replace")
        while chunk := reader.read(1 << 20):
            out.write(chunk)
        if getattr(raw, "damage", ""):
            ctx.reject(source, 0, raw.damage + "; the lines before the damage were read", "")
    return SourceFile(source.id, target, source.display, source.size, source.sha256)


def _exactly(value: exp.Expr, engine: str) -> exp.Expr:
    """``value`` as ``engine``'s type when the text means exactly that value, else NULL."""
    converted = cast(value, engine, safe=True)
    if engine == "BIGINT":
        return exp.If(this=func("regexp_full_match", value, lit(INTEGER_TEXT)), true=converted)
    if engine == "DOUBLE":
        mantissa = func("regexp_replace", value, lit("[eE].*$"), lit(""))
        digits = exp.Trim(this=func("regexp_replace", mantissa, lit("[^0-9]"), lit(""), lit("g")), expression=lit("0"))
        exact = exp.and_(
            func("regexp_full_match", value, lit(DECIMAL_TEXT)),
            func("regexp_matches", value, lit("[0-9]")),
            exp.LTE(this=exp.Length(this=digits), expression=lit(DOUBLE_DIGITS)),
            func("isfinite", converted),
        )
        return exp.If(this=exact, true=converted)
    if engine == "TIMESTAMPTZ":  # a date written as one ('infinity' casts to a timestamp too)
        dated = exp.and_(func("regexp_matches", value, lit(DATE_TEXT)), func("isfinite", converted))
        return exp.If(this=dated, true=converted)
    return converted


def _infer_types(columns: list[str], table: exp.Table, ctx: ReadContext) -> dict[str, str]:
    """The narrowest type that holds every non-blank value of each column exactly (else text)."""
    if not columns:
        return {}
    projections: list[exp.Expr] = []
    for column in columns:
        value = exp.Nullif(this=exp.Trim(this=col(column)), expression=lit(""))
        projections.append(exp.Count(this=value))
        for _, engine in _TRY_TYPES:
            projections.append(exp.Count(this=_exactly(value, engine)))
    counts = ctx.con.execute(render(exp.select(*projections).from_(table))).fetchone() or ()
    types: dict[str, str] = {}
    width = 1 + len(_TRY_TYPES)
    for i, column in enumerate(columns):
        present, *converted = counts[i * width : (i + 1) * width]
        types[column] = "text"
        if present:
            for (logical, _), ok in zip(_TRY_TYPES, converted):
                if ok == present:
                    types[column] = logical
                    break
    return types


__all__ = ["read", "sniff", "struct_literal"]
