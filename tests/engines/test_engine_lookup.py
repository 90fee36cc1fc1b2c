"""The lookup and enrich steps through the Python API on DuckDB: exact answers on known sheets
(tests/lookup_rows.py), with the workspace's AWS ranges and GeoIP file written by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enrich_fixtures import write_ip_ranges, write_mmdb
from logsheet.core import ipclass, ir
from logsheet.core.errors import InvalidQuery, LogsheetError, NotFound
from logsheet.workspace import Workspace
from lookup_rows import CIDR, ENRICH, EVENTS, EXACT, NOCASE, TWO_KEYS, build, view


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build(tmp_path_factory.mktemp("lookup"))


def rows(ws: Workspace, query: ir.Query) -> list[tuple[Any, ...]]:
    page = ws.query("events", query, limit=100)
    assert page.total == len(EVENTS) == len(page.rows)  # a lookup never changes the number of rows
    return page.rows


def test_exact_lookup_is_a_left_join_keeping_the_first_match(ws: Workspace) -> None:
    got = rows(ws, view(EXACT, columns=("users.team", "users.matched")))
    teams = {rid: (team, matched) for rid, team, matched in got}
    assert teams[1] == teams[7] == ("red", True)  # alice is in users twice: the lowest row id wins
    assert teams[2] == (None, False) and teams[3] == (None, False)  # Bob / bob against BOB: case counts
    assert teams[4] == (None, False) and teams[5] == (None, False)  # blank keys never match (not even "")
    assert teams[6] == ("ops", True)
    assert [c.name for c in ws.query("events", ir.Query(steps=(EXACT,)), limit=1).columns][-2:] == ["users.team", "users.matched"]


def test_lookup_ignoring_case(ws: Workspace) -> None:
    got = {rid: team for rid, team in rows(ws, view(NOCASE, columns=("users.team",)))}
    assert got[2] == got[3] == "green" and got[1] == "red" and got[8] is None


def test_lookup_on_two_keys_with_a_prefix_and_typed_keys(ws: Workspace) -> None:
    got = {rid: (team, m) for rid, team, m in rows(ws, view(TWO_KEYS, columns=("u_team", "u_matched")))}
    assert got[1] == ("red", True) and got[7] == ("red", True)  # (alice, 22)
    assert got[6] == (None, False)  # carol's port is NULL here, 0 there


def test_lookup_adds_every_other_column_by_default(ws: Workspace) -> None:
    step = ir.Lookup("users", ("user",), ("name",))
    names = [c.name for c in ws.query("events", ir.Query(steps=(step,)), limit=1).columns]
    assert names[-3:] == ["users.team", "users.port", "users.matched"]


def test_cidr_lookup_takes_the_most_specific_network(ws: Workspace) -> None:
    got = {rid: (label, m) for rid, label, m in rows(ws, view(CIDR, columns=("nets.label", "nets.matched")))}
    assert got[1] == ("corp-dc", True)  # 10.1.0.0/16 beats 10.0.0.0/8
    assert got[7] == ("corp", True)
    assert got[2] == ("web", True)  # 44.202.228.1/24 is the network 44.202.228.0/24
    assert got[3] == ("attacker", True)  # a bare address is a /32
    assert got[5] == ("home", True)  # ::ffff:192.168.1.1 is the IPv4 address it maps
    assert got[4] == ("doc6", True) and got[9] == ("aws6", True) and got[12] == ("link6", True)  # IPv6 networks
    assert all(got[r] == (None, False) for r in (6, 8, 10, 11))


def test_matched_counts(ws: Workspace) -> None:
    assert ws.lookup_counts("events", view(CIDR)) == [
        {"step": 0, "sheet": "nets", "column": "nets.matched", "matched": 8, "rows": 12}
    ]
    filtered = view(EXACT).with_(where=ir.Compare("user", "=", "alice"))
    assert ws.lookup_counts("events", filtered)[0] | {"step": 0} == {
        "step": 0, "sheet": "users", "column": "users.matched", "matched": 2, "rows": 2
    }  # fmt: skip


def test_lookup_columns_filter_group_and_sort(ws: Workspace) -> None:
    query = ir.Query(steps=(CIDR,), where=ir.Compare("nets.matched", "=", True), group=ir.GroupBy(("nets.label",)))
    groups = ws.query("events", query).rows
    assert sorted(groups) == [
        ("attacker", 1), ("aws6", 1), ("corp", 1), ("corp-dc", 1), ("doc6", 1), ("home", 1), ("link6", 1), ("web", 1)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (ir.Lookup("nope", ("user",)), "no sheet named 'nope'"),
        (ir.Lookup("users", ("nope",), ("name",)), "unknown column 'nope'"),
        (ir.Lookup("users", ("user",), ("nope",)), "unknown column 'nope'"),
        (ir.Lookup("users", ("user",), ("name", "port")), "as many keys"),
        (ir.Lookup("users", ("user", "port"), mode="cidr"), "one IP column"),
        (ir.Lookup("users", ()), "at least one key"),
        (ir.Lookup("users", ("user",), ("name",), ("team",), prefix=""), ""),
    ],
)
def test_lookup_errors_are_clear(ws: Workspace, step: ir.Lookup, message: str) -> None:
    if not message:  # the last one is fine, once; twice it clashes
        with pytest.raises(InvalidQuery, match="already exists"):
            ws.query("events", view(step, step))
        return
    with pytest.raises((InvalidQuery, NotFound), match=message):
        ws.query("events", view(step))


def test_enrich_classifies_without_ranges(ws: Workspace) -> None:
    got = rows(ws, view(ENRICH, columns=("ip", "ip.class", "ip.aws_service", "ip.aws_region")))
    for _rid, ip, kind, service, region in got:
        assert kind == ipclass.classify(ip), ip  # the SQL and the Python reference agree
        assert service is None and region is None
    assert [kind for *_, kind, _, _ in got] == [
        "private", "public", "public", "documentation", "private", None, "private", "public", "public", "cgnat",
        "multicast", "link-local",
    ]  # fmt: skip
    assert "ip.country" not in [c.name for c in ws.query("events", ir.Query(steps=(ENRICH,)), limit=1).columns]


def test_classification_matches_python_on_every_special_network(tmp_path: Path) -> None:
    import ipaddress

    from fixtures import write_ndjson

    addresses = []
    for text, _ in ipclass.SPECIAL_NETWORKS:
        network = ipaddress.ip_network(text)
        addresses += [str(network.network_address), str(network.broadcast_address)]
        addresses += [str(network.network_address - 1)] if int(network.network_address) else []
        top = (1 << network.max_prefixlen) - 1
        addresses += [str(network.broadcast_address + 1)] if int(network.broadcast_address) != top else []
    addresses += ["8.8.8.8", "2606:4700::1111", "::ffff:10.0.0.1", "256.1.1.1", "1.2.3", "", "::g"]
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_ndjson(tmp_path / "a.ndjson", [{"i": i, "a": a} for i, a in enumerate(addresses)])], sheet="a")
    page = ws.query("a", ir.Query(steps=(ir.Enrich("a"),), columns=("a", "a.class"), sort=(ir.SortKey("i"),)), limit=1000)
    assert [(a, kind) for a, kind in page.rows] == [(a, ipclass.classify(a) if a else None) for a in addresses]


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("enriched")
    ws = build(folder)
    ws.set_ip_ranges(write_ip_ranges(folder / "ip-ranges.json"))
    ws.set_geoip(write_mmdb(folder / "geo.mmdb"))
    return ws


def test_enrich_with_aws_ranges_and_geoip(enriched: Workspace) -> None:
    columns = ("ip.class", "ip.aws_service", "ip.aws_region", "ip.country", "ip.city", "ip.asn", "ip.org")
    got = {r[0]: r[1:] for r in rows(enriched, view(ENRICH, columns=columns))}
    assert got[2] == ("public", "EC2", "us-east-1", "US", "Ashburn", 14618, "AMAZON-AES")  # EC2 beats AMAZON
    assert got[3] == ("public", None, None, "KR", "Seoul", 4766, "Korea Telecom")  # outside AWS
    assert got[8][:3] == ("public", "S3", "us-east-1")  # the /24 of S3 inside AMAZON's /16
    assert got[9][:3] == ("public", "EC2", "us-east-1")  # IPv6: EC2's /33 inside AMAZON's /24
    assert got[1] == ("private", None, None, None, None, None, None)
    info = enriched.info("events")
    assert "ip.class" not in [c["name"] for c in info["columns"]]  # the sheet itself is untouched


def test_enriched_columns_in_where_group_by_and_columns(enriched: Workspace) -> None:
    query = ir.Query(steps=(ENRICH,), where=ir.Compare("ip.class", "=", "public"), group=ir.GroupBy(("ip.aws_service",)))
    assert sorted(enriched.query("events", query).rows, key=str) == [("EC2", 2), ("S3", 1), (None, 1)]


def test_describe_one_ip(enriched: Workspace, ws: Workspace) -> None:
    one = enriched.describe_ip("44.202.228.109")
    assert one["class"] == "public" and one["aws_service"] == "EC2" and one["aws_region"] == "us-east-1"
    assert one["geoip"]["country"] == "US"
    assert enriched.describe_ip("123.214.118.119")["aws_service"] is None
    assert ws.describe_ip("10.0.0.1") == {
        "address": "10.0.0.1",
        "class": "private",
        "configured": {"ip_ranges": False, "geoip": False},
    }


def test_bad_enrichment_files_are_refused_and_change_nothing(tmp_path: Path, enriched: Workspace) -> None:
    before = enriched.enrichment()
    bad = tmp_path / "bad.json"
    for text, message in (
        ("not json", "not JSON"),
        ('{"x": 1}', 'no "prefixes"'),
        ('{"prefixes": [{"ip_prefix": "10.0.0.0/33", "region": "r", "service": "s"}]}', "is not a network"),
        ('{"prefixes": [{"ip_prefix": "10.0.0.0/8"}]}', "needs a"),
    ):
        bad.write_text(text)
        with pytest.raises(LogsheetError, match=message):
            enriched.set_ip_ranges(bad)
    with pytest.raises(LogsheetError, match="not a MaxMind"):
        enriched.set_geoip(bad)
    with pytest.raises(LogsheetError, match="no such file"):
        enriched.set_geoip(tmp_path / "missing.mmdb")
    assert enriched.enrichment() == before


def test_reconfiguring_changes_the_answers(tmp_path: Path) -> None:
    ws = build(tmp_path)
    query = view(ENRICH, columns=("ip.aws_service",)).with_(where=ir.Compare("ip.aws_service", "=", "EC2"))
    assert ws.query("events", query).total == 0
    ws.set_ip_ranges(write_ip_ranges(tmp_path / "ip-ranges.json"))
    assert ws.query("events", query).total == 2  # remembered totals depend on the ranges too
    ws.clear_enrichment("ip-ranges")
    assert ws.query("events", query).total == 0 and ws.enrichment()["ip_ranges"] is None


def test_lookup_and_enrich_are_saved_with_views_and_replay(tmp_path: Path) -> None:
    ws = build(tmp_path)
    query = ir.Query(steps=(ENRICH, CIDR), where=ir.Compare("nets.matched", "=", True), columns=("rid", "ip.class"))
    ws.save_view("events", "matched", query)
    saved = ir.query_from_json(ws.views("events")[0]["query"])
    assert saved == query
    assert [r for r, _ in sorted(ws.query("events", saved).rows)] == [1, 2, 3, 4, 5, 7, 9, 12]
    ws.delete_sheet("nets")  # the view still lists; running it says what is missing
    with pytest.raises(NotFound, match="no sheet named 'nets'"):
        ws.query("events", saved)


def test_self_lookup_and_the_sql_of_every_dialect(ws: Workspace) -> None:
    step = ir.Lookup("events", ("user",), ("user",), ("ip",), prefix="self_")
    assert {r[0]: r[1] for r in rows(ws, view(step, columns=("self_ip",)))}[7] == "10.1.2.3"  # alice's first row
    query = ir.Query(steps=(CIDR, ENRICH))
    spark = ws.sql("events", query, "spark")
    assert "FROM `nets`" in spark and "FROM `events`" in spark  # each sheet a table named after it
    trino = ws.sql("events", query, "trino")
    assert 'FROM "nets"' in trino and "TO_HEX(CAST(TRY_CAST(" in trino and "AS IPADDRESS) AS VARBINARY))" in trino
