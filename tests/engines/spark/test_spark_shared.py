"""The shared suite: every IR operation runs on DuckDB and on Spark against the same sheet, and the two
answers (columns, types, rows, exact totals) must be the same.

The sheet is the one of tests/engines/test_engine_ops.py (whose tests pin DuckDB's answers) plus trap rows for the
places where the engines differ by default: RE2 vs Java regexes (``$`` before a final newline, Unicode
case folding, POSIX classes, named groups), IPv4-mapped IPv6 addresses, ``1e3`` in JSON and as text,
NULLs in ``first``/``last``, numbers that overflow 64 bits. Each known gap is a strict xfail that says why:
when a gap closes, the xfail fails and the table in docs/spark.md must change with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery, QueryTimeout
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS as BASE_ROWS

SHEET = "events"
TRAPS: list[dict[str, Any]] = [
    {"rid": 9, "name": "École", "ip": "::ffff:10.0.0.9", "n": 3, "f": 2.5, "ok": True, "ts": "2022-03-22T15:00:00Z",
     "items": [{"x": 1e3, "k y": "v"}], "msg": "Failed password ends with a newline ssh2\n", "user": "root",
     "action": "deny", "bytes": 7, "code": "2.5", "pad": " x ", "when": "9/3/2022 5:04:05", "big": 6000000000000000000},
    {"rid": 10, "name": "ÉCOLE", "ip": "FE80::1%eth0", "n": 4, "f": -2.5, "ok": False, "ts": "2022-03-22T15:00:00Z",
     "items": [{"x": "1e3"}], "msg": "Accepted publickey\r\nfor eve", "user": None, "action": "deny", "bytes": 9,
     "code": "-2.5", "pad": "y", "when": "2022-03-22T15:00:00.250Z", "big": 6000000000000000000},
]  # fmt: skip
ROWS = [{**r, "big": 1} for r in BASE_ROWS] + TRAPS


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("shared")
    data = write_ndjson(folder / "data" / "events.ndjson", ROWS)
    workspace = Workspace.open(folder / "home")
    summary = workspace.import_paths([data], sheet=SHEET)
    assert summary.rows == len(ROWS) and summary.rejected == 0
    workspace.use_spark(engine=spark_engine)
    return workspace


@dataclass(frozen=True)
class Case:
    id: str
    query: ir.Query
    limit: int = 100
    offset: int = 0
    gap: str = ""  # why Spark's answer differs (a strict xfail)


def rows_of(where: str | ir.Predicate | None = None, search: str = "", steps: tuple[ir.Step, ...] = ()) -> ir.Query:
    predicate = parse_filter(where) if isinstance(where, str) else where
    return ir.Query(steps=steps, where=predicate, search=search, columns=("rid",), sort=(ir.SortKey("rid"),))


def column(name: str, *steps: ir.Step) -> ir.Query:
    return ir.Query(steps=steps, columns=("rid", name), sort=(ir.SortKey("rid"),))


# ------------------------------------------------------------------------------------------------- filters
FILTERS = [
    # compare (each operator, nocase, NULL, timestamps with offsets, text byte order)
    "name = 'alice'", "name = 'ALICE' nocase", "name != 'alice'", "name <> 'alice' nocase", "n != 5", "n = 5",
    "n < 5", "n <= 5", "n > 5", "n >= 7", "f < 0", "f >= 2.0", "f = 1", "ok = true", "ok = false", "ok != true",
    "n = null", "n != null", "ts >= '2022-03-22T16:00:00Z'", "ts < '2022-03-22T15:00:00Z'",
    "ts = '2022-03-22T16:00:00+01:00'", "ts > '2022-03-22 17:30:00'", "name < 'b'",
    # in / not in / between
    "name in ('alice', 'Bob')", "name in ('ALICE', 'bob') nocase", "name not in ('alice', 'Bob')",
    "name not in ('alice') nocase", "n in (5, 7)", "n not in (5, 7)", "n in (0, null)", "n not in (5, null)",
    "name in ('')", "n between 5 and 7", "n not between 5 and 7", "f between -5 and 1.5",
    "ts between '2022-03-22T15:00:00Z' and '2022-03-22T16:00:00Z'", "name between 'a' and 'c'",
    # text: contains / starts / ends, nocase (Unicode too), no wildcards, quotes, numbers as text
    "name contains 'li'", "name contains 'LI'", "name contains 'li' nocase", "name not contains 'li'",
    "name starts with 'A'", "name starts with 'a' nocase", "name ends with 'e'", "name ends with 'E' nocase",
    "name not ends with 'e'", "msg contains '%'", "msg contains '_'", "msg contains '% _ *'", "msg contains ''''",
    "msg starts with 'Mar  9'", "n contains '1'", "name = 'école' nocase", "name contains 'COLE' nocase",
    # regex (RE2 semantics on both engines)
    r"msg matches 'password for \w+ from'", "msg matches '^failed' nocase", "msg matches '^failed'",
    r"msg matches 'sshd\[\d+\]'", "msg not matches 'password'", r"ip matches '^10\.'",
    "msg matches 'ssh2$'",  # RE2: '$' is the end of the text; Java's also matches before a final newline
    "name matches '^école$' nocase",  # Unicode case folding
    "name matches '^[[:upper:]]'",  # POSIX class
    "msg matches '(?P<word>pass)word'",  # a named group, RE2 spelling
    "msg matches 'publickey.for'",  # '.' crosses '\r' in RE2, not in Java by default
    "msg matches '(?m)ssh2$'",
    # blank
    "msg is blank", "msg is not blank", "name is blank", "name is null", "n is blank", "ts is blank",
    "items is blank", "req.a.b is blank", "pad is blank", "name is not blank",
    # in cidr, IPv4 and IPv6
    "ip in cidr '10.0.0.0/8'", "ip in cidr '10.0.0.0/24'", "ip in cidr '10.255.255.255/32'", "ip in cidr '0.0.0.0/0'",
    "ip not in cidr '10.0.0.0/8'", "ip in cidr '2001:db8::/32'", "ip in cidr 'fe80::/10'", "ip in cidr '::/0'",
    "ip not in cidr '2001:db8::/32'", "ip in cidr '10.0.0.1/8'", "ip in cidr '::ffff:0:0/96'",
    "ip in cidr '::ffff:10.0.0.0/104'",
    # and / or / not
    "user = 'root' and action = 'deny'", "user = 'root' or n = 7", "not user = 'root'",
    "not (user = 'root' or action = 'allow')", "(name = 'alice' or n = 7) and not rid = 1",
    "user = 'root' and (action = 'allow' or n > 10)", "not not (n = 5)", "n = 5 or n = 7 and ok = true",
    "not (ip in cidr '10.0.0.0/8')", "not (msg matches 'password')", "not (ts < '2022-03-22T16:00:00Z')",
    # JSON paths: text, numbers compared as numbers, indexes, past the end, lists
    "req.a.b = 'x'", "req.a.b = 'x' nocase", "req.a.b != 'x'", "items[0].x = 1", "items[0].x = '1'",
    "items[0].x > 2", "items[0].x between 2 and 7", "items[1].x = 4", "items[1].x is blank", "items[0].x in (1, 10)",
    "items[0].x = 1000", "items[0].x = '1000.0'", "items[0].x = '1e3'", "items[5].x is blank",
    # full-text search inside a filter
    "'password' and action = 'allow'",
]  # fmt: skip
FILTER_CASES = [Case("where " + w, rows_of(w)) for w in FILTERS] + [
    Case("json key with a space", rows_of(ir.Compare("items[0].k y", "=", "v"))),
    Case("not json key", rows_of(ir.Not(ir.Compare("items[0].k y", "=", "v")))),
]

# -------------------------------------------------------------------------------------------------- search
SEARCHES = ["PASSWORD", "bob", "203.0.113", "100%", "2001:DB8", "carol", "no such text anywhere", "école", "true", "1.5"]
SEARCH_CASES = [Case("search " + s, rows_of(search=s)) for s in SEARCHES] + [
    Case("search with filter", rows_of("user = 'root'", search="password")),
    Case(
        "search timestamp text",
        rows_of(search="15:00:00+00"),
        gap="timestamps as text: DuckDB writes '2022-03-22 15:00:00+00', Spark '2022-03-22 15:00:00' (no offset)",
    ),
]

# --------------------------------------------------------------------------------------------- sort, page
SORT_CASES = [
    Case("sort user, -bytes", build_query(columns=["rid", "user", "bytes"], sort=["user", "-bytes"])),
    Case("sort -n (blanks last, ties in row order)", build_query(columns=["rid", "n"], sort=["-n"])),
    Case("sort ts", build_query(columns=["rid", "ts"], sort=["ts"])),
    Case("sort name (byte order)", build_query(columns=["rid", "name"], sort=["name"])),
    Case("sort json path as text", build_query(columns=["rid", "items[0].x"], sort=["-items[0].x", "rid"])),
    Case("columns and order", build_query(where="rid = 2", columns=["msg", "rid", "req.a.b"])),
    Case("every column", build_query(sort=["rid"])),
    Case("page", build_query(columns=["rid"], sort=["-rid"]), limit=3, offset=2),
    Case("page past the end", build_query(columns=["rid"], sort=["rid"]), limit=3, offset=100),
]

# --------------------------------------------------------------------------------------------------- steps
SYSLOG_NAMES = ("month", "day", "time", "host", "process", "message")
EXTRACT = ir.RegexExtract("msg", r"from (?P<src_ip>\d+\.\d+\.\d+\.\d+) port (?P<port>\d+)")
STEP_CASES = [
    Case(
        "split", ir.Query(steps=(ir.Split("msg", " ", 3),), columns=("rid", "msg_1", "msg_2", "msg_3"), sort=(ir.SortKey("rid"),))
    ),
    Case(
        "split collapse keep rest",
        ir.Query(
            steps=(ir.Split("msg", " ", 6, names=SYSLOG_NAMES, keep_rest=True, collapse=True),),
            columns=("rid", *SYSLOG_NAMES),
            sort=(ir.SortKey("rid"),),
        ),
    ),
    Case("split past the end", ir.Query(steps=(ir.Split("ip", ".", 5),), columns=("rid", "ip_1", "ip_4", "ip_5"))),
    Case(
        "split on a regex character", ir.Query(steps=(ir.Split("ip", ":", 3, keep_rest=True),), columns=("rid", "ip_1", "ip_3"))
    ),
    Case(
        "split then filter and group",
        ir.Query(
            steps=(ir.Split("msg", " ", 2, names=("first", "rest"), keep_rest=True, collapse=True),),
            where=parse_filter("first = 'Failed'"),
            group=ir.GroupBy(("first",)),
        ),
    ),
    Case("regex extract", ir.Query(steps=(EXTRACT,), columns=("rid", "src_ip", "port"), sort=(ir.SortKey("rid"),))),
    Case("regex extract then cidr", rows_of("src_ip in cidr '203.0.113.0/24'", steps=(EXTRACT,))),
    Case("combine", column("who", ir.Combine(("user", "action", "name"), "/", "who"))),
    Case("rename then filter", rows_of("who = 'alice'", steps=(ir.Rename("name", "who"),))),
    Case("cast text to integer", column("code", ir.Cast("code", "integer"))),
    Case("cast text to float", column("code", ir.Cast("code", "float"))),
    Case("cast text to boolean", column("name", ir.Cast("name", "boolean"))),
    Case("cast text to timestamp", column("when", ir.Cast("when", "timestamp"))),
    Case("cast text to date", column("when", ir.Cast("when", "date"))),
    Case("cast integer to text, compare as text", rows_of("bytes < '2'", steps=(ir.Cast("bytes", "text"),))),
    Case("cast float to integer (half to even)", column("f", ir.Cast("f", "integer"))),
    Case("cast boolean to integer", column("ok", ir.Cast("ok", "integer"))),
    Case("cast float to text", column("f", ir.Cast("f", "text"))),
    Case(
        "cast timestamp to text",
        column("ts", ir.Cast("ts", "text")),
        gap="timestamps as text: DuckDB writes '2022-03-22 15:00:00+00', Spark '2022-03-22 15:00:00'",
    ),
    Case(
        "cast timestamp to integer",
        column("ts", ir.Cast("ts", "integer")),
        gap="DuckDB has no timestamp-to-integer cast (blank); Spark gives epoch seconds",
    ),
    Case("upper", column("name", ir.ChangeCase("name", "upper"))),
    Case("lower then filter", rows_of("name = 'alice'", steps=(ir.ChangeCase("name", "lower"),))),
    Case("trim", column("pad", ir.Trim("pad"))),
    Case("parse timestamp with a format", column("parsed", ir.ParseTimestamp("when", "%d/%m/%Y %H:%M:%S", "parsed"))),
    Case("parse timestamp compact format", column("parsed", ir.ParseTimestamp("code", "%Y%m%d", "parsed"))),
    Case("parse timestamp ISO and epoch", column("when", ir.ParseTimestamp("when"))),
    Case("parse timestamp then filter", rows_of("when >= '2022-03-22T14:30:00Z'", steps=(ir.ParseTimestamp("when"),))),
    Case("extract json", column("second", ir.ExtractJson("items[1].x", "second"))),
    Case("extract json default name", column("items[0].x", ir.ExtractJson("items[0].x"))),
]

# -------------------------------------------------------------------------------------------------- groups
BYTES = ["count", "max:bytes"]
DENY = "action = 'deny'"
EVERY_AGG = ["count", "count_distinct:name", "min:f", "max:f", "sum:bytes", "avg:bytes", "first:name", "last:name"]
GROUP_CASES = [
    Case("group user", build_query(group_by=["user"])),
    Case("group n (ties by key, blank last)", build_query(group_by=["n"])),
    Case("group two levels, every aggregate", build_query(group_by=["user", "action"], aggs=[*EVERY_AGG, "first:ts", "last:ts"])),
    Case("group three levels", build_query(group_by=["action", "ok", "user"], aggs=["count", "min:ts", "max:n"])),
    Case("group json path, sort by aggregate", build_query(where=DENY, group_by=["req.a.b"], aggs=BYTES, sort=["-max_bytes"])),
    Case("group json path, sort by key", build_query(group_by=["items[0].x"], sort=["items[0].x"])),
    Case("group page", build_query(group_by=["name"], sort=["name"]), limit=3, offset=2),
    Case("group first/last skip blanks", build_query(group_by=["action"], aggs=["first:user", "last:user", "count_distinct:n"])),
    Case("group step column", ir.Query(steps=(EXTRACT,), group=ir.GroupBy(("port",), (ir.Agg("count"),
                                                                                      ir.Agg("count_distinct", "src_ip"))))),
    Case(
        "sum past 2^63",
        build_query(group_by=["action"], aggs=["sum:big"]),
        gap="DuckDB sums integers into 128 bits; Spark (ANSI mode) stops with ARITHMETIC_OVERFLOW instead of a wrong number",
    ),
]  # fmt: skip

# ------------------------------------------------------------------- row steps (logsheet.compiler.rowsteps)
EXPLODE = ir.Explode("items", fields=("x", "k y"))
ROW_STEP_CASES = [
    Case("dedupe first by time", column("duplicates", ir.Dedupe(("user",)))),
    Case("dedupe last by a column, compound key", column("duplicates", ir.Dedupe(("user", "action"), keep="last", by="bytes"))),
    Case("dedupe on a json path, then filter", rows_of("duplicates > 1", steps=(ir.Dedupe(("req.a.b",), keep="last"),))),
    Case("dedupe among the filtered rows", rows_of("action = 'deny' and duplicates > 1", steps=(ir.Dedupe(("user",)),))),
    Case("dedupe then group", ir.Query(steps=(ir.Dedupe(("action", "ok")),), group=ir.GroupBy(("duplicates",)))),
    Case("split to rows", column("ip", ir.SplitRows("ip", "."))),
    Case("split to rows on a regex character, new column", column("part", ir.SplitRows("ip", ":", name="part"))),
    Case("split to rows, blanks kept", column("piece", ir.SplitRows("code", "e", name="piece"))),
    Case("split to rows then group", ir.Query(steps=(ir.SplitRows("msg", " "),), group=ir.GroupBy(("msg",)))),
    Case("split to rows, a page", ir.Query(steps=(ir.SplitRows("msg", " "),), columns=("rid", "msg")), limit=5, offset=7),
    Case(
        "explode with fields",
        ir.Query(steps=(EXPLODE,), columns=("rid", "items.x", "items.k y"), sort=(ir.SortKey("rid"),)),
    ),
    Case(
        "explode, the element as JSON",
        ir.Query(steps=(ir.Explode("items", name="it"),), where=parse_filter("rid <= 8"), columns=("rid", "it")),
    ),
    Case(
        "explode keep empty, a page",
        ir.Query(steps=(ir.Explode("items", keep_empty=True),), columns=("rid", "items.x")),
        limit=4,
        offset=3,
    ),
    Case("explode then filter on an element path", rows_of("items.x = '4'", steps=(EXPLODE,))),
    Case("explode then dedupe", column("duplicates", EXPLODE, ir.Dedupe(("items.x",)))),
    Case("explode then group", ir.Query(steps=(EXPLODE,), group=ir.GroupBy(("items.x",)))),
]

CASES = FILTER_CASES + SEARCH_CASES + SORT_CASES + STEP_CASES + GROUP_CASES + ROW_STEP_CASES


def answer(ws: Workspace, case: Case, engine: str) -> tuple[Any, ...]:
    page = ws.query(SHEET, case.query, limit=case.limit, offset=case.offset, engine=engine)
    columns = [(c.name, c.type) for c in page.columns]
    return columns, [tuple(_same(v) for v in row) for row in page.rows], page.total


def _same(value: Any) -> Any:
    """Floats to 12 significant digits (sums and averages may add in another order); datetimes as UTC."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.gap)] if c.gap else []) for c in CASES],
)
def test_same_answer_on_duckdb_and_spark(ws: Workspace, case: Case) -> None:
    expected = answer(ws, case, "duckdb")
    assert answer(ws, case, "spark") == expected


