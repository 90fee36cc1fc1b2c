"""The built-in pack on the demo incident (built as `logsheet demo` builds it): it flags the brute force from
the attacker's address, the root login after it, and the web server's instance-role credentials used from the
instance's own public address for RunInstances and ListBuckets — each with exactly the planted rows, counted
against the demo's own facts (logsheet.demo.facts.FACTS, which the generator holds its output to)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pack_eval import Flagged, compile_pack, flagged, rule_id
from sigma_oracle import matched_rowids

from logsheet.core import ir
from logsheet.demo.facts import FACTS
from logsheet.detect import Refused
from logsheet.detect.findings import Finding
from logsheet.workspace import Workspace, detections


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> Workspace:
    return Workspace.open(demo_home)


def run(ws: Workspace, sheet: str, stem: str) -> Flagged:
    return flagged(ws, sheet, compile_pack(ws, sheet)[rule_id(stem)])


def rows(ws: Workspace, sheet: str, *conditions: ir.Predicate) -> set[int]:
    return matched_rowids(ws, sheet, ir.And(tuple(conditions)))


def values(ws: Workspace, sheet: str, column: str, *conditions: ir.Predicate) -> list[Any]:
    page = ws.query(sheet, ir.Query(where=ir.And(tuple(conditions)), columns=(column,)), limit=1000)
    return [r[0] for r in page.rows]


def test_brute_force_from_the_attacker(demo: Workspace) -> None:
    found = run(demo, "secure", "ssh_brute_force")
    attacker = FACTS.ssh_attacker_ip
    [window] = [w for w in found.windows if w.group == (attacker,)]
    failures = rows(
        demo, "secure", ir.Compare("src_ip", "=", attacker), ir.TextMatch("message", "starts_with", "Failed password")
    )
    assert len(failures) == FACTS.brute_force_failed_password
    assert set(window.rowids) == failures


def test_root_login_after_the_brute_force(demo: Workspace) -> None:
    attacker = FACTS.ssh_attacker_ip
    accepted = rows(demo, "secure", ir.TextMatch("message", "starts_with", "Accepted password for root "))
    assert len(accepted) == FACTS.accepted_password_root == 1
    root = run(demo, "secure", "ssh_root_login")
    assert accepted <= root.rowids
    after = run(demo, "secure", "ssh_login_after_failures")
    assert set(after.groups()) == {attacker}  # no other source logs in after failing
    [window] = after.windows
    failures = run(demo, "secure", "ssh_brute_force").windows
    [brute] = [w for w in failures if w.group == (attacker,)]
    assert set(window.rowids) == set(brute.rowids) | accepted
    assert window.last.strftime("%Y-%m-%dT%H:%M:%SZ") == FACTS.root_login_time


@pytest.mark.parametrize(
    ("stem", "event", "count"),
    [
        ("instance_credentials_run_instances", "RunInstances", FACTS.run_instances_from_attacker_ip),
        ("instance_credentials_list_buckets", "ListBuckets", FACTS.attacker_list_buckets),
    ],
)
def test_instance_credentials_abused_from_the_instance(demo: Workspace, stem: str, event: str, count: int) -> None:
    where = (ir.Compare("eventName", "=", event), ir.Compare("sourceIPAddress", "=", FACTS.attacker_api_ip))
    planted = rows(demo, "cloudtrail", *where)
    assert len(planted) == count
    assert run(demo, "cloudtrail", stem).rowids == planted
    arns = values(demo, "cloudtrail", "userIdentity.arn", *where)
    assert arns and all(str(a).endswith(f"/WebServerRole/{FACTS.web_instance_id}") for a in arns)


def test_instance_credentials_from_the_public_address(demo: Workspace) -> None:
    # every request the attacker made with the web server's role, from its public address, and nothing else:
    # the instance's own reads go through the VPC endpoint (private address), the fleet's SSM agents are left out
    planted = rows(demo, "cloudtrail", ir.Compare("sourceIPAddress", "=", FACTS.attacker_api_ip))
    assert len(planted) == FACTS.attacker_api_requests
    assert run(demo, "cloudtrail", "instance_credentials_outside_aws").rowids == planted


def test_demo_pack_runs_without_refusals(demo: Workspace) -> None:
    for sheet in ("cloudtrail", "secure", "vpcflow"):
        refused = [r for r in compile_pack(demo, sheet).values() if isinstance(r, Refused)]
        assert refused == [], sheet


@pytest.mark.parametrize("sheet", ["cloudtrail", "secure", "vpcflow"])
def test_the_staged_run_finds_what_reading_the_sheet_again_finds(demo: Workspace, sheet: str) -> None:
    # the whole pack: counts, entities and windows read from the rows one pass staged, against the same read
    # from the sheet (as Spark reads it); the findings, their rows, entities and windows are the same
    sources = detections.rule_sources(demo, (), True)
    staged = detections.run_rules(demo, sheet, sources)
    again = detections.run_rules(demo, sheet, sources, stage=False)
    assert staged.findings, sheet
    assert staged.scans == 1 and again.scans > 1
    assert [_shape(f) for f in staged.findings] == [_shape(f) for f in again.findings]
    # kept in the catalog (a correlation's windows without what they share with their rule): read back the same
    assert {f.id: _shape(f) for f in demo.findings(sheet)} == {f.id: _shape(f) for f in again.findings}


def _shape(finding: Finding) -> dict[str, Any]:
    return {k: v for k, v in finding.to_json().items() if k != "run_at"}
