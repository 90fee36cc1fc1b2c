"""The profile of an IP column (issue 11, item 6): a text column whose values are IPv4/IPv6 addresses profiles
as addresses (private / public split, distinct, top values), not as text min/max; other text keeps min/max."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.workspace import Workspace

ADDRESSES = (
    ["123.214.118.119"] * 5  # public, the most frequent
    + ["10.0.0.5"] * 3  # private (RFC 1918)
    + ["192.168.1.20", "172.16.4.4", "127.0.0.1"]  # private
    + ["8.8.8.8", "2001:4860:4860::8888"]  # public, IPv4 and IPv6
    + ["fe80::1", "fd00::7"]  # private IPv6 (link-local, unique local)
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    rows = [{"src": a, "user": f"user{i % 3}", "n": i} for i, a in enumerate(ADDRESSES)]
    rows += [{"src": None, "user": "nobody", "n": 99}, {"src": "", "user": "empty", "n": 100}]
    workspace = Workspace.open(tmp_path / "home")
    workspace.import_paths([write_ndjson(tmp_path / "in" / "net.ndjson", rows)], sheet="net")
    return workspace


def test_an_ip_column_profiles_as_addresses(ws: Workspace) -> None:
    p = ws.profile("net", "src", top=3).to_json()
    assert p["type"] == "text"
    assert p["ip"] == {"private": 8, "public": 7, "other": 0}
    assert p["min"] is None and p["max"] is None  # no text order of addresses
    assert p["rows"] == len(ADDRESSES) + 2 and p["blanks"] == 2
    assert p["distinct"] == 10
    assert p["top"][:2] == [{"value": "123.214.118.119", "count": 5}, {"value": "10.0.0.5", "count": 3}]


def test_the_split_follows_the_view(ws: Workspace) -> None:
    query = ir.Query(where=ir.InCidr("src", "10.0.0.0/8", negate=True))
    p = ws.profile("net", "src", query).to_json()
    assert p["ip"] == {"private": 5, "public": 7, "other": 0}


def test_text_that_is_not_addresses_keeps_min_and_max(ws: Workspace) -> None:
    p = ws.profile("net", "user").to_json()
    assert p["ip"] is None
    assert (p["min"], p["max"]) == ("empty", "user2")
    assert ws.profile("net", "n").to_json()["ip"] is None  # numbers are never addresses


def test_a_few_names_among_addresses_count_as_other(tmp_path: Path) -> None:
    """As CloudTrail's sourceIPAddress: addresses, and now and then a service name (under a tenth of them)."""
    values = [f"203.0.113.{i}" for i in range(1, 40)] + ["10.1.2.3", "ec2.amazonaws.com", "AWS Internal"]
    mixed = [f"198.51.100.{i}" for i in range(1, 6)] + [f"host{i}.example" for i in range(5)]
    rows = [{"ip": v, "mixed": mixed[i % len(mixed)]} for i, v in enumerate(values)]
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_ndjson(tmp_path / "in" / "ct.ndjson", rows)], sheet="ct")
    assert ws.profile("ct", "ip").to_json()["ip"] == {"private": 1, "public": 39, "other": 2}
    half = ws.profile("ct", "mixed").to_json()
    assert half["ip"] is None and half["min"] == "198.51.100.1"  # half names: text, with its min and max


def test_the_sql_split_of_many_distinct_values_agrees(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above IP_SPLIT_IN_PYTHON distinct values the split is counted in SQL (the filter's `in cidr`): same answer."""
    from logsheet.analysis import profiles

    by_value = ws.profile("net", "src").to_json()["ip"]
    monkeypatch.setattr(profiles, "IP_SPLIT_IN_PYTHON", 0)
    assert ws.profile("net", "src").to_json()["ip"] == by_value
