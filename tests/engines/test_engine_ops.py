"""Every filter operator, step and aggregate, run through the Python API on a small sheet with known rows.

The sheet is one generated NDJSON file (ROWS below). Each test asserts the exact rows a user would see,
identified by the ``rid`` column.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from fixtures import write_ndjson
from logsheet.compiler import paging
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery, LogsheetError, QueryTimeout
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS

SHEET = "events"
ALL = [r["rid"] for r in ROWS]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("engine")
    data = write_ndjson(folder / "data" / "events.ndjson", ROWS)
    ws = Workspace.open(folder / "home")
    summary = ws.import_paths([data], sheet=SHEET)
    assert summary.rows == len(ROWS) and summary.rejected == 0
    return ws


def rids(ws: Workspace, where: str | ir.Predicate | None = None, **kw: Any) -> list[int]:
    """The rids of the matching rows, in rid order unless a sort is given."""
    predicate = parse_filter(where) if isinstance(where, str) else where
    query = ir.Query(where=predicate, columns=("rid",), sort=kw.pop("sort", (ir.SortKey("rid"),)), **kw)
    page = ws.query(SHEET, query, limit=100)
    assert page.total == len(page.rows)
    assert ws.count(SHEET, query) == len(page.rows)
    return [r[0] for r in page.rows]


def column(ws: Workspace, query: ir.Query, name: str) -> list[Any]:
    page = ws.query(SHEET, query.with_(columns=("rid", name), sort=(ir.SortKey("rid"),)), limit=100)
    return [r[1] for r in page.rows]


# ------------------------------------------------------------------------------------------------ schema
def test_sheet_types(sheet: Workspace) -> None:
    info = sheet.info(SHEET)
    types = {c["name"]: c["type"] for c in info["columns"]}
    assert types["rid"] == "integer"
    assert types["n"] == "integer"
    assert types["f"] == "float"
    assert types["ok"] == "boolean"
    assert types["ts"] == "timestamp"
    assert types["items"] == "json"
    assert types["name"] == types["msg"] == types["ip"] == "text"
    assert info["time_column"] == "ts"


def test_json_sheet_has_only_the_data_columns(sheet: Workspace) -> None:
    names = [c["name"] for c in sheet.info(SHEET)["columns"]]
    assert sorted(names) == sorted(_flat_names())


def _flat_names() -> list[str]:
    return ["req.a.b" if key == "req" else key for key in ROWS[0]]


# ----------------------------------------------------------------------------------------------- compare
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("name = 'alice'", [1]),
        ("name == 'alice'", [1]),
        ("name = 'ALICE' nocase", [1, 4]),
        ("name != 'alice'", [2, 3, 4, 5, 6, 7, 8]),  # != keeps the blank (NULL) name of row 3
        ("name <> 'alice' nocase", [2, 3, 5, 6, 7, 8]),
        ("n != 5", [2, 3, 5, 6, 7]),  # NULL n (row 2) is kept
        ("n = 5", [1, 4, 8]),
        ("n < 5", [6, 7]),
        ("n <= 5", [1, 4, 6, 7, 8]),
        ("n > 5", [3, 5]),
        ("n >= 7", [3, 5]),
        ("f < 0", [5]),
        ("f >= 2.0", [2, 6, 8]),
        ("f = 1", [7]),
        ("ok = true", [1, 4, 6, 8]),
        ("ok = false", [2, 5, 7]),
        ("ok != true", [2, 3, 5, 7]),
        ("n = null", [2]),
        ("n != null", [1, 3, 4, 5, 6, 7, 8]),
        ("ts >= '2022-03-22T16:00:00Z'", [2, 4, 8]),
        ("ts < '2022-03-22T15:00:00Z'", [5]),
        ("ts = '2022-03-22T16:00:00+01:00'", [1]),  # offsets are honoured: 16:00+01:00 is 15:00Z
        ("ts > '2022-03-22 17:30:00'", [8]),  # no offset means UTC
        ("name < 'b'", [1, 2, 4, 8]),  # text order is byte order: 'Bob' and 'ALICE' sort before 'b'
    ],
)
def test_compare(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("name in ('alice', 'Bob')", [1, 2]),
        ("name in ('ALICE', 'bob') nocase", [1, 2, 4]),
        ("name not in ('alice', 'Bob')", [3, 4, 5, 6, 7, 8]),  # not in keeps blanks
        ("name not in ('alice') nocase", [2, 3, 5, 6, 7, 8]),
        ("n in (5, 7)", [1, 3, 4, 8]),
        ("n not in (5, 7)", [2, 5, 6, 7]),
        ("n in (0, null)", [2, 6]),
        ("n not in (5, null)", [3, 5, 6, 7]),
        ("name in ('')", [8]),
    ],
)
def test_in_list(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("n between 5 and 7", [1, 3, 4, 8]),  # inclusive at both ends
        ("n not between 5 and 7", [2, 5, 6, 7]),
        ("f between -5 and 1.5", [1, 4, 5, 7]),
        ("ts between '2022-03-22T15:00:00Z' and '2022-03-22T16:00:00Z'", [1, 2, 6, 7]),
        ("name between 'a' and 'c'", [1]),  # text: 'carol' > 'c'; 'Bob' and 'ALICE' sort before 'a'
    ],
)
def test_between(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


# -------------------------------------------------------------------------------------------------- text
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("name contains 'li'", [1]),
        ("name contains 'LI'", [4]),
        ("name contains 'li' nocase", [1, 4]),
        ("name not contains 'li'", [2, 3, 4, 5, 6, 7, 8]),
        ("name starts with 'A'", [4]),
        ("name starts with 'a' nocase", [1, 4]),
        ("name ends with 'e'", [1, 6, 7]),
        ("name ends with 'E' nocase", [1, 4, 6, 7]),
        ("name not ends with 'e'", [2, 3, 4, 5, 8]),
        ("msg contains '%'", [6, 8]),  # no wildcards: %, _ and * are ordinary characters
        ("msg contains '_'", [6, 8]),
        ("msg contains '% _ *'", [8]),
        ("msg contains ''''", [6]),  # a quote inside the value
        ("msg starts with 'Mar  9'", [5]),
        ("n contains '1'", [5, 7]),  # numbers are matched as text
    ],
)
def test_text_match(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (r"msg matches 'password for \w+ from'", [1, 7]),
        ("msg matches '^failed' nocase", [1, 7]),
        ("msg matches '^failed'", []),
        (r"msg matches 'sshd\[\d+\]'", [5]),
        (r"msg not matches 'password'", [2, 3, 6, 8]),
        (r"ip matches '^10\.'", [1, 5, 8]),
    ],
)
def test_matches(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


def test_invalid_regex_is_a_clear_error(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery):
        rids(sheet, "msg matches '('")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("msg is blank", [2, 3]),  # '' and '  '
        ("msg is not blank", [1, 4, 5, 6, 7, 8]),
        ("name is blank", [3, 8]),  # NULL and ''
        ("name is null", [3, 8]),
        ("name is empty", [3, 8]),
        ("name is not blank", [1, 2, 4, 5, 6, 7]),
        ("n is blank", [2]),
        ("ts is blank", [3]),
        ("items is blank", [6]),
        ("req.a.b is blank", [3, 6]),
        ("pad is blank", [3, 6]),  # '\tz\t' is not blank; '' is
    ],
)
def test_blank(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("ip in cidr '10.0.0.0/8'", [1, 5, 8]),
        ("ip in cidr '10.0.0.0/24'", [1]),
        ("ip in cidr '10.255.255.255/32'", [5]),
        ("ip in cidr '0.0.0.0/0'", [1, 2, 5, 6, 8]),
        ("ip not in cidr '10.0.0.0/8'", [2, 3, 4, 6, 7]),
        ("ip in cidr '2001:db8::/32'", [3]),
        ("ip in cidr 'fe80::/10'", [4]),
        ("ip in cidr '::/0'", [3, 4]),
        ("ip not in cidr '2001:db8::/32'", [1, 2, 4, 5, 6, 7, 8]),
        ("ip in cidr '10.0.0.1/8'", [1, 5, 8]),  # host bits set: taken as the network
    ],
)
def test_in_cidr(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


def test_bad_cidr_is_a_clear_error(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="not a network"):
        rids(sheet, "ip in cidr '10.0.0.0/33'")


# ---------------------------------------------------------------------------------------------- nesting
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("user = 'root' and action = 'deny'", [1, 5, 8]),
        ("user = 'root' or n = 7", [1, 3, 5, 7, 8]),
        ("not user = 'root'", [2, 3, 4, 6]),  # not keeps the NULL user
        ("not (user = 'root' or action = 'allow')", [3, 6]),
        ("(name = 'alice' or n = 7) and not rid = 1", [3]),
        ("user = 'root' and (action = 'allow' or n > 10)", [5, 7]),
        ("not not (n = 5)", [1, 4, 8]),
        ("n = 5 or n = 7 and ok = true", [1, 4, 8]),  # and binds tighter than or
    ],
)
def test_and_or_not(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


def test_not_is_the_exact_complement(sheet: Workspace) -> None:
    for where in (
        "n > 5",
        "name contains 'a'",
        "ip in cidr '10.0.0.0/8'",
        "msg matches 'password'",
        "ts < '2022-03-22T16:00:00Z'",
    ):
        positive = set(rids(sheet, where))
        negative = set(rids(sheet, f"not ({where})"))
        assert positive.isdisjoint(negative) and positive | negative == set(ALL), where


# --------------------------------------------------------------------------------------------- JSON paths
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("req.a.b = 'x'", [1, 4, 7]),
        ("req.a.b = 'x' nocase", [1, 4, 7, 8]),
        ("req.a.b != 'x'", [2, 3, 5, 6, 8]),
        ("items[0].x = 1", [1, 8]),
        ("items[0].x = '1'", [1, 8]),
        ("items[0].x > 2", [4, 5, 7]),  # a number compares JSON text as a number
        ("items[0].x between 2 and 7", [2, 4, 7]),
        ("items[1].x = 4", [4]),
        ("items[1].x is blank", [1, 2, 3, 5, 6, 7, 8]),
        ("items[0].x in (1, 10)", [1, 5, 8]),
    ],
)
def test_json_paths(sheet: Workspace, where: str, expected: list[int]) -> None:
    assert rids(sheet, where) == expected


def test_json_path_as_column_and_sort_key(sheet: Workspace) -> None:
    page = sheet.query(SHEET, build_query(columns=["rid", "items[0].x"], sort=["-items[0].x", "rid"]), limit=100)
    assert [c.name for c in page.columns] == ["rid", "items[0].x"]
    # JSON-path values are text: sorted as text, blanks last
    assert page.rows == [(7, "7"), (4, "3"), (2, "2"), (5, "10"), (1, "1"), (8, "1"), (3, None), (6, None)]


def test_unknown_column_is_a_clear_error(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="unknown column 'nmae'; did you mean 'name'"):
        rids(sheet, "nmae = 'x'")


def test_value_of_the_wrong_type_is_a_clear_error(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="not a number"):
        rids(sheet, "n = 'five'")
    with pytest.raises(InvalidQuery, match="not a timestamp"):
        rids(sheet, "ts > 'yesterday'")


# ------------------------------------------------------------------------------------------------ search
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PASSWORD", [1, 4, 5, 7]),
        ("bob", [2, 4, 6]),  # name 'Bob', message '... for bob', user 'bob'
        ("203.0.113", [5]),
        ("100%", [6]),
        ("2001:DB8", [3]),
        ("carol", [5, 6]),
        ("no such text anywhere", []),
        # values of other types are searched as they are shown: integers, floats, booleans, times
        ("1000", [7]),  # bytes 1000 (an integer column)
        ("-3.2", [5]),  # f -3.25
        ("TRU", [1, 4, 6, 8]),  # ok = true
        ("16:00:0", [2]),  # ts 2022-03-22 16:00:00+00, and when '2022-03-22T16:00:00Z'
        ("22 15:3", [6]),  # ts rendered with a space
    ],
)
def test_search_across_columns(sheet: Workspace, text: str, expected: list[int]) -> None:
    assert rids(sheet, search=text) == expected


def test_search_with_filter_and_search_in_filter(sheet: Workspace) -> None:
    assert rids(sheet, "user = 'root'", search="password") == [1, 5, 7]
    assert rids(sheet, "'password' and action = 'allow'") == [4, 7]


# ------------------------------------------------------------------------------------- sort, columns, page
def test_sort_multiple_columns(sheet: Workspace) -> None:
    page = sheet.query(SHEET, build_query(columns=["rid", "user", "bytes"], sort=["user", "-bytes"]), limit=100)
    assert page.rows == [
        (6, "bob", 400),
        (4, "bob", 300),
        (2, "bob", 200),
        (7, "root", 1000),
        (1, "root", 100),
        (5, "root", 50),
        (8, "root", 5),
        (3, None, None),  # blanks sort last
    ]


def test_sort_descending_keeps_blanks_last_and_ties_in_row_order(sheet: Workspace) -> None:
    assert rids(sheet, sort=(ir.SortKey("n", descending=True),)) == [5, 3, 1, 4, 8, 7, 6, 2]
    assert rids(sheet, sort=(ir.SortKey("ts"),)) == [5, 1, 6, 7, 2, 4, 8, 3]


def test_column_selection_and_order(sheet: Workspace) -> None:
    page = sheet.query(SHEET, build_query(where="rid = 2", columns=["msg", "rid", "req.a.b"]))
    assert [c.name for c in page.columns] == ["msg", "rid", "req.a.b"]
    assert [c.type for c in page.columns] == ["text", "integer", "text"]
    assert page.rows == [("", 2, "y")]


def test_paging_with_exact_total(sheet: Workspace) -> None:
    query = build_query(columns=["rid"], sort=["rid"])
    first = sheet.query(SHEET, query, limit=3, offset=0)
    second = sheet.query(SHEET, query, limit=3, offset=3)
    last = sheet.query(SHEET, query, limit=3, offset=6)
    beyond = sheet.query(SHEET, query, limit=3, offset=100)
    assert [r[0] for r in first.rows + second.rows + last.rows] == ALL
    assert first.total == second.total == last.total == beyond.total == 8
    assert beyond.rows == []
    filtered = sheet.query(SHEET, build_query(where="user = 'root'", columns=["rid"], sort=["-rid"]), limit=2, offset=1)
    assert filtered.rows == [(7,), (5,)] and filtered.total == 4
    assert len(first.rowids) == 3 and len(set(first.rowids + second.rowids + last.rowids)) == 8


def test_page_limits(sheet: Workspace) -> None:
    with pytest.raises(LogsheetError):
        sheet.query(SHEET, limit=10_001)
    with pytest.raises(LogsheetError):
        sheet.query(SHEET, offset=-1)


# ------------------------------------------------------------------------------------------------- steps
def test_split_without_collapse(sheet: Workspace) -> None:
    query = ir.Query(steps=(ir.Split("msg", " ", 3),), where=parse_filter("rid in (1, 5)"))
    page = sheet.query(SHEET, query.with_(columns=("msg_1", "msg_2", "msg_3"), sort=(ir.SortKey("rid"),)))
    assert [c.type for c in page.columns] == ["text"] * 3
    assert page.rows == [("Failed", "password", "for"), ("Mar", None, "9")]  # the double space makes a blank


def test_split_collapse_keep_rest_on_a_syslog_line(sheet: Workspace) -> None:
    names = ("month", "day", "time", "host", "process", "message")
    query = ir.Query(steps=(ir.Split("msg", " ", 6, names=names, keep_rest=True, collapse=True),), where=parse_filter("rid = 5"))
    page = sheet.query(SHEET, query.with_(columns=names))
    assert page.rows == [
        ("Mar", "9", "10:00:00", "host", "sshd[42]:", "Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2")
    ]


def test_split_then_filter_and_group_on_new_columns(sheet: Workspace) -> None:
    split = ir.Split("msg", " ", 2, names=("first", "rest"), keep_rest=True, collapse=True)
    query = ir.Query(steps=(split,), where=parse_filter("first = 'Failed'"), group=ir.GroupBy(("first",)))
    assert sheet.query(SHEET, query).rows == [("Failed", 2)]
    short = column(sheet, ir.Query(steps=(split,)), "rest")
    assert short[1] is None and short[2] is None  # '' and '  ' split into nothing
    assert short[3] == "password for bob"


def test_split_more_parts_than_fields_gives_blanks(sheet: Workspace) -> None:
    query = ir.Query(steps=(ir.Split("ip", ".", 5),), where=parse_filter("rid = 1"))
    assert sheet.query(SHEET, query.with_(columns=("ip_1", "ip_4", "ip_5"))).rows == [("10", "1", None)]


def test_regex_extract_named_groups(sheet: Workspace) -> None:
    step = ir.RegexExtract("msg", r"from (?P<src>\d+\.\d+\.\d+\.\d+) port (?P<port>\d+)")
    query = ir.Query(steps=(step,))
    page = sheet.query(SHEET, query.with_(columns=("rid", "src", "port"), sort=(ir.SortKey("rid"),)))
    assert [c.name for c in page.columns] == ["rid", "src", "port"]
    assert page.rows == [
        (1, "1.2.3.4", "22"),
        (2, None, None),
        (3, None, None),
        (4, None, None),
        (5, "203.0.113.9", "4242"),
        (6, None, None),
        (7, "5.6.7.8", "22"),
        (8, None, None),
    ]
    assert rids(sheet, "src in cidr '203.0.113.0/24'", steps=(step,)) == [5]


def test_regex_extract_needs_named_groups(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="named groups"):
        sheet.query(SHEET, ir.Query(steps=(ir.RegexExtract("msg", r"(\d+)"),)))


def test_combine_skips_blanks(sheet: Workspace) -> None:
    query = ir.Query(steps=(ir.Combine(("user", "action", "name"), "/", "who"),))
    assert column(sheet, query, "who") == [
        "root/deny/alice",
        "bob/allow/Bob",
        "deny",
        "bob/allow/ALICE",
        "root/deny/carol",
        "bob/deny/dave",
        "root/allow/eve",
        "root/deny/",  # '' is a value (concat_ws skips only NULL)
    ]


def test_rename_then_filter_by_the_new_name(sheet: Workspace) -> None:
    query = ir.Query(steps=(ir.Rename("name", "who"),))
    assert rids(sheet, "who = 'alice'", steps=query.steps) == [1]
    with pytest.raises(InvalidQuery, match="unknown column 'name'"):
        rids(sheet, "name = 'alice'", steps=query.steps)
    with pytest.raises(InvalidQuery, match="already exists"):
        sheet.query(SHEET, ir.Query(steps=(ir.Rename("name", "msg"),)))


def test_cast(sheet: Workspace) -> None:
    as_int = ir.Query(steps=(ir.Cast("code", "integer"),))
    assert column(sheet, as_int, "code") == [22, None, 7, -3, None, 0, 1000, 5]  # ' 7 ' is trimmed; 'x' and '' blank
    assert rids(sheet, "code > 0", steps=as_int.steps) == [1, 3, 7, 8]
    as_text = ir.Query(steps=(ir.Cast("bytes", "text"),))
    assert column(sheet, as_text, "bytes") == ["100", "200", None, "300", "50", "400", "1000", "5"]
    assert rids(sheet, "bytes < '2'", steps=as_text.steps) == [1, 7]  # now compared as text
    as_float = ir.Query(steps=(ir.Cast("code", "float"),))
    assert column(sheet, as_float, "code") == [22.0, None, 7.0, -3.0, None, 0.0, 1000.0, 5.0]
    page = sheet.query(SHEET, as_float.with_(columns=("code",)), limit=1)
    assert page.columns[0].type == "float"


def test_change_case_and_trim(sheet: Workspace) -> None:
    upper = ir.Query(steps=(ir.ChangeCase("name", "upper"),))
    assert column(sheet, upper, "name") == ["ALICE", "BOB", None, "ALICE", "CAROL", "DAVE", "EVE", ""]
    lower = ir.Query(steps=(ir.ChangeCase("name", "lower"),))
    assert rids(sheet, "name = 'alice'", steps=lower.steps) == [1, 4]
    trim = ir.Query(steps=(ir.Trim("pad"),))
    assert column(sheet, trim, "pad") == ["left", "right", None, "both", "none", "", "x", "\tz\t"]


def test_parse_timestamp_with_format_and_iso(sheet: Workspace) -> None:
    with_format = ir.Query(steps=(ir.ParseTimestamp("when", "%d/%m/%Y %H:%M:%S", "parsed"),))
    values = column(sheet, with_format, "parsed")
    assert values[0] == datetime(2022, 3, 22, 15, 0, tzinfo=UTC)
    assert values[1:] == [None] * 7
    iso = ir.Query(steps=(ir.ParseTimestamp("when"),))
    parsed = column(sheet, iso, "when")
    assert parsed[1] == datetime(2022, 3, 22, 16, 0, tzinfo=UTC)
    assert parsed[4] == datetime(2022, 3, 22, 14, 0, tzinfo=UTC)
    assert parsed[6] == datetime(2022, 3, 22, 14, 45, tzinfo=UTC)  # +01:00 converted to UTC
    assert parsed[0] is None and parsed[2] is None and parsed[5] is None and parsed[7] is None
    assert rids(sheet, "when >= '2022-03-22T14:30:00Z'", steps=iso.steps) == [
        2,
        4,
        7,
    ]  # row 4 holds epoch seconds 1647961200 = 15:00Z


def test_parse_timestamp_detects_epoch_seconds(sheet: Workspace) -> None:
    parsed = column(sheet, ir.Query(steps=(ir.ParseTimestamp("when"),)), "when")
    assert parsed[3] == datetime(2022, 3, 22, 15, 0, tzinfo=UTC)


def test_extract_json(sheet: Workspace) -> None:
    query = ir.Query(steps=(ir.ExtractJson("items[1].x", "second"),))
    assert column(sheet, query, "second") == [None, None, None, "4", None, None, None, None]
    default_name = ir.Query(steps=(ir.ExtractJson("items[0].x"),))
    page = sheet.query(SHEET, default_name.with_(columns=("items[0].x",), where=parse_filter("rid = 5")))
    assert page.rows == [("10",)]


def test_steps_are_checked(sheet: Workspace) -> None:
    for step in (
        ir.Split("msg", "", 2),
        ir.Split("msg", " ", 0),
        ir.Split("nope", " ", 2),
        ir.Combine(("msg",), "-", "x"),
        ir.RegexExtract("msg", "(?P<msg>x)"),  # new column would clash with an existing one
        ir.ExtractJson("rid"),
    ):
        with pytest.raises(InvalidQuery):
            sheet.query(SHEET, ir.Query(steps=(step,)))


# ------------------------------------------------------------------------------------------------ groups
def test_group_default_order_count_desc_then_keys(sheet: Workspace) -> None:
    page = sheet.query(SHEET, build_query(group_by=["user"]))
    assert [c.name for c in page.columns] == ["user", "count"]
    assert page.rows == [("root", 4), ("bob", 3), (None, 1)]
    assert page.total == 3
    page = sheet.query(SHEET, build_query(group_by=["n"]))
    assert page.rows == [(5, 3), (0, 1), (1, 1), (7, 1), (12, 1), (None, 1)]  # ties: keys ascending, blank last


def test_group_multi_level_with_every_aggregate(sheet: Workspace) -> None:
    aggs = [
        "count",
        "count_distinct:name",
        "min:f",
        "max:f",
        "sum:bytes",
        "avg:bytes",
        "first:name",
        "last:name",
        "first:ts",
        "last:ts",
    ]
    page = sheet.query(SHEET, build_query(group_by=["user", "action"], aggs=aggs))
    assert [c.name for c in page.columns] == [
        "user",
        "action",
        "count",
        "count_distinct_name",
        "min_f",
        "max_f",
        "sum_bytes",
        "avg_bytes",
        "first_name",
        "last_name",
        "first_ts",
        "last_ts",
    ]
    assert [c.type for c in page.columns][2:] == [
        "integer",
        "integer",
        "float",
        "float",
        "integer",
        "float",
        "text",
        "text",
        "timestamp",
        "timestamp",
    ]

    def t(hour: int, minute: int = 0) -> datetime:
        return datetime(2022, 3, 22, hour, minute, tzinfo=UTC)

    assert page.rows == [
        # root/deny: rows 1 (alice 15:00), 5 (carol 14:00), 8 ('' 18:00)
        ("root", "deny", 3, 3, -3.25, 2.0, 155, 155 / 3, "carol", "", t(14), t(18)),
        # bob/allow: rows 2 (Bob 16:00), 4 (ALICE 17:00)
        ("bob", "allow", 2, 2, 0.0, 2.5, 500, 250.0, "Bob", "ALICE", t(16), t(17)),
        ("bob", "deny", 1, 1, 9.0, 9.0, 400, 400.0, "dave", "dave", t(15, 30), t(15, 30)),
        ("root", "allow", 1, 1, 1.0, 1.0, 1000, 1000.0, "eve", "eve", t(15, 45), t(15, 45)),
        (None, "deny", 1, 0, None, None, None, None, None, None, None, None),
    ]
    assert page.total == 5
    assert sheet.count(SHEET, build_query(group_by=["user", "action"])) == 5


def test_group_with_filter_steps_json_path_and_sort(sheet: Workspace) -> None:
    query = build_query(where="action = 'deny'", group_by=["req.a.b"], aggs=["count", "max:bytes"], sort=["-max_bytes"])
    rows = sheet.query(SHEET, query).rows
    assert rows == [(None, 2, 400), ("x", 1, 100), ("z", 1, 50), ("X", 1, 5)]
    by_json = sheet.query(SHEET, build_query(group_by=["items[0].x"], sort=["items[0].x"]))
    assert by_json.rows == [("1", 2), ("10", 1), ("2", 1), ("3", 1), ("7", 1), (None, 2)]


def test_group_paging(sheet: Workspace) -> None:
    query = build_query(group_by=["name"], sort=["name"])
    page = sheet.query(SHEET, query, limit=3, offset=2)
    assert page.total == 8
    assert page.rows == [("Bob", 1), ("alice", 1), ("carol", 1)]


def test_group_errors(sheet: Workspace) -> None:
    with pytest.raises(InvalidQuery, match="numeric"):
        sheet.query(SHEET, build_query(group_by=["user"], aggs=["sum:name"]))
    with pytest.raises(LogsheetError, match="unknown aggregate"):
        build_query(group_by=["user"], aggs=["median:n"])
    with pytest.raises(LogsheetError, match="needs a column"):
        build_query(group_by=["user"], aggs=["max"])
    with pytest.raises(InvalidQuery, match="cannot sort groups"):
        sheet.query(SHEET, build_query(group_by=["user"], sort=["bytes"]))
    with pytest.raises(InvalidQuery, match="duplicate"):
        sheet.query(SHEET, ir.Query(group=ir.GroupBy(("user",), (ir.Agg("count"), ir.Agg("count")))))


# ------------------------------------------------------------------------------------------- time budget
@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("big")
    lines = folder / "big.log"
    with open(lines, "w") as fh:
        for i in range(120_000):
            fh.write(f"Mar  9 10:{i % 60:02d}:00 host sshd[{i}]: Failed password for user{i % 977} from 10.{i % 256}.0.1\n")
    ws = Workspace.open(folder / "home")
    ws.import_paths([lines], sheet="big", format="text")
    return ws


HEAVY = ir.Query(
    steps=(ir.RegexExtract("line", r"for (?P<u>\w+) from (?P<ip>\S+)"),),
    where=parse_filter("line matches '(a|b|c)+.*[0-9]{2}'"),
    group=ir.GroupBy(("u", "ip"), (ir.Agg("count"), ir.Agg("count_distinct", "line"))),
)


def test_timeout_stops_a_heavy_query(big: Workspace) -> None:
    # the heavy query takes a few hundred ms; a 0.1 s budget runs out while the engine is working
    with pytest.raises(QueryTimeout, match="budget"):
        big.query("big", HEAVY, timeout=0.1)
    with pytest.raises(QueryTimeout):
        big.count("big", HEAVY, timeout=0.1)
    # the engine is still usable afterwards, and the same query fits a normal budget
    assert big.count("big", ir.Query(), timeout=60) == 120_000
    assert big.count("big", HEAVY, timeout=60) == 120_000  # every (user, ip) pair is distinct


def test_budget_that_runs_out_before_the_statement_starts(big: Workspace) -> None:
    import time

    from sqlglot import exp

    statement = exp.select(exp.Count(this=exp.Star())).from_("range(400000000) AS t(i)").where("i % 7 = 3")
    with pytest.raises(QueryTimeout), big.engine._guard(0.001) as cursor:
        time.sleep(0.05)  # the budget is gone before the statement starts
        cursor.execute(statement.sql("duckdb")).fetchall()


def test_query_json_round_trip_runs_the_same(sheet: Workspace) -> None:
    query = ir.Query(
        steps=(ir.Split("msg", " ", 2, names=("w1", "w2"), keep_rest=True, collapse=True),),
        where=parse_filter("w1 = 'Failed' or n in (0, 12)"),
        search="",
        columns=("rid", "w1"),
        sort=(ir.SortKey("rid", descending=True),),
    )
    again = ir.query_from_json(json.loads(json.dumps(ir.query_to_json(query))))
    assert again == query
    assert (
        sheet.query(SHEET, again).rows
        == sheet.query(SHEET, query).rows
        == [(7, "Failed"), (6, "carol's"), (5, "Mar"), (1, "Failed")]
    )


# ------------------------------------------------------------------------------- pages read by row id
@pytest.mark.parametrize(
    "query",
    [
        build_query(where="action = 'deny'", sort=["-n"]),  # ties on n: the row id decides, both ways
        build_query(sort=["user", "-bytes"], columns=["user", "bytes"]),
        build_query(search="password", sort=["ts"]),
        build_query(where="n > 100"),  # no row
        build_query(where="action = 'deny'", steps=(ir.Split("msg", " ", 2),), sort=["msg_1"]),
        # sorted by a stored time or number: the page is first looked for near the end the sort starts from
        build_query(sort=["-ts"]),
        build_query(sort=["ts"], columns=["ts"]),
        build_query(where="action = 'deny'", sort=["-n"]),
        build_query(sort=["f", "user"]),
    ],
)
def test_page_by_row_id_equals_one_pass(sheet: Workspace, query: ir.Query) -> None:
    """A filtered or sorted page is read in two passes (ids, then rows by id): the same rows, the same order."""
    plan = sheet.plan(SHEET, query)
    assert paging.reads_by_id(plan)
    for limit, offset in ((100, 0), (1, 0), (2, 1), (3, 4), (1, 7), (0, 0)):
        one_pass = sheet.engine.fetch(plan.rows_sql(limit, offset)).rows
        page = sheet.query(SHEET, query, limit=limit, offset=offset)
        assert [(rid, *row) for rid, row in zip(page.rowids, page.rows)] == [tuple(r) for r in one_pass]
    assert not paging.reads_by_id(sheet.plan(SHEET, build_query()))


def test_deep_pages_of_an_unsorted_view_are_read_by_row_id(sheet: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = sheet.plan(SHEET, build_query())
    assert not paging.reads_by_id(plan, 0) and paging.reads_by_id(plan, paging.DEEP_OFFSET + 1)
    monkeypatch.setattr(paging, "DEEP_OFFSET", 2)
    for offset in (3, 5, 8):
        page = sheet.query(SHEET, build_query(), limit=2, offset=offset)
        one_pass = sheet.engine.fetch(plan.rows_sql(2, offset)).rows
        assert [(rid, *row) for rid, row in zip(page.rowids, page.rows)] == [tuple(r) for r in one_pass]


def test_out_of_memory_is_a_clear_error(tmp_path: Path) -> None:
    """A query past the engine's memory budget is one clear message (the server answers 503 and keeps serving)."""
    from logsheet.core.errors import OutOfMemory
    from logsheet.engines.duckdb import DuckEngine

    engine = DuckEngine(tmp_path, memory_limit="16MB")
    engine._con.execute("SET temp_directory = ''")  # nowhere to spill: the budget is the limit
    big = exp.select("list(range(i, i + 200))").from_("range(1000000) t(i)").group_by("i % 700000")
    with pytest.raises(OutOfMemory, match="more memory than"):
        engine.fetch(exp.select(exp.Count(this=exp.Star())).from_(big.subquery("s")))
    assert engine.fetch(exp.select(exp.Literal.number(1))).rows == [(1,)]  # still answering
