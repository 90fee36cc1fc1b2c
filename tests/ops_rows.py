"""The small sheet with known rows that every filter operator, step and aggregate is checked on
(tests/engines/test_engine_ops.py pins DuckDB's answers; the Spark tests run the same rows on both engines)."""

from __future__ import annotations

from typing import Any

SYSLOG = "Mar  9 10:00:00 host sshd[42]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2"

ROWS: list[dict[str, Any]] = [
    {"rid": 1, "name": "alice", "ip": "10.0.0.1", "n": 5, "f": 1.5, "ok": True, "ts": "2022-03-22T15:00:00Z",
     "req": {"a": {"b": "x"}}, "items": [{"x": 1}], "msg": "Failed password for root from 1.2.3.4 port 22 ssh2",
     "user": "root", "action": "deny", "bytes": 100, "code": "22", "pad": "  left", "when": "22/03/2022 15:00:00"},
    {"rid": 2, "name": "Bob", "ip": "192.168.1.5", "n": None, "f": 2.5, "ok": False, "ts": "2022-03-22T16:00:00Z",
     "req": {"a": {"b": "y"}}, "items": [{"x": 2}], "msg": "",
     "user": "bob", "action": "allow", "bytes": 200, "code": "x", "pad": "right  ", "when": "2022-03-22T16:00:00Z"},
    {"rid": 3, "name": None, "ip": "2001:db8::1", "n": 7, "f": None, "ok": None, "ts": None,
     "req": None, "items": [], "msg": "  ",
     "user": None, "action": "deny", "bytes": None, "code": " 7 ", "pad": None, "when": None},
    {"rid": 4, "name": "ALICE", "ip": "fe80::1", "n": 5, "f": 0.0, "ok": True, "ts": "2022-03-22T17:00:00Z",
     "req": {"a": {"b": "x"}}, "items": [{"x": 3}, {"x": 4}], "msg": "Accepted password for bob",
     "user": "bob", "action": "allow", "bytes": 300, "code": "-3", "pad": "  both  ", "when": "1647961200"},
    {"rid": 5, "name": "carol", "ip": "10.255.255.255", "n": 12, "f": -3.25, "ok": False, "ts": "2022-03-22T14:00:00Z",
     "req": {"a": {"b": "z"}}, "items": [{"x": 10}], "msg": SYSLOG,
     "user": "root", "action": "deny", "bytes": 50, "code": "", "pad": "none", "when": "2022-03-22 14:00:00"},
    {"rid": 6, "name": "dave", "ip": "11.0.0.1", "n": 0, "f": 9.0, "ok": True, "ts": "2022-03-22T15:30:00Z",
     "req": {"a": {"b": None}}, "items": None, "msg": "carol's 100% done_ok",
     "user": "bob", "action": "deny", "bytes": 400, "code": "0", "pad": "", "when": "junk"},
    {"rid": 7, "name": "eve", "ip": "not-an-ip", "n": 1, "f": 1.0, "ok": False, "ts": "2022-03-22T15:45:00Z",
     "req": {"a": {"b": "x"}}, "items": [{"x": 7}], "msg": "Failed password for root from 5.6.7.8 port 22 ssh2",
     "user": "root", "action": "allow", "bytes": 1000, "code": "1e3", "pad": "x", "when": "2022-03-22T15:45:00+01:00"},
    {"rid": 8, "name": "", "ip": "10.1.2.3", "n": 5, "f": 2.0, "ok": True, "ts": "2022-03-22T18:00:00Z",
     "req": {"a": {"b": "X"}}, "items": [{"x": 1}], "msg": "wildcard % _ * literal",
     "user": "root", "action": "deny", "bytes": 5, "code": "5", "pad": "\tz\t", "when": ""},
]  # fmt: skip
