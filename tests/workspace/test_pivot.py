"""``Workspace.pivot``: the demo's must-shows (counts checked against the sheets' own filtered counts), generic
sheets' entities by value shape, the case rules of the comparison, ``anywhere`` and the related entities."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures import write_csv, write_ndjson
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace

ATTACKER_IP = "123.214.118.119"
INSTANCE_IP = "44.202.228.109"


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> Iterator[Workspace]:
    yield Workspace.open(demo_home)


def count(ws: Workspace, sheet: str, where: str) -> int:
    from logsheet.core import ir

    return ws.count(sheet, ir.Query(where=parse_filter(where)))


def first_last(ws: Workspace, sheet: str, where: str, column: str) -> tuple[str, str]:
    from logsheet.core import ir

    page = ws.query(sheet, ir.Query(where=parse_filter(where), columns=(column,)), limit=10_000)
    times = sorted(r[0] for r in page.rows)
    return times[0].isoformat().replace("+00:00", "Z"), times[-1].isoformat().replace("+00:00", "Z")


def by_sheet(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["sheet"]: s for s in result["sheets"]}


def test_the_attackers_ip_is_in_secure_and_vpcflow(demo: Workspace) -> None:
    result = demo.pivot(ATTACKER_IP, case="demo").to_json()
    assert set(result) >= {"value", "sheets", "related"} and result["value"] == ATTACKER_IP and result["kind"] == "ip"
    sheets = by_sheet(result)
    assert list(sheets) == ["secure", "vpcflow"]
    secure = f"src_ip = '{ATTACKER_IP}'"
    assert sheets["secure"]["rows"] == count(demo, "secure", secure)
    # every failed password and the one accepted root login
    assert count(demo, "secure", f"{secure} and event = 'failed_password'") == 480
    assert count(demo, "secure", f"{secure} and event = 'accepted_password' and user = 'root'") == 1
    flows = f"srcaddr = '{ATTACKER_IP}' or dstaddr = '{ATTACKER_IP}'"
    assert sheets["vpcflow"]["rows"] == count(demo, "vpcflow", flows)
    assert count(demo, "vpcflow", f"({flows}) and not (srcport = 22 or dstport = 22)") == 0  # the SSH flows
    assert (sheets["secure"]["first_seen"], sheets["secure"]["last_seen"]) == first_last(demo, "secure", secure, "timestamp")
    assert (sheets["vpcflow"]["first_seen"], sheets["vpcflow"]["last_seen"]) == first_last(demo, "vpcflow", flows, "start")
    users = {r["value"]: r["rows"] for r in result["related"]["user"]}
    assert users["root"] == count(demo, "secure", f"{secure} and user = 'root'")
    assert users["admin"] == count(demo, "secure", f"{secure} and user = 'admin'")
    assert ATTACKER_IP not in {r["value"] for r in result["related"].get("ip", [])}


def test_the_instances_ip_made_12_cloudtrail_requests(demo: Workspace) -> None:
    result = demo.pivot(INSTANCE_IP, case="demo").to_json()
    where = f"sourceIPAddress = '{INSTANCE_IP}'"
    assert count(demo, "cloudtrail", where) == 12
    assert result["sheets"] == [
        {
            "sheet": "cloudtrail",
            "rows": 12,
            **dict(zip(("first_seen", "last_seen"), first_last(demo, "cloudtrail", where, "eventTime"))),
        }
    ]
    related = {k: {r["value"]: r["rows"] for r in v} for k, v in result["related"].items()}
    (session,) = related["user"]
    assert session.startswith("arn:aws:sts::") and ":assumed-role/" in session and session.rsplit("/", 1)[1].startswith("i-")
    (key,) = related["access_key"]
    assert key.startswith("ASIA")
    assert related["user"][session] == count(demo, "cloudtrail", f"{where} and userIdentity.arn = '{session}'") == 12
    assert related["access_key"][key] == count(demo, "cloudtrail", f"{where} and userIdentity.accessKeyId = '{key}'")


def test_anywhere_finds_the_value_outside_entity_columns(demo: Workspace) -> None:
    key = next(r["value"] for r in demo.pivot(INSTANCE_IP).to_json()["related"]["access_key"])
    exact = demo.pivot(key)
    anywhere = demo.pivot(key, anywhere=True)
    assert exact.kind == "access_key" and exact.case == "default"
    from logsheet.core import ir

    assert by_sheet(anywhere.to_json())["cloudtrail"]["rows"] == demo.count("cloudtrail", ir.Query(search=key))
    assert anywhere.rows >= exact.rows == count(demo, "cloudtrail", f"userIdentity.accessKeyId = '{key}'")


def test_top_and_unknown_values(demo: Workspace) -> None:
    result = demo.pivot("root", top=1).to_json()
    assert result["kind"] == "user" and [s["sheet"] for s in result["sheets"]] == ["secure"]
    assert all(len(v) == 1 for v in result["related"].values())
    assert demo.pivot("ROOT").to_json()["sheets"] == result["sheets"]  # user names compare without case
    nothing = demo.pivot("no-such-value-anywhere").to_json()
    assert nothing["sheets"] == [] and nothing["related"] == {} and nothing["kind"] is None
    with pytest.raises(NotFound):
        demo.pivot(ATTACKER_IP, case="no-such-case")
    for bad in ("", "   "):
        with pytest.raises(LogsheetError):
            demo.pivot(bad)
    with pytest.raises(LogsheetError):
        demo.pivot("root", top=0)


def test_generic_sheets_entities_by_shape(ws: Workspace, inputs: Path) -> None:
    key, arn = "AKIAABCDEFGHIJKLMNOP", "arn:aws:iam::123456789012:user/alice"
    rows = [
        {
            "when": f"2024-01-01T00:00:0{i}Z",
            "client": ip,
            "key": key if i % 2 else "AKIAZZZZZZZZZZZZZZZZ",
            "who": arn,
            "note": f"saw {ip}",
        }
        for i, ip in enumerate(["10.0.0.1", "10.0.0.2", "10.0.0.1", "2001:db8::1", "10.0.0.1"])
    ]
    ws.import_paths([write_ndjson(inputs / "app.ndjson", rows)], sheet="app")
    write_csv(
        inputs / "hosts.csv",
        ["host_ip", "comment"],
        [["10.0.0.1", "web"], ["10.0.0.9", "db"], ["10.0.0.8", ""], ["", ""], ["10.0.0.7", ""], ["not an ip", "x"]],
    )
    ws.import_paths([inputs / "hosts.csv"], sheet="hosts")
    result = ws.pivot("10.0.0.1").to_json()
    assert {s["sheet"]: s["rows"] for s in result["sheets"]} == {"app": 3, "hosts": 1}
    assert result["related"]["access_key"] == [{"value": "AKIAZZZZZZZZZZZZZZZZ", "rows": 3}]  # rows 0, 2, 4
    assert ws.pivot(key).to_json()["related"]["ip"] == [{"value": "10.0.0.2", "rows": 1}, {"value": "2001:db8::1", "rows": 1}]
    assert result["related"]["user"] == [{"value": arn, "rows": 3}]
    assert by_sheet(result)["app"]["first_seen"] == "2024-01-01T00:00:00Z"
    assert by_sheet(result)["app"]["last_seen"] == "2024-01-01T00:00:04Z"
    # the note column is not an entity column ("saw 10.0.0.1" is not an address): only anywhere finds it
    assert ws.pivot("saw 10.0.0.1").to_json()["sheets"] == []
    assert {s["sheet"]: s["rows"] for s in ws.pivot("saw 10.0.0.1", anywhere=True).to_json()["sheets"]} == {"app": 3}
    # 4 addresses of 5 non-blank values make an entity column; 3 of 5 do not
    write_csv(inputs / "few.csv", ["addr"], [["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"], ["x"], ["y"]])
    ws.import_paths([inputs / "few.csv"], sheet="few")
    assert "few" not in {s["sheet"] for s in ws.pivot("10.0.0.1").to_json()["sheets"]}
    # ARNs compare as written
    assert ws.pivot(arn.upper()).to_json()["sheets"] == []


def test_a_value_in_two_columns_of_a_kind_counts_its_row_once(ws: Workspace, inputs: Path) -> None:
    rows = [{"src": "10.1.1.1", "nat": "10.1.1.1", "dst": "10.2.2.2"}, {"src": "10.1.1.1", "nat": "10.3.3.3", "dst": "10.2.2.2"}]
    ws.import_paths([write_ndjson(inputs / "flows.ndjson", rows)], sheet="flows")
    result = ws.pivot("10.2.2.2").to_json()
    assert result["sheets"][0]["rows"] == 2 and result["sheets"][0]["first_seen"] is None
    assert result["related"]["ip"] == [{"value": "10.1.1.1", "rows": 2}, {"value": "10.3.3.3", "rows": 1}]