# ---------------------------------------------------------------------------- the traps, pinned on DuckDB
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("msg matches 'ssh2$'", [1, 5, 7]),
        ("msg matches '(?m)ssh2$'", [1, 5, 7, 9]),
        ("name matches '^école$' nocase", [9, 10]),
        ("msg matches 'publickey.for'", []),  # '\r\n' is two characters: '.' takes one
        ("ip in cidr '::ffff:0:0/96'", [9]),
        ("ip in cidr 'fe80::/10'", [4, 10]),
        ("items[0].x = 1000", [9, 10]),
    ],
)
def test_traps_have_the_duckdb_answer_on_spark(ws: Workspace, where: str, expected: list[int]) -> None:
    for engine in ("duckdb", "spark"):
        assert [r[0] for r in ws.query(SHEET, rows_of(where), engine=engine).rows] == expected, engine


def test_cast_rounds_like_duckdb(ws: Workspace) -> None:
    """Text '2.5' -> 3 and '-2.5' -> -3 (half away from zero); float 2.5 -> 2 and -2.5 -> -2 (half to even)."""
    for engine in ("duckdb", "spark"):
        codes = dict(ws.query(SHEET, column("code", ir.Cast("code", "integer")), engine=engine).rows)
        floats = dict(ws.query(SHEET, column("f", ir.Cast("f", "integer")), engine=engine).rows)
        assert (codes[7], codes[9], codes[10]) == (1000, 3, -3), engine
        assert (floats[1], floats[9], floats[10]) == (2, 2, -2), engine


