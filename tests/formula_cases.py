"""Formula columns, find/replace and URL parts on the rows of tests/ops_rows.py: each case is a step and the
values (by rid) a user sees in the new column on DuckDB. tests/engines/test_formula_ops.py pins them;
tests/engines/spark/test_spark_formulas.py checks that Spark gives the same."""

from __future__ import annotations

from typing import Any

from logsheet.core import ir

N = None

# (formula, expected type, values for rids 1..8)
FORMULAS: list[tuple[str, str, list[Any]]] = [
    ("n + 1", "integer", [6, N, 8, 6, 13, 1, 2, 6]),
    ("n * 2 - bytes % 7", "integer", [8, N, N, 4, 23, -1, -4, 5]),
    ("n / 2", "float", [2.5, N, 3.5, 2.5, 6.0, 0.0, 0.5, 2.5]),
    ("bytes / n", "float", [20.0, N, N, 60.0, 50 / 12, N, 1000.0, 1.0]),
    ("f * n", "float", [7.5, N, N, 0.0, -39.0, 0.0, 1.0, 10.0]),
    ("-n", "integer", [-5, N, -7, -5, -12, 0, -1, -5]),
    ("abs(f)", "float", [1.5, 2.5, N, 0.0, 3.25, 9.0, 1.0, 2.0]),
    ("round(f / 3, 2)", "float", [0.5, 0.83, N, 0.0, -1.08, 3.0, 0.33, 0.67]),
    ("n > 4 and ok", "boolean", [True, False, N, True, False, False, False, True]),
    ("n >= 5 or ok", "boolean", [True, N, True, True, True, True, False, True]),
    ("not ok", "boolean", [False, True, N, False, True, False, True, False]),
    ("name = 'alice'", "boolean", [True, False, N, False, False, False, False, False]),
    ("ts > '2022-03-22T15:30:00Z'", "boolean", [False, True, N, True, False, False, True, True]),
    ("name is blank", "boolean", [False, False, True, False, False, False, False, True]),
    ("msg is not blank", "boolean", [True, False, False, True, True, True, True, True]),
    ("lower(name)", "text", ["alice", "bob", N, "alice", "carol", "dave", "eve", ""]),
    (
        "upper(user) & '/' & action",
        "text",
        ["ROOT/deny", "BOB/allow", "/deny", "BOB/allow", "ROOT/deny", "BOB/deny", "ROOT/allow", "ROOT/deny"],
    ),
    ("trim(pad)", "text", ["left", "right", N, "both", "none", "", "x", "\tz\t"]),  # spaces only
    ("length(pad)", "integer", [6, 7, N, 8, 4, 0, 1, 3]),
    ("concat(name, '-', n)", "text", ["alice-5", "Bob-", "-7", "ALICE-5", "carol-12", "dave-0", "eve-1", "-5"]),
    ("substr(msg, 1, 6)", "text", ["Failed", "", "  ", "Accept", "Mar  9", "carol'", "Failed", "wildca"]),
    ("substr(name, 2)", "text", ["lice", "ob", N, "LICE", "arol", "ave", "ve", ""]),
    (
        "replace(msg, 'password', 'pw')",
        "text",
        [
            "Failed pw for root from 1.2.3.4 port 22 ssh2",
            "",
            "  ",
            "Accepted pw for bob",
            "Mar  9 10:00:00 host sshd[42]: Failed pw for invalid user admin from 203.0.113.9 port 4242 ssh2",
            "carol's 100% done_ok",
            "Failed pw for root from 5.6.7.8 port 22 ssh2",
            "wildcard % _ * literal",
        ],
    ),
    ("msg contains 'password'", "boolean", [True, False, False, True, True, False, True, False]),
    ("starts_with(msg, 'Failed')", "boolean", [True, False, False, False, False, False, True, False]),
    ("msg ends with 'ssh2'", "boolean", [True, False, False, False, True, False, True, False]),
    ("msg not contains 'Failed'", "boolean", [False, True, True, True, False, True, False, True]),
    ("matches(msg, 'from [0-9.]+ port')", "boolean", [True, False, False, False, True, False, True, False]),
    ("split_part(ip, '.', 2)", "text", ["0", "168", N, N, "255", "0", N, "1"]),
    ("if(n > 4, 'big', 'small')", "text", ["big", "small", "big", "big", "big", "small", "small", "big"]),
    ("if(ok, n)", "integer", [5, N, N, 5, N, 0, N, 5]),
    (
        "case when n > 10 then 'many' when n > 4 then 'some' else 'few' end",
        "text",
        ["some", "few", "some", "some", "many", "few", "few", "some"],
    ),
    ("coalesce(name, user, 'nobody')", "text", ["alice", "Bob", "nobody", "ALICE", "carol", "dave", "eve", ""]),
    ("coalesce(n, f)", "float", [5.0, 2.5, 7.0, 5.0, 12.0, 0.0, 1.0, 5.0]),
    ("number(code) * 2", "float", [44.0, N, 14.0, -6.0, N, 0.0, 2000.0, 10.0]),
    ("int(code)", "integer", [22, N, 7, -3, N, 0, 1000, 5]),
    ("text(n) & text(ok)", "text", ["5true", "false", "7", "5true", "12false", "0true", "1false", "5true"]),
    ("hour(ts)", "integer", [15, 16, N, 17, 14, 15, 15, 18]),
    ("date(ts)", "date", ["2022-03-22", "2022-03-22", N, "2022-03-22", "2022-03-22", "2022-03-22", "2022-03-22", "2022-03-22"]),
    ("weekday(ts)", "integer", [2, 2, N, 2, 2, 2, 2, 2]),
    (
        "date_trunc('hour', ts)",
        "timestamp",
        [
            "2022-03-22T15:00:00Z",
            "2022-03-22T16:00:00Z",
            N,
            "2022-03-22T17:00:00Z",
            "2022-03-22T14:00:00Z",
            "2022-03-22T15:00:00Z",
            "2022-03-22T15:00:00Z",
            "2022-03-22T18:00:00Z",
        ],
    ),
    ("epoch(ts) - 1647961200", "float", [0.0, 3600.0, N, 7200.0, -3600.0, 1800.0, 2700.0, 10800.0]),
    ("epoch(timestamp(`when`))", "float", [N, 1647964800.0, N, 1647961200.0, 1647957600.0, N, 1647960300.0, N]),
    ("weekday(timestamp('2022-03-27T12:00:00Z'))", "integer", [7] * 8),
    ("ip_version(ip)", "integer", [4, 4, 6, 6, 4, 4, N, 4]),
    ("ip_network(ip, 8)", "text", ["10.0.0.0/8", "192.0.0.0/8", N, N, "10.0.0.0/8", "11.0.0.0/8", N, "10.0.0.0/8"]),
    ("ip_network(ip, 30)", "text", ["10.0.0.0/30", "192.168.1.4/30", N, N, "10.255.255.252/30", "11.0.0.0/30", N, "10.1.2.0/30"]),
    ("is_private(ip)", "boolean", [True, True, False, True, True, False, False, True]),
    ("is_public(ip)", "boolean", [False, False, True, False, False, True, False, False]),
    ("in_cidr(ip, '10.0.0.0/8')", "boolean", [True, False, False, False, True, False, False, True]),
    ("in_cidr(ip, '2001:db8::/32')", "boolean", [False, False, True, False, False, False, False, False]),
    ("req.a.b", "text", ["x", "y", N, "x", "z", N, "x", "X"]),
    ("json_get(items, '[0].x')", "text", ["1", "2", N, "3", "10", N, "7", "1"]),
    (
        "regex_replace(user, '^(.)(.*)$', '\\2\\1-$')",
        "text",
        ["ootr-$", "obb-$", N, "obb-$", "ootr-$", "obb-$", "ootr-$", "ootr-$"],
    ),
    (
        "regex_replace(ip, '[0-9]+', '#')",
        "text",
        ["#.#.#.#", "#.#.#.#", "#:db#::#", "fe#::#", "#.#.#.#", "#.#.#.#", "not-an-ip", "#.#.#.#"],
    ),
    (
        "url_host('HTTPS://' & name & '.Example.co.uk:8443/x?a=1&b')",
        "text",
        [
            "alice.example.co.uk",
            "bob.example.co.uk",
            ".example.co.uk",
            "alice.example.co.uk",
            "carol.example.co.uk",
            "dave.example.co.uk",
            "eve.example.co.uk",
            ".example.co.uk",  # a blank name leaves the dot
        ],
    ),
    ("url_domain(lower(name) & '.example.co.uk')", "text", ["example.co.uk"] * 8),
    ("url_query_keys('/p?' & user & '=1&x=2')", "text", ["root,x", "bob,x", "x", "bob,x", "root,x", "bob,x", "root,x", "root,x"]),
    ("requ.a.b", "text", []),  # an error: see ERRORS
]
FORMULAS = [f for f in FORMULAS if f[2]]

