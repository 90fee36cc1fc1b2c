"""AWS VPC flow logs (versions 2 to 8): space-separated records, with or without a header line.

The layout (which field is in which position) is decided per file, from its first lines:
- a header line of field names (AWS's spelling, in any order; ``${name}`` and ``name_with_underscores``
  are accepted too) decides the columns; unknown names in it become text columns;
- without a header: the fields given by the ``fields`` option (``--fields``); else the default version-2
  format when the lines have 14 fields; else, when the lines have 21, 25, 29, 39 or 40 fields and their
  values have the shapes of all the fields up to version 3, 4, 5, 7 or 8 in AWS's table order, that layout
  (elastic's samples are such files; their version field says 3 even when they carry v7/v8 fields);
  else the file is refused with a reason that says to pass ``--fields``.

Reading is DuckDB's: every line is one text value (CSV reader, no quoting, gzip decompressed by DuckDB),
checked against one regular expression made of the layout's field shapes, split on spaces and cast, in
one COPY per layout (all the files that share it at once) to a staging Parquet file; Python never touches
a line on that path. The staging keeps one row per physical line in file order, so a row's line number is
its Parquet ``file_row_number`` minus that of its file's first line, plus one. Reject reasons are worked
out afterwards, for the rejected lines only.

Quirks handled here:
- ``-`` is a blank (NULL). NODATA and SKIPDATA records are kept, with their blanks.
- A line that does not fit the layout (a field missing or extra, a port that is not 0-65535, a start that is
  not unix seconds, an action other than ACCEPT/REJECT, control characters) is a reject with its line
  number, the raw line and the first field that is wrong; it is never a shifted row.
- Blank lines are skipped (they are not records); a header line repeated inside a file (files
  concatenated with ``cat``) is skipped when it matches the layout. A header with other fields sets aside
  the lines after it, up to the next matching header, as rejects: they cannot be mapped safely.
- CRLF line endings and a missing final newline are fine. When DuckDB's reader gives up on a file (mixed
  line endings, bytes that are not UTF-8, a huge line, a ``.gz`` cut short), the file is split into lines in
  Python instead: each bad line is a reject, and so is the point where a damaged ``.gz`` stops.
- A 9-digit ``start`` (elastic's v5 sample) is a valid unix time (1975); it is kept as it is.
- ``protocol_name`` is the IANA keyword of ``protocol`` (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp, ...).
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.errors import ImportFailed
from logsheet.core.sqlnames import cast, col, func, lit, render
from logsheet.ingest.formats.base import SAMPLE_BYTES, Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.ingest.formats.generic.text import decode_line
from logsheet.ingest.formats.parallel import batches, side_by_side
from logsheet.ingest.formats.sql import named, table_function
from logsheet.ingest.formats.stage import StageWriter, copy_to_parquet
from logsheet.ingest.formats.vpcflow import fields as vf

name = "vpcflow"
description = "AWS VPC flow logs, versions 2-8 (default or custom field order, with or without header)"
PROTOCOL_NAME = "protocol_name"
MAX_LINE = 1 << 20
BATCH_BYTES = 512 << 20  # files are staged this many (uncompressed) bytes at a time, a batch per core at once
DATA, REJECT, BLANK, HEADER, OTHER_HEADER = 0, 1, 2, 3, 4  # what a staged line is (``__what``)


def sniff(sample: Sample) -> Detection | None:
    lines = vf.head_lines(sample.text())
    if sample.truncated and len(lines) > 1:
        lines = lines[:-1]
    data = [line for line in lines if line.strip(" ")][:200]
    if not data:
        return None
    header = vf.header_fields(data[0])
    if header is not None:  # sure when the lines below fit it; a bare "start end" line is no flow log
        known = sum(n in vf.KIND_OF for n in header)
        fitting = sum(vf.fits(line, header) for line in data[1:50])
        if fitting * 2 >= len(data[1:50]) and (fitting or known >= 3):
            return Detection(name, 0.99, f"a header line of {len(header)} VPC flow log field names")
        if known >= 5:
            return Detection(name, 0.9, f"a header line of {len(header)} VPC flow log field names (its lines do not all fit)")
        return None
    for version, names in [(2, vf.DEFAULT_V2), *vf.ALL_FIELDS_OF.values()]:
        hits = sum(vf.fits(line, names, hint=True) for line in data)
        if hits and hits >= 0.8 * len(data):
            confidence = 0.9 if version == 2 else 0.85
            return Detection(name, confidence, f"{hits} of the first {len(data)} lines are version-{version} flow records")
    return None


# --------------------------------------------------------------------------------------------- reading
def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    option = ctx.options.get("fields")
    fields = vf.given_fields(list(option)) if option else None
    groups: dict[tuple[vf.Layout, bool], list[SourceFile]] = {}
    notes: dict[int, str] = {}
    problems: list[str] = []
    for source in sources:
        found = _layout_of(source, fields)
        if isinstance(found, str):
            ctx.reject(source, 0, found, "")
            notes[source.id] = f"refused: {found}"
            problems.append(f"{source.display}: {found}")
            continue
        if found.inferred or (fields and found.fields != fields):
            notes[source.id] = f"field layout from {found.origin}"
        groups.setdefault((found, source.compressed), []).append(source)
    staged: list[tuple[Path, list[SourceFile], vf.Layout]] = []
    for (found, _), members in groups.items():
        parts = side_by_side(ctx, batches(members, BATCH_BYTES), functools.partial(_stage_on, found, ctx))
        staged += [(path, part, found) for path, part in parts]
    firsts: dict[int, int] = {}
    kept = sum(_settle(ctx, path, part, found, firsts, problems) for path, part, found in staged)
    if not kept and problems:
        raise ImportFailed("no VPC flow log record could be read: " + "; ".join(problems[:3]))
    return _staged([p for p, _, _ in staged], [f for _, _, f in staged], firsts, notes)


def _layout_of(source: SourceFile, fields: tuple[str, ...] | None) -> vf.Layout | str:
    try:
        with open_text(source) as fh:
            head = fh.read(SAMPLE_BYTES + 1)
    except (OSError, EOFError) as exc:
        return f"cannot read the file: {exc}"
    lines = vf.head_lines(head[:SAMPLE_BYTES].decode("utf-8", errors="replace"))
    if len(head) > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # cut by the sample's end
    return vf.layout(lines[:1000], fields)


def _staged(paths: list[Path], layouts: list[vf.Layout], firsts: dict[int, int], notes: dict[int, str]) -> Staged:
    """The sheet's rows: the data lines of every staging file, positioned by line number."""
    columns: list[str] = []
    for found in layouts:
        columns += [c for c in found.fields if c not in columns]
    derive = "protocol" in columns and PROTOCOL_NAME not in columns
    base = min(firsts, default=0)
    offsets = exp.Array(expressions=[lit(firsts.get(i, 0)) for i in range(base, max(firsts, default=0) + 1)])
    first = func("list_extract", offsets, exp.Sub(this=col(SOURCE), expression=lit(base - 1)))
    projections: list[exp.Expr] = [col(SOURCE), exp.alias_(exp.Sub(this=_row(), expression=first), POS, quoted=True)]
    for column in columns:
        projections.append(col(column))
        if column == "protocol" and derive:
            names = exp.Array(expressions=[lit(n) for n in vf.PROTOCOL_NAMES])
            number = exp.Add(this=col("protocol"), expression=lit(1))
            projections.append(exp.alias_(func("list_extract", names, number), PROTOCOL_NAME, quoted=True))
    select = exp.select(*projections).from_(_numbered(paths)).where(exp.EQ(this=col("__what"), expression=lit(DATA)))
    types = {c: vf.kind(c).logical for c in columns} | ({PROTOCOL_NAME: "text"} if derive else {})
    time_column = next((c for c in ("start", "end") if c in columns), None)
    return Staged(select=select, types=types, time_column=time_column, notes=notes, materialized=True)