def test_parse_timestamp_single_digit_fields(ws: Workspace) -> None:
    step = ir.ParseTimestamp("when", "%d/%m/%Y %H:%M:%S", "parsed")
    for engine in ("duckdb", "spark"):
        parsed = dict(ws.query(SHEET, column("parsed", step), engine=engine).rows)
        assert parsed[9] == datetime(2022, 3, 9, 5, 4, 5, tzinfo=UTC), engine
        assert parsed[1] == datetime(2022, 3, 22, 15, 0, tzinfo=UTC), engine


# ------------------------------------------------------------------------------------------- errors, budget
def test_errors_are_the_same_clear_errors(ws: Workspace) -> None:
    for engine in ("duckdb", "spark"):
        with pytest.raises(InvalidQuery, match="refused"):
            ws.query(SHEET, rows_of("msg matches '('"), engine=engine)
        with pytest.raises(InvalidQuery, match="unknown column 'nmae'"):
            ws.query(SHEET, rows_of("nmae = 'x'"), engine=engine)
        with pytest.raises(InvalidQuery, match="numeric"):
            ws.query(SHEET, build_query(group_by=["user"], aggs=["sum:name"]), engine=engine)


def test_spark_overflow_is_an_error_not_a_wrong_number(ws: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="ARITHMETIC_OVERFLOW"):
        ws.query(SHEET, build_query(group_by=["action"], aggs=["sum:big"]), engine="spark")


def test_spark_time_budget(ws: Workspace) -> None:
    heavy = ir.Query(steps=(EXTRACT,), where=parse_filter("msg matches '(a|b|c)+.*[0-9]{2}'"), group=ir.GroupBy(("port",)))
    with pytest.raises(QueryTimeout, match="budget"):
        ws.query(SHEET, heavy, engine="spark", timeout=0.001)
    assert ws.count(SHEET, heavy, engine="spark", timeout=60) == ws.count(SHEET, heavy, engine="duckdb")


def test_count_and_default_engine(ws: Workspace) -> None:
    assert ws.default_engine == "spark"  # use_spark made it the default
    assert ws.count(SHEET) == ws.count(SHEET, engine="duckdb") == len(ROWS)
    assert ws.count(SHEET, build_query(where="user = 'root'")) == ws.count(
        SHEET, build_query(where="user = 'root'"), engine="duckdb"
    )
