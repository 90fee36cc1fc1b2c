"""Lookups and IP enrichment through the ASGI app: the steps in the view's IR JSON, the matched counts, the
enrichment settings uploaded as request bodies (a bad file is a 400 that changes nothing), and one IP."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient, make_client

from enrich_fixtures import write_ip_ranges, write_mmdb
from logsheet.workspace import Workspace
from lookup_rows import EVENTS, build


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return make_client(build(tmp_path))


LOOKUP = {
    "kind": "lookup",
    "sheet": "users",
    "keys": ["user"],
    "right_keys": ["name"],
    "columns": ["team"],
    "case_sensitive": False,
}
ENRICH = {"kind": "enrich", "column": "ip"}


def view(*steps: dict[str, object], **more: object) -> dict[str, object]:
    return {
        "query": {"steps": list(steps), "columns": ["rid", "ip", *more.pop("columns", [])], "sort": [{"column": "rid"}], **more}
    }  # type: ignore[list-item]


def test_lookup_step_in_the_query_json_and_its_matched_count(client: TestClient) -> None:
    page = client.post("/api/sheets/events/query", json=view(LOOKUP, columns=["users.team", "users.matched"])).json()
    assert page["total"] == len(EVENTS)
    assert [c["name"] for c in page["columns"]][-2:] == ["users.team", "users.matched"]
    assert page["rows"][1][2:] == ["green", True]
    counts = client.post("/api/sheets/events/lookups", json=view(LOOKUP)).json()
    assert counts == {"lookups": [{"step": 0, "sheet": "users", "column": "users.matched", "matched": 5, "rows": 12}]}


def test_bad_lookup_is_a_400_naming_the_problem(client: TestClient) -> None:
    step = {**LOOKUP, "sheet": "nope"}
    response = client.post("/api/sheets/events/query", json=view(step))
    assert response.status_code == 404 and "no sheet named 'nope'" in response.json()["error"]
    response = client.post("/api/sheets/events/query", json=view({**LOOKUP, "mode": "fuzzy"}))
    assert response.status_code in (400, 422) and "mode" in response.text


def test_enrichment_settings_upload_status_and_forget(client: TestClient, tmp_path: Path) -> None:
    assert client.get("/api/settings/enrichment").json() == {"ip_ranges": None, "geoip": None}
    body = write_ip_ranges(tmp_path / "ip-ranges.json").read_bytes()
    shown = client.put("/api/settings/enrichment/ip-ranges", content=body).json()
    assert shown["ip_ranges"]["prefixes"] == 8 and shown["geoip"] is None
    shown = client.put("/api/settings/enrichment/geoip", content=write_mmdb(tmp_path / "g.mmdb").read_bytes()).json()
    assert shown["geoip"]["networks"] == 3
    page = client.post("/api/sheets/events/query", json=view(ENRICH, columns=["ip.aws_service", "ip.country"])).json()
    assert page["rows"][1] == [2, "44.202.228.109", "EC2", "US"]
    one = client.get("/api/enrich/ip/44.202.228.109").json()
    assert one["class"] == "public" and one["aws_service"] == "EC2" and one["geoip"]["city"] == "Ashburn"
    assert client.get("/api/enrich/ip/2001:db8::1").json()["class"] == "documentation"
    assert client.delete("/api/settings/enrichment/geoip").json()["geoip"] is None


def test_bad_enrichment_uploads_are_refused(client: TestClient, tmp_path: Path) -> None:
    response = client.put("/api/settings/enrichment/ip-ranges", content=b"<html>not json</html>")
    assert response.status_code == 400 and "is not an AWS ip-ranges.json" in response.json()["error"]
    response = client.put("/api/settings/enrichment/geoip", content=b"\x00" * 64)
    assert response.status_code == 400 and "not a MaxMind" in response.json()["error"]
    assert client.put("/api/settings/enrichment/ip-ranges", content=b"").status_code == 400
    assert client.put("/api/settings/enrichment/other", content=b"x").status_code == 404
    assert client.get("/api/settings/enrichment").json() == {"ip_ranges": None, "geoip": None}
    assert not list((tmp_path / "home" / "tmp").glob("enrichment-*"))  # the uploaded file does not stay


def test_workspace_is_unchanged_by_a_view(client: TestClient, tmp_path: Path) -> None:
    client.post("/api/sheets/events/query", json=view(ENRICH, LOOKUP))
    ws = Workspace.open(tmp_path / "home")
    assert [c["name"] for c in ws.info("events")["columns"]] == ["rid", "user", "ip", "port"]
