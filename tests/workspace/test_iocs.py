"""IOC lists in a workspace: imported, matched against every sheet of a case in the columns of each
indicator's kind, with the same counts as the pivot, the `ioc` filter and the `ioc_lists` column resolved
against the lists as they are, findings recorded per list and sheet (Spark: tests/engines/spark/test_spark_iocs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, CLEAN_IP, SLOW_IP
from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.core.errors import Conflict, NotFound
from logsheet.query.filterlang import parse_filter
from logsheet.workspace import Workspace
from timeline_fixtures import build_case

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def case_ws(logsheet_home: Path, inputs: Path) -> Workspace:
    ws = Workspace.open(logsheet_home)
    build_case(ws, inputs)
    rows = [
        {"t": f"2024-05-01T11:00:0{i}Z", "peer": peer, "site": site, "sha": sha, "link": link}
        for i, (peer, site, sha, link) in enumerate(
            [
                (BRUTE_IP, "www.evil.example", SHA, "https://evil.example/drop"),
                ("10.0.9.9", "notevil.example", "0" * 64, "https://good.example/"),
                ("2001:DB8::7", "EVIL.example", SHA.upper(), "https://good.example/x"),
            ]
        )
    ]
    ws.import_paths([write_ndjson(inputs / "proxy.ndjson", rows)], sheet="proxy", case="ir")
    return ws


def write(inputs: Path, name: str, text: str) -> Path:
    path = inputs / name
    path.write_text(text, encoding="utf-8")
    return path


def count(ws: Workspace, sheet: str, where: str) -> int:
    return ws.count(sheet, ir.Query(where=parse_filter(where)))


def test_a_match_finds_each_indicator_in_the_columns_of_its_kind(case_ws: Workspace, inputs: Path) -> None:
    ws = case_ws
    text = f"{BRUTE_IP}\n10.0.1.0/24\nevil.example\nuser0\n{SHA}\nhttps://evil.example/drop\n2001:db8::7\n"
    made = ws.import_iocs(write(inputs, "intel.txt", text), kind=None)
    assert made["name"] == "intel" and made["rejected"] == 1  # user0: a bare word needs --kind user
    ws.import_iocs(write(inputs, "users.txt", "USER0\n"), kind="user")
    found = {m.sheet: m for m in ws.match_iocs("ir")}
    assert set(found) == {"secure", "trail", "proxy"}
    assert found["secure"].rows == BRUTE_FAILURES + 1 == ws.pivot(BRUTE_IP, case="ir").sheets[0].rows
    assert found["secure"].values == [BRUTE_IP] and found["secure"].by_list == {"intel": BRUTE_FAILURES + 1, "users": 0}
    trail = found["trail"]
    assert trail.by_list["intel"] == count(ws, "trail", "sourceIPAddress in cidr '10.0.1.0/24'") == 30 // 4 + 1
    assert trail.by_list["users"] == count(ws, "trail", "userIdentity.userName = 'user0'") == 15
    assert trail.rows == count(ws, "trail", "sourceIPAddress in cidr '10.0.1.0/24' or userIdentity.userName = 'user0'")
    assert ("users", "user", "USER0", 15) in trail.hits and ("intel", "cidr", "10.0.1.0/24", 8) in trail.hits
    proxy = found["proxy"]
    assert proxy.rows == 2  # the brute-force IP, a subdomain, the hash (in either case), the IPv6 address: not row 1
    assert set(proxy.values) == {BRUTE_IP, "evil.example", SHA, "https://evil.example/drop", "2001:db8::7"}
    assert {(h[2], h[3]) for h in proxy.hits if h[1] == "domain"} == {("evil.example", 2)}  # not notevil.example
    assert "url" in found["secure"].unsearched and "hash" in trail.unsearched


def test_the_ioc_filter_and_column_follow_the_lists(case_ws: Workspace, inputs: Path) -> None:
    ws = case_ws
    ws.import_iocs(write(inputs, "a.txt", f"{BRUTE_IP}\n"))
    ws.import_iocs(write(inputs, "b.txt", f"{BRUTE_IP}\n{SLOW_IP}\n"))
    assert count(ws, "secure", "ioc") == BRUTE_FAILURES + 1 + 5
    assert count(ws, "secure", "ioc = 'a'") == BRUTE_FAILURES + 1
    assert count(ws, "secure", "ioc != 'a'") == count(ws, "secure", f"src_ip != '{BRUTE_IP}'")
    assert count(ws, "secure", "not ioc") == 1 + count(ws, "secure", "src_ip is blank")  # the clean login
    view = ir.Query(steps=(ir.MarkIoc(),), columns=("src_ip", "ioc_lists"), sort=(ir.SortKey("src_ip"),))
    rows = {tuple(r) for r in ws.query("secure", view, limit=1000).rows}
    assert (BRUTE_IP, "a, b") in rows and (SLOW_IP, "b") in rows and (CLEAN_IP, None) in rows
    only = ir.Query(steps=(ir.MarkIoc(("b",), "hit"),), where=parse_filter("hit = 'b'"))
    assert ws.count("secure", only) == BRUTE_FAILURES + 1 + 5
    ws.import_iocs(write(inputs, "a2.txt", f"{CLEAN_IP}\n"), name="a", replace=True)  # the views follow the list
    assert count(ws, "secure", "ioc = 'a'") == 1
    ws.delete_ioc_list("b")
    with pytest.raises(NotFound, match="no IOC list named 'b'"):
        count(ws, "secure", "ioc = 'b'")
    with pytest.raises(Conflict, match="--replace"):
        ws.import_iocs(write(inputs, "a.txt", "1.2.3.4\n"))


def test_a_sheet_without_columns_of_a_kind_matches_nothing_of_it(case_ws: Workspace, inputs: Path) -> None:
    ws = case_ws
    ws.import_iocs(write(inputs, "hashes.txt", f"{SHA}\n"))
    assert count(ws, "secure", "ioc") == 0 and count(ws, "plain", "ioc") == 0
    assert count(ws, "proxy", "ioc") == 2


def test_a_match_records_a_finding_per_list_whose_rows_are_the_live_filter(case_ws: Workspace, inputs: Path) -> None:
    ws = case_ws
    ws.import_iocs(write(inputs, "bad.txt", f"{BRUTE_IP}\n"), level="critical")
    ws.match_iocs("ir")
    found = [f for f in ws.findings(case="ir") if f.rule == "ioc:bad"]
    assert {f.sheet: f.rows for f in found} == {"secure": BRUTE_FAILURES + 1, "proxy": 1}
    secure = next(f for f in found if f.sheet == "secure")
    assert secure.level == "critical" and secure.tags == ("ioc",) and secure.entities == {"ip": [BRUTE_IP]}
    assert secure.first_seen is not None and secure.first_seen.isoformat().endswith("-05-01T10:00:00+00:00")  # syslog has no year
    assert ws.count("secure", ws.finding_query("secure", secure.id)) == BRUTE_FAILURES + 1
    assert ws.last_rule_run("secure") is None  # a match is not a rule run
    ws.import_iocs(write(inputs, "bad2.txt", f"{SLOW_IP}\n"), name="bad", replace=True)
    ws.match_iocs("ir")
    again = {f.sheet: f.rows for f in ws.findings(case="ir") if f.rule == "ioc:bad"}
    assert again == {"secure": 5}
    ws.match_iocs("ir", ["bad"], record_findings=False)
    assert {f.sheet: f.rows for f in ws.findings(case="ir") if f.rule == "ioc:bad"} == {"secure": 5}
