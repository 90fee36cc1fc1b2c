"""Detections through the API: the rules, a run on a sheet, the stored findings, and a finding's rows as a
view (``finding`` in the body of /query, /histogram, /profile and /export)."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient, make_client, view

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, write_rules, write_secure
from logsheet.workspace import Workspace

MINE = "00000000-0000-4000-8000-00000000000"  # the test rules' ids, 1 to 5


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_secure(tmp_path)], sheet="secure")
    ws.set_rules_settings(sigma=[str(write_rules(tmp_path))])  # the server runs the pack and the workspace's rules
    return make_client(ws)


def test_run_list_and_open_a_finding(client: TestClient) -> None:
    rules = client.get("/api/rules").json()
    assert any(r["title"] == "SSH brute force (test)" for r in rules["rules"]) and rules["settings"]["on_import"] is False
    assert client.get("/api/sheets/secure/findings").json() == {"findings": [], "last_run": None}
    ran = client.post("/api/sheets/secure/rules/run")
    assert ran.status_code == 200, ran.text
    body = ran.json()
    mine = [f for f in body["findings"] if f["rule"].startswith(MINE)]
    assert {f["title"] for f in mine} == {"SSH brute force (test)", "Root login accepted (test)"}
    assert any(r["title"] == "Not runnable here (test)" for r in body["run"]["refused"])
    listed = client.get("/api/sheets/secure/findings").json()
    assert [f["id"] for f in listed["findings"]] == [f["id"] for f in body["findings"]]
    assert listed["last_run"]["findings"] == len(body["findings"])
    assert client.get("/api/findings", params={"sheet": "secure"}).json()["findings"] == listed["findings"]
    brute = next(f for f in mine if f["kind"] == "correlation")
    assert client.get(f"/api/findings/{brute['id']}").json() == brute
    page = client.post("/api/sheets/secure/query", json={"query": view(columns=["src_ip"]), "finding": brute["id"]}).json()
    assert page["total"] == BRUTE_FAILURES and {r[0] for r in page["rows"]} == {BRUTE_IP}
    histogram = client.post("/api/sheets/secure/histogram", json={"finding": brute["id"]}).json()
    assert sum(b["count"] for b in histogram["buckets"]) == BRUTE_FAILURES
    profile = client.post("/api/sheets/secure/profile", json={"column": "src_ip", "finding": brute["id"]}).json()
    assert profile["top"][0]["value"] == BRUTE_IP and profile["top"][0]["count"] == BRUTE_FAILURES
    exported = client.post(
        "/api/sheets/secure/export?format=csv", json={"finding": brute["id"], "query": view(columns=["src_ip"])}
    )
    assert exported.status_code == 200 and exported.text.count(BRUTE_IP) == BRUTE_FAILURES


def test_unknown_findings_are_json_404s(client: TestClient) -> None:
    for response in (
        client.get("/api/findings/Fmissing"),
        client.post("/api/sheets/secure/query", json={"finding": "Fmissing"}),
        client.get("/api/sheets/nosuch/findings"),
        client.post("/api/sheets/nosuch/rules/run"),
    ):
        assert response.status_code == 404 and "error" in response.json()
