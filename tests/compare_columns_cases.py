"""A sheet for column-to-column comparisons (``ir.CompareColumns``) and the rows each comparison keeps: shared by
the DuckDB tests (tests/compiler/test_compare_columns.py) and the Spark ones (tests/engines/spark), which must
give the same answers."""

from __future__ import annotations

from typing import Any

from logsheet.core import ir

# i: row id; a, b: text; n, m: integers; f: float; j: JSON (an array: objects would be flattened into columns)
ROWS: list[dict[str, Any]] = [
    {"i": 0, "a": "alice", "b": "alice", "n": 1, "m": 1, "f": 1.0, "j": [{"user": "alice"}]},
    {"i": 1, "a": "Alice", "b": "alice", "n": 1, "m": 2, "f": 2.5, "j": [{"user": "ALICE"}]},
    {"i": 2, "a": "alice", "b": "", "n": None, "m": 1, "f": 1.0, "j": [{"user": None}]},
    {"i": 3, "a": "", "b": "", "n": None, "m": None, "f": None, "j": [{}]},
    {"i": 4, "a": None, "b": "x", "n": 7, "m": None, "f": 7.0, "j": [{"user": "x"}]},
    {"i": 5, "a": None, "b": None, "n": 3, "m": 3, "f": 3.5, "j": None},
    {"i": 6, "a": "alice-admin", "b": "ALICE", "n": 10, "m": 10, "f": 10.0, "j": [{"user": "admin"}]},
    {"i": 7, "a": "1", "b": "admin", "n": 1, "m": 5, "f": 1.0, "j": [{"user": "1"}]},
]
ALL = {r["i"] for r in ROWS}

EQ_CASED = {0, 3}  # "" = "" is equal; NULL never is
EQ_NOCASE = {0, 1, 3}

CASES: list[tuple[ir.Predicate, set[int]]] = [
    (ir.CompareColumns("a", "=", "b"), EQ_CASED),
    (ir.CompareColumns("a", "=", "b", case_sensitive=False), EQ_NOCASE),
    (ir.CompareColumns("a", "!=", "b"), ALL - EQ_CASED),  # keeps the rows where a side is blank
    (ir.CompareColumns("a", "!=", "b", case_sensitive=False), ALL - EQ_NOCASE),
    (ir.CompareColumns("a", "starts_with", "b", case_sensitive=False), {0, 1, 2, 3, 6}),
    (ir.CompareColumns("a", "starts_with", "b"), {0, 2, 3}),
    (ir.CompareColumns("a", "ends_with", "b"), {0, 2, 3}),
    (ir.CompareColumns("a", "contains", "b", case_sensitive=False), {0, 1, 2, 3, 6}),
    (ir.CompareColumns("b", "contains", "a"), {0, 3}),
    (ir.Not(ir.CompareColumns("a", "contains", "b")), ALL - {0, 2, 3}),
    # integers as integers, integer against float as numbers
    (ir.CompareColumns("n", "=", "m"), {0, 5, 6}),
    (ir.CompareColumns("n", "!=", "m"), ALL - {0, 5, 6}),
    (ir.CompareColumns("n", "=", "f"), {0, 4, 6, 7}),
    # text against a number: as text
    (ir.CompareColumns("a", "=", "n"), {7}),
    # a JSON path against a column, either way round
    (ir.CompareColumns("j[0].user", "=", "a"), {0, 7}),
    (ir.CompareColumns("a", "=", "j[0].user", case_sensitive=False), {0, 1, 7}),
    (ir.CompareColumns("b", "=", "j[0].user"), {0, 4}),
    # the same column: equal unless blank
    (ir.CompareColumns("a", "=", "a"), ALL - {4, 5}),
]
