"""A small sheet, its annotations and the rows each annotation filter holds: shared by the DuckDB and Spark tests
of the annotation terms (tests/compiler/test_annotation_terms.py, tests/engines/spark/test_spark_annotations.py)."""

from __future__ import annotations

from typing import Any

ROWS = [{"i": i, "user": ["root", "bob", "alice", "root", "carol", "tag"][i], "msg": f"m{i}"} for i in range(6)]

# (filter of the rows, action) applied in this order
ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("i in (0, 2)", {"star": True}),
    ("user = 'root'", {"tag": "ssh-bruteforce"}),
    ("i = 3", {"tag": "t1110"}),
    ("i = 2", {"comment": "Root login from 10.0.0.7"}),
    ("i = 2", {"comment": "checked"}),
    ("i = 4", {"comment": "nothing here"}),
]

# filter text -> the values of i it holds
CASES: list[tuple[str, set[int]]] = [
    ("starred", {0, 2}),
    ("not starred", {1, 3, 4, 5}),
    ("tag = 'ssh-bruteforce'", {0, 3}),
    ("tag != 'ssh-bruteforce'", {1, 2, 4, 5}),
    ("tag in ('t1110', 'nope')", {3}),
    ("tag not in ('t1110', 'ssh-bruteforce')", {1, 2, 4, 5}),
    ("tag = 'ssh'", set()),  # a tag is matched whole, never as a part of another
    ("comment contains 'root'", set()),
    ("comment contains 'root' nocase", {2}),
    ("comment contains 'checked'", {2}),
    ("comment starts with 'Root'", {2}),
    ("comment ends with 'here'", {4}),
    ("comment not contains 'here'", {0, 1, 2, 3, 5}),
    ("starred and tag = 'ssh-bruteforce'", {0}),
    ("starred or comment contains 'here'", {0, 2, 4}),
    ("\"user\" = 'tag'", {5}),  # a column named like an annotation word, double-quoted
]