def _stage_on(
    found: vf.Layout, ctx: ReadContext, members: list[SourceFile], con: duckdb.DuckDBPyConnection
) -> list[tuple[Path, list[SourceFile]]]:
    return _stage(members, found, ctx, con=con)


def _stage(
    members: list[SourceFile],
    found: vf.Layout,
    ctx: ReadContext,
    keep_raw: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[tuple[Path, list[SourceFile]]]:
    """Stage files of one layout (one row per line, in order); a file DuckDB's reader refuses is split in Python."""
    con = con or ctx.con
    target = ctx.new_path("vpcflow", ".parquet")
    try:
        copy_to_parquet(con, _classify(found, _reader(members), [m.id for m in members], None, keep_raw), target)
        if not _lone_cr(con, target):
            return [(target, members)]
    except duckdb.Error:
        pass
    target.unlink(missing_ok=True)
    if len(members) > 1:
        return [staged for member in members for staged in _stage([member], found, ctx, keep_raw, con)]
    lines = _files("read_parquet", [_python_lines(members[0], ctx)])
    copy_to_parquet(con, _classify(found, lines, [members[0].id], col("bad"), keep_raw), target)
    return [(target, members)]


def _lone_cr(con: duckdb.DuckDBPyConnection, staged: Path) -> bool:
    """A rejected line holds a CR: DuckDB's reader took one line ending (LF or CRLF) for the whole file, and
    lines ended by a lone CR among them were read as one (mixed line endings); Python's split reads them."""
    rejected = exp.In(this=col("__what"), expressions=[lit(REJECT), lit(OTHER_HEADER)])
    has_cr = func("contains", col("__raw"), lit("\r"))
    query = exp.select(exp.Literal.number(1)).from_(_files("read_parquet", [staged])).where(exp.and_(rejected, has_cr))
    return con.execute(render(query.limit(1))).fetchone() is not None


def _files(function: str, paths: list[Path], *args: exp.Expr) -> exp.Table:
    return table_function(function, exp.Array(expressions=[lit(str(p)) for p in paths]), *args)


def _reader(members: list[SourceFile]) -> exp.Table:
    """Every line of the files as one text value (blank lines as NULL), file after file."""
    return _files(
        "read_csv",
        [m.path for m in members],
        named("columns", exp.Struct(expressions=[exp.PropertyEQ(this=exp.Literal.string("line"), expression=lit("VARCHAR"))])),
        named("delim", lit("\x1f")),
        named("quote", lit("")),
        named("escape", lit("")),
        named("header", exp.false()),
        named("auto_detect", exp.false()),
        named("strict_mode", exp.true()),
        named("compression", lit("gzip" if members[0].compressed else "none")),
        named("max_line_size", lit(MAX_LINE)),
    )


def _numbered(paths: list[Path]) -> exp.Table:
    return _files("read_parquet", paths, named("union_by_name", exp.true()), named("file_row_number", exp.true()))


def _python_lines(source: SourceFile, ctx: ReadContext) -> Path:
    """The slow path, for a file DuckDB's reader refuses: one row per line, with why a line is unreadable."""
    path = ctx.new_path(f"vpcflow_lines_{source.id}", ".parquet")
    writer = StageWriter(path, [("line", pa.string()), ("bad", pa.string())])
    number, damage = 0, ""
    try:
        with open_text(source) as fh:
            while raw := fh.readline(MAX_LINE + 1):
                long = None
                if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                    while (rest := fh.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                        pass
                    long, raw = "line longer than 1 MiB", raw[:4096]
                body = raw[:-1] if raw.endswith(b"\n") else raw
                body = body[:-1] if body.endswith(b"\r") else body
                for part in [body] if long or b"\r" not in body else body.split(b"\r"):  # a lone CR ends a line
                    number += 1
                    bad = long
                    try:
                        part.decode("utf-8")
                    except UnicodeDecodeError:
                        bad = bad or "not valid UTF-8 text"
                    writer.add(source.id, number, decode_line(part), bad)
            damage = getattr(fh, "damage", "")  # a .gz cut short reads as an early end, with this said
    except (OSError, EOFError) as exc:
        damage = str(exc)
    if damage:
        writer.add(source.id, number + 1, "", f"the file cannot be read past this line: {damage}")
    writer.close()
    return path


# ------------------------------------------------------------------------------------------------- SQL
def _row() -> exp.Expr:
    """The 1-based row of a line in its staging file."""
    return exp.Add(this=col("file_row_number"), expression=lit(1))


def _field(index: int) -> exp.Expr:
    return func("list_extract", col("l"), lit(index + 1))


def _classify(found: vf.Layout, lines: exp.Table, ids: list[int], bad: exp.Expr | None, keep_raw: bool) -> exp.Select:
    """Per line: its source, what it is (``__what``), its raw text (if rejected, or ``keep_raw``), its known
    problem (the Python path's), and the typed fields."""
    # regexp_matches with anchors runs RE2's DFA; regexp_full_match is about twice as slow here
    matches = func("regexp_matches", col("line"), lit("^" + vf.line_pattern(found.fields) + "$"))
    if bad is not None:
        matches = exp.and_(exp.Is(this=bad, expression=exp.Null()), matches)
    source = func(
        "list_extract",
        exp.Array(expressions=[lit(i) for i in ids]),
        exp.Add(this=cast(col("file_index"), "BIGINT"), expression=lit(1)),
    )
    split = exp.select(
        exp.alias_(source, SOURCE, quoted=True),
        col("line"),
        exp.alias_(bad if bad is not None else cast(exp.Null(), "VARCHAR"), "bad", quoted=True),
        exp.alias_(func("string_split", col("line"), lit(" ")), "l", quoted=True),
        exp.alias_(matches, "ok", quoted=True),
    ).from_(lines)
    # Blank means nothing but ASCII spaces: DuckDB's one-argument trim also strips U+00A0 and other Unicode
    # spaces, which would have made such a line neither a row nor a reject.
    spaces_only = exp.EQ(this=exp.Trim(this=col("line"), expression=lit(" ")), expression=lit(""))
    blank = exp.or_(exp.Is(this=col("line"), expression=exp.Null()), spaces_only)
    headers = [*found.headers, *("\ufeff" + h for h in found.headers)]
    what = exp.Case(
        ifs=[
            exp.If(this=col("ok"), true=lit(DATA)),
            exp.If(this=exp.Not(this=exp.Is(this=col("bad"), expression=exp.Null())), true=lit(REJECT)),
            exp.If(this=blank, true=lit(BLANK)),
            exp.If(this=exp.In(this=col("line"), expressions=[lit(h) for h in headers] or [exp.Null()]), true=lit(HEADER)),
            exp.If(this=exp.In(this=_field(0), expressions=[lit(n) for n in vf.KIND_OF]), true=lit(OTHER_HEADER)),
        ],
        default=lit(REJECT),
    )
    classified = exp.select(exp.Star(), exp.alias_(what, "__what", quoted=True)).from_(split.subquery("s"))
    rejected = exp.In(this=col("__what"), expressions=[lit(REJECT), lit(OTHER_HEADER)])
    projections: list[exp.Expr] = [
        col(SOURCE),
        col("__what"),
        exp.alias_(col("bad"), "__why", quoted=True),
        exp.alias_(col("line") if keep_raw else exp.Case(ifs=[exp.If(this=rejected, true=col("line"))]), "__raw", quoted=True),
    ]
    projections += [exp.alias_(_typed(field, index), field, quoted=True) for index, field in enumerate(found.fields)]
    return exp.select(*projections).from_(classified.subquery("c"))


def _typed(field: str, index: int) -> exp.Expr:
    value = _field(index)
    engine = vf.kind(field).engine
    if engine is None:
        return exp.Nullif(this=value, expression=lit("-"))
    if engine == "TIMESTAMPTZ":  # only validated lines are converted: to_timestamp fails on huge numbers
        valid = exp.EQ(this=col("__what"), expression=lit(DATA))
        return func("to_timestamp", exp.Case(ifs=[exp.If(this=valid, true=cast(value, "BIGINT", safe=True))]))
    return cast(value, engine, safe=True)


def _reason(found: vf.Layout) -> exp.Expr:
    """Why a rejected line is rejected: the first thing about it that does not fit the layout."""
    width, count = len(found.fields), func("len", col("l"))
    ifs = [
        exp.If(this=exp.Not(this=exp.Is(this=col("__why"), expression=exp.Null())), true=col("__why")),
        exp.If(
            this=exp.EQ(this=col("__what"), expression=lit(OTHER_HEADER)),
            true=lit(f"a header line with other fields than {found.origin}; the lines after it are set aside"),
        ),
        exp.If(
            this=exp.NEQ(this=count, expression=lit(width)),
            true=func("concat", lit(f"expected {width} space-separated fields ({found.origin}), found "), count),
        ),
    ]
    for index, field in enumerate(found.fields):
        value = _field(index)
        wrong = exp.Not(this=func("regexp_full_match", value, lit(vf.value_pattern(field))))
        message = f"field {index + 1} ({field}) is not {vf.kind(field).expect}: "
        ifs.append(exp.If(this=wrong, true=func("concat", lit(message), func("left", value, lit(80)))))
    return exp.Case(ifs=ifs, default=lit(f"does not fit the layout ({found.origin})"))


# -------------------------------------------------------------------------------------- after staging
def _settle(
    ctx: ReadContext, path: Path, members: list[SourceFile], found: vf.Layout, firsts: dict[int, int], problems: list[str]
) -> int:
    """For one staging file: note where each file's lines start, set aside the sections under a foreign header,
    report the rejects. Returns the number of data lines."""
    counts = _counts(ctx, path)
    if any(foreign for *_, foreign in counts):  # rare: stage again keeping every raw line, for the lines set aside
        ranges = _foreign_ranges(ctx, path)
        ((again, _),) = _stage(members, found, ctx, keep_raw=True)
        again.replace(path)
        _set_aside(ctx, path, ranges, found)
        counts = _counts(ctx, path)
    firsts.update({source: first for source, first, *_ in counts})
    if any(rejected for _, _, _, rejected, _ in counts):
        _report(ctx, path, found, {m.id: m for m in members}, firsts, problems)
    return sum(kept for _, _, kept, _, _ in counts)


def _counts(ctx: ReadContext, path: Path) -> list[tuple[int, int, int, int, int]]:
    """Per source of a staging file: its first row (0-based), data lines, rejected lines, foreign headers."""
    stats = exp.select(
        col(SOURCE),
        exp.Min(this=col("file_row_number")),
        func("count_if", exp.EQ(this=col("__what"), expression=lit(DATA))),
        func("count_if", exp.In(this=col("__what"), expressions=[lit(REJECT), lit(OTHER_HEADER)])),
        func("count_if", exp.EQ(this=col("__what"), expression=lit(OTHER_HEADER))),
    )
    rows = ctx.con.execute(render(stats.from_(_numbered([path])).group_by(col(SOURCE)))).fetchall()
    return [(int(a), int(b), int(c), int(d), int(e)) for a, b, c, d, e in rows]


def _foreign_ranges(ctx: ReadContext, path: Path) -> list[tuple[int, int]]:
    """Row ranges [start, end) of data lines that follow a header with other fields, up to a matching header
    or the end of their file."""
    kinds = exp.In(this=col("__what"), expressions=[lit(HEADER), lit(OTHER_HEADER)])
    query = exp.select(col(SOURCE), _row(), col("__what")).from_(_numbered([path])).where(kinds).order_by("2")
    marks = ctx.con.execute(render(query)).fetchall()
    ends = exp.select(col(SOURCE), exp.Max(this=_row())).from_(_numbered([path])).group_by(col(SOURCE))
    last = {int(s): int(n) for s, n in ctx.con.execute(render(ends)).fetchall()}
    ranges: list[tuple[int, int]] = []
    open_at: tuple[int, int] | None = None  # (source, row) of the foreign header in force
    for source, row, what in [*marks, (None, None, None)]:
        if open_at is not None and (source != open_at[0] or what == HEADER):
            ranges.append((open_at[1] + 1, row if source == open_at[0] else last[open_at[0]] + 1))
            open_at = None
        if what == OTHER_HEADER and open_at is None:
            open_at = (int(source), int(row))
    return ranges


def _set_aside(ctx: ReadContext, path: Path, ranges: list[tuple[int, int]], found: vf.Layout) -> None:
    """Rewrite a staging file so that the data lines inside ``ranges`` (rows) become rejects."""
    inside = exp.or_(
        *[exp.and_(exp.GTE(this=_row(), expression=lit(a)), exp.LT(this=_row(), expression=lit(b))) for a, b in ranges]
    )
    inside = exp.and_(exp.EQ(this=col("__what"), expression=lit(DATA)), inside)
    why = f"follows a header line with other fields than {found.origin}: import that part on its own"
    replace = [
        exp.alias_(exp.Case(ifs=[exp.If(this=inside, true=lit(REJECT))], default=col("__what")), "__what", quoted=True),
        exp.alias_(exp.Case(ifs=[exp.If(this=inside, true=lit(why))], default=col("__why")), "__why", quoted=True),
    ]
    rewritten = path.with_name(path.stem + "-set-aside.parquet")
    star = exp.Star(except_=[col("file_row_number")], replace=replace)
    copy_to_parquet(ctx.con, exp.select(star).from_(_numbered([path])), rewritten)
    rewritten.replace(path)


def _report(
    ctx: ReadContext, path: Path, found: vf.Layout, by_id: dict[int, SourceFile], firsts: dict[int, int], problems: list[str]
) -> None:
    rejected = exp.In(this=col("__what"), expressions=[lit(REJECT), lit(OTHER_HEADER)])
    lines = exp.select(
        col(SOURCE),
        exp.alias_(_row(), "row", quoted=True),
        col("__what"),
        col("__why"),
        col("__raw"),
        exp.alias_(func("string_split", col("__raw"), lit(" ")), "l", quoted=True),
    )
    lines = lines.from_(_numbered([path])).where(rejected)
    query = exp.select(col(SOURCE), col("row"), _reason(found), col("__raw")).from_(lines.subquery("r")).order_by("2")
    cursor = ctx.con.execute(render(query))
    while batch := cursor.fetchmany(10_000):
        for source_id, row, why, raw in batch:
            source = by_id[int(source_id)]
            number = int(row) - firsts[int(source_id)]
            if not problems or not problems[-1].startswith(source.display):
                problems.append(f"{source.display}: line {number}: {why}")
            ctx.reject(source, number, f"line {number}: {why}", raw or "")
