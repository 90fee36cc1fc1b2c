"""CSV and TSV, with the dialect sniffed and the encoding chosen per file.

Quirks handled here (details in docs/importing.md, "CSV and text files"):
- The dialect (delimiter, quoting, header) is sniffed in Python from the first lines, by which delimiter
  gives the most consistent field count.
- Encoding (``textfile``): a BOM or ``--encoding`` wins, else UTF-8; a file that is not UTF-8 anywhere is
  Windows-1252 (noted); invalid bytes in a UTF-8 file become U+FFFD (counted in the note). Anything but
  plain UTF-8 is decoded into a UTF-8 copy in the staging folder first; the original is never touched.
- Rows are parsed by Arrow's streaming reader (``csvrows``): LF, CRLF and CR endings; a row with the wrong
  number of fields is a reject with its row number and raw text; a file that ends inside a row has that
  row as a reject. Files wider than ``csvwide.MAX_COLUMNS`` keep the tail of each row as a JSON object.
- Everything is read as text, then each column gets the narrowest type that every non-blank value fits
  exactly (integer, float, boolean, timestamp): a late odd value can never turn a row into a reject.
- Headers with spaces, duplicates or blanks are fine (blank headers become ``column_N``, repeats get
  ``_2``...). Cells that hold Python-dict-looking text or odd quoting stay text.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import cast, col, func, lit, render
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged
from logsheet.ingest.formats.generic import textfile
from logsheet.ingest.formats.generic.csvrows import EMPTY, GROUP_BYTES, GUESSES, CsvStager
from logsheet.ingest.formats.generic.csvtail import Tail, row_bytes, tail_json
from logsheet.ingest.formats.generic.csvwide import MAX_COLUMNS, stage_wide, wide_names, wide_note, wide_tail
from logsheet.ingest.formats.generic.flatten import guess_time_column
from logsheet.ingest.formats.sql import struct_literal
from logsheet.ingest.formats.stage import ROW_GROUP_ROWS, parquet_table

name = "csv"
description = "CSV / TSV (delimiter, quoting, header and encoding sniffed)"
DELIMITERS = (",", "\t", ";", "|")
CONFIRM_COLUMNS = 200  # columns per query when the engine confirms a boolean or timestamp guess
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
    staged_parts: list[Path] = []
    sources_read: list[Path] = []
    guesses: dict[str, tuple[int, bool]] = {}
    notes: dict[int, str] = {}
    tails: dict[int, Tail] = {}
    for source in sources:
        part, seen, note, tail = _stage(source, ctx)
        if tail is not None:
            tails[source.id] = tail
        sources_read.append(source.path)
        staged_parts.append(part)
        if note:
            notes[source.id] = note
        for column, (guess, confirm) in seen.items():
            before, checked = guesses.get(column, (EMPTY, False))
            mixed = EMPTY not in (before, guess) and before != guess
            guesses[column] = (max(before, guess), confirm or checked or mixed)
    table = parquet_table(staged_parts)
    columns = [c for c in ctx.con.sql(render(exp.select(exp.Star()).from_(table).limit(0))).columns if c not in (SOURCE, POS)]
    types = _types(columns, guesses, table, ctx)
    types.update({t.column: "json" for t in tails.values()})
    projections: list[exp.Expr] = [col(SOURCE), col(POS)]
    for column in columns:
        engine = dict(_TRY_TYPES).get(types[column])
        value = col(column) if engine is None else cast(exp.Trim(this=col(column)), engine, safe=True)
        if types[column] == "json":
            value = tail_json(column, tails, [s.id for s in sources])
        projections.append(exp.alias_(value, column, quoted=True))
    select = exp.select(*projections).from_(table)
    staged = Staged(select=select, types=types, time_column=guess_time_column(types), notes=notes)
    rows = rows_read(ctx, table)
    text_bytes = sum(p.stat().st_size for p in sources_read) + rows * row_bytes(list(tails.values()))
    staged.row_group_rows = row_group_rows(text_bytes, rows)
    return staged


def row_group_rows(text_bytes: int, rows: int) -> int | None:
    """Rows per row group of the sheet part so that one holds about ``GROUP_BYTES`` of text (None: the
    default, for rows of ordinary width)."""
    if rows <= 0:
        return None
    per_row = max(text_bytes // rows, 1)
    wanted = GROUP_BYTES // per_row
    return None if wanted >= ROW_GROUP_ROWS else max(wanted, 64)


def rows_read(ctx: ReadContext, table: exp.Table) -> int:
    found = ctx.con.execute(render(exp.select(exp.Count(this=exp.Star())).from_(table))).fetchone()
    return int(found[0]) if found else 0


def _stage(source: SourceFile, ctx: ReadContext) -> tuple[Path, dict[str, tuple[int, bool]], str, Tail | None]:
    """Read one file as text columns into a staging Parquet file; its bad rows become rejects.

    Returns the staged file, each column's type guess (an index into ``GUESSES``), the source's note and,
    for a wide file, where its tail is (``csvwide``)."""
    found = textfile.scan(source)
    encoding, note = textfile.choose(found, ctx.options.get("encoding"))
    ready = textfile.prepare(source, found, encoding, note, ctx.new_path)
    with open(ready.path, "rb") as fh:
        head = fh.read(256 * 1024)
    text = head.decode("utf-8", errors="replace")
    if len(head) == 256 * 1024:
        text = text[: text.rfind("\n") + 1] or text
    delimiter, _, _ = dialect(text)
    first = next(csv.reader(text.splitlines()[:1], delimiter=delimiter), None) or []
    header = has_header(text, delimiter)
    names = header_names(first) if header else [f"column{i + 1}" for i in range(len(first))]
    target = ctx.new_path(f"csv-{source.id}", ".parquet")
    wide = len(names) > MAX_COLUMNS
    writer = CsvStager(target, source, wide_names(names) if wide else names, ctx)
    writer.long_lines = [length for _, _, length in found.long_lines]
    if wide:
        tail = wide_tail(names)
        stage_wide(writer, ready.path, delimiter, len(names), skip=1 if header else 0, objects=tail)
        note = "; ".join(n for n in (ready.note, wide_note(names)) if n)
        return target, writer.guesses, note, tail
    cut = found.quotes % 2 == 1 or bool(found.damage and not found.ends_line)
    writer.read(ready.path, delimiter, skip=1 if header else 0, cut_last=cut)
    if found.damage:
        ctx.reject(source, writer.last_row + 1, found.damage + "; the rows before the damage were read", "")
    return target, writer.guesses, ready.note, None


def header_names(first: list[str]) -> list[str]:
    """Column names from a header row: blanks become ``column_N``, repeated names get ``_2``, ``_3``..."""
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(first):
        name = raw.strip() or f"column_{i + 1}"
        if name in (SOURCE, POS) or name.lower() in seen:
            base, n = name, 2
            while f"{base}_{n}".lower() in seen:
                n += 1
            name = f"{base}_{n}"
        seen.add(name.lower())
        names.append(name)
    return names


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


def _types(columns: list[str], guesses: dict[str, tuple[int, bool]], table: exp.Table, ctx: ReadContext) -> dict[str, str]:
    """Each column's type: integer and float are decided exactly while staging (``csvrows.guess``); a
    column whose every value looks boolean or like a date is confirmed by the engine's own cast, a few
    hundred columns per query."""
    types = {c: GUESSES[guesses.get(c, (EMPTY, False))[0]] for c in columns}
    confirm = [c for c in columns if types[c] in ("boolean", "timestamp") or (types[c] != "text" and guesses[c][1])]
    for at in range(0, len(confirm), CONFIRM_COLUMNS):
        types.update(_infer_types(confirm[at : at + CONFIRM_COLUMNS], table, ctx))
    return {c: ("text" if t == "empty" else t) for c, t in types.items()}


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