# (formula, position of the error, words of the message)
ERRORS: list[tuple[str, int, str]] = [
    ("requ.a.b", 0, "unknown column"),
    ("n + name", 4, "must be a number"),
    ("lower(n, 2)", 0, "takes 1 argument"),
    ("frobnicate(n)", 0, "unknown function"),
    ("if(n, 1, 2)", 3, "true or false"),
    ("if(ok, 1, 'x')", 10, "different types"),
    ("ts > 'yesterday'", 5, "not a timestamp"),
    ("n = null", 4, "is blank"),
    ("matches(msg, '(')", 13, "invalid regular expression"),
    ("matches(msg, name)", 13, "constant"),
    ("ip_network(ip, 33)", 15, "0 to 32"),
    ("in_cidr(ip, 'nope')", 12, "not a network"),
    ("date_trunc('fortnight', ts)", 11, "unit"),
    ("split_part(ip, '', 1)", 15, "cannot be empty"),
    ("json_get(name, 'a')", 9, "JSON column"),
    ("hour(n)", 5, "must be a time"),
    ("epoch(timestamp(when))", 16, "keyword 'when'"),
    ("n and ok", 0, "true or false"),
    ("substr(msg, 1.5)", 12, "integers"),
    ("regex_replace(msg, 'a', '\\q')", 24, "backslash"),
    ("lowr(name)", 0, "did you mean lower?"),
]

