"""The sheets of the lookup and enrich tests (DuckDB's answers pinned in tests/engines/test_engine_lookup.py,
Spark's compared with them in tests/engines/spark/test_spark_lookup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.workspace import Workspace

EVENTS: list[dict[str, Any]] = [
    {"rid": 1, "user": "alice", "ip": "10.1.2.3", "port": 22},
    {"rid": 2, "user": "Bob", "ip": "44.202.228.109", "port": 443},
    {"rid": 3, "user": "bob", "ip": "123.214.118.119", "port": 22},
    {"rid": 4, "user": None, "ip": "2001:db8::1", "port": 80},
    {"rid": 5, "user": "", "ip": "::ffff:192.168.1.1", "port": 8080},
    {"rid": 6, "user": "carol", "ip": "not an ip", "port": None},
    {"rid": 7, "user": "alice", "ip": "10.9.9.9", "port": 22},
    {"rid": 8, "user": "dave", "ip": "52.95.245.7", "port": 53},
    {"rid": 9, "user": "eve", "ip": "2600:1f18::10", "port": 443},
    {"rid": 10, "user": "eve", "ip": "100.64.0.1", "port": 443},
    {"rid": 11, "user": "eve", "ip": "224.0.0.251", "port": 5353},
    {"rid": 12, "user": "eve", "ip": "fe80::1", "port": 5353},
]
USERS: list[dict[str, Any]] = [  # alice twice (the first row wins), BOB only in upper case, a blank name
    {"name": "alice", "team": "red", "port": 22},
    {"name": "alice", "team": "blue", "port": 22},
    {"name": "BOB", "team": "green", "port": 443},
    {"name": "", "team": "blank", "port": 80},
    {"name": "carol", "team": "ops", "port": 0},
]
NETS: list[dict[str, Any]] = [  # 10.1.0.0/16 is more specific than 10.0.0.0/8; host bits ignored; junk never matches; IPv6 too
    {"cidr": "10.0.0.0/8", "label": "corp"},
    {"cidr": "10.1.0.0/16", "label": "corp-dc"},
    {"cidr": "44.202.228.1/24", "label": "web"},
    {"cidr": "123.214.118.119", "label": "attacker"},
    {"cidr": "junk", "label": "junk"},
    {"cidr": "10.0.0.0/33", "label": "bad-length"},
    {"cidr": "192.168.0.0/16", "label": "home"},
    {"cidr": "2001:db8:8000::/33", "label": "doc6-high"},  # a prefix length that is no multiple of 4
    {"cidr": "2001:db8::/33", "label": "doc6"},
    {"cidr": "2600:1f18::/35", "label": "aws6"},
    {"cidr": "FE80::/10", "label": "link6"},
]


def build(folder: Path) -> Workspace:
    ws = Workspace.open(folder / "home")
    for name, rows in (("events", EVENTS), ("users", USERS), ("nets", NETS)):
        summary = ws.import_paths([write_ndjson(folder / f"{name}.ndjson", rows)], sheet=name)
        assert summary.rows == len(rows)
    return ws


def view(*steps: ir.Step, columns: tuple[str, ...] = ()) -> ir.Query:
    return ir.Query(steps=steps, columns=("rid", *columns), sort=(ir.SortKey("rid"),))


EXACT = ir.Lookup("users", ("user",), ("name",), ("team",))
NOCASE = ir.Lookup("users", ("user",), ("name",), ("team",), case_sensitive=False)
TWO_KEYS = ir.Lookup("users", ("user", "port"), ("name", "port"), ("team",), prefix="u_")
CIDR = ir.Lookup("nets", ("ip",), ("cidr",), ("label",), mode="cidr")
ENRICH = ir.Enrich("ip")