FIND_REPLACE: list[tuple[ir.FindReplace, list[Any]]] = [
    (ir.FindReplace("user", "o", "0"), ["r00t", "b0b", N, "b0b", "r00t", "b0b", "r00t", "r00t"]),
    (ir.FindReplace("name", "a", "4", case_sensitive=False), ["4lice", "Bob", N, "4LICE", "c4rol", "d4ve", "eve", ""]),
    (
        ir.FindReplace("msg", r"(\d+)\.(\d+)\.(\d+)\.(\d+)", r"\4.\3.\2.\1", regex=True, name="rev"),
        [
            "Failed password for root from 4.3.2.1 port 22 ssh2",
            "",
            "  ",
            "Accepted password for bob",
            "Mar  9 10:00:00 host sshd[42]: Failed password for invalid user admin from 9.113.0.203 port 4242 ssh2",
            "carol's 100% done_ok",
            "Failed password for root from 8.7.6.5 port 22 ssh2",
            "wildcard % _ * literal",
        ],
    ),
    (
        ir.FindReplace("msg", "%", "$1 \\", name="dollars"),
        [
            "Failed password for root from 1.2.3.4 port 22 ssh2",
            "",
            "  ",
            "Accepted password for bob",
            "Mar  9 10:00:00 host sshd[42]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2",
            "carol's 100$1 \\ done_ok",
            "Failed password for root from 5.6.7.8 port 22 ssh2",
            "wildcard $1 \\ _ * literal",
        ],
    ),
    (
        ir.FindReplace("action", "DENY", "$x\\", case_sensitive=False),
        ["$x\\", "allow", "$x\\", "allow", "$x\\", "$x\\", "allow", "$x\\"],
    ),
    (ir.FindReplace("pad", r"^\s+|\s+$", "", regex=True), ["left", "right", N, "both", "none", "", "x", "z"]),
    (ir.FindReplace("n", "5", "five"), ["five", N, "7", "five", "12", "0", "1", "five"]),
]

URLS: list[str | None] = [
    "https://www.example.co.uk/a/b?user=1&next=%2F#top",
    "http://admin:pw@Sub.Example.COM:8080/p",
    "www.city.kobe.jp",
    "bucket.s3.amazonaws.com/key.txt",
    "10.1.2.3",
    None,
    "ftp://[2001:db8::1]:21/",
    "localhost",
]
URL_PARTS: dict[str, list[Any]] = {
    "scheme": ["https", "http", N, N, N, N, "ftp", N],
    "host": [
        "www.example.co.uk",
        "sub.example.com",
        "www.city.kobe.jp",
        "bucket.s3.amazonaws.com",
        "10.1.2.3",
        N,
        "2001:db8::1",
        "localhost",
    ],
    "domain": ["example.co.uk", "example.com", "city.kobe.jp", "amazonaws.com", N, N, N, N],
    "path": ["/a/b", "/p", N, "/key.txt", N, N, "/", N],
    "query_keys": ["user,next", N, N, N, N, N, N, N],
}
