"""The JSON API, in process through the ASGI app (FastAPI's TestClient): listing, info, queries, errors as
JSON, the access token and the same-origin guard, and the OpenAPI document."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from fixtures import START, ct_record, ct_s3_key, write_gz_json, write_ndjson
from logsheet.api import create_app, is_loopback
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    # starlette warns (a UserWarning) that its TestClient will move from httpx to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROWS = [
    {"k": i, "v": f"x{i % 2}", "t": f"2022-03-22T15:00:0{i}Z", "note": "Failed password" if i == 3 else "ok"} for i in range(5)
]


@pytest.fixture
def ws(logsheet_home: Path, inputs: Path) -> Workspace:
    workspace = Workspace.open(logsheet_home)
    workspace.import_paths([write_ndjson(inputs / "a.ndjson", ROWS)], sheet="a")
    bad = inputs / "bad.ndjson"
    bad.write_text('{"k": 1}\nnope\n')
    workspace.import_paths([bad], sheet="bad")
    return workspace


@pytest.fixture
def client(ws: Workspace) -> TestClient:
    return TestClient(create_app(ws))


def query(client: TestClient, sheet: str = "a", **body: Any) -> Any:
    return client.post(f"/api/sheets/{quote(sheet, safe='')}/query", json=body)


# ------------------------------------------------------------------------------------------------- reading
def test_list_sheets(client: TestClient) -> None:
    response = client.get("/api/sheets")
    assert response.status_code == 200
    sheets = response.json()
    assert [s["name"] for s in sheets] == ["a", "bad"]
    a = sheets[0]
    assert a["format"] == "json" and a["rows"] == 5 and a["rejected"] == 0 and a["time_column"] == "t"
    assert a["columns"] == [
        {"name": "k", "type": "integer"},
        {"name": "v", "type": "text"},
        {"name": "t", "type": "timestamp"},
        {"name": "note", "type": "text"},
    ]
    assert sheets[1]["rejected"] == 1


def test_sheet_info(client: TestClient, inputs: Path) -> None:
    response = client.get("/api/sheets/a")
    assert response.status_code == 200
    info = response.json()
    assert info["name"] == "a" and info["rows"] == 5
    assert [s["path"] for s in info["sources"]] == [str(inputs / "a.ndjson")]
    assert len(info["sources"][0]["sha256"]) == 64


def test_rejects(client: TestClient, inputs: Path) -> None:
    page = client.get("/api/sheets/bad/rejects").json()
    assert page["total"] == 1
    assert page["rows"] == [[str(inputs / "bad.ndjson"), 2, page["rows"][0][2], "nope"]]


# ------------------------------------------------------------------------------------------------- queries
def test_query_where(client: TestClient) -> None:
    response = query(client, where="k > 2", columns=["k", "t"])
    assert response.status_code == 200
    page = response.json()
    assert page["columns"] == [{"name": "k", "type": "integer"}, {"name": "t", "type": "timestamp"}]
    assert page["rows"] == [[3, "2022-03-22T15:00:03Z"], [4, "2022-03-22T15:00:04Z"]]
    assert page["total"] == 2 and page["offset"] == 0 and page["limit"] == 100
    assert len(page["rowids"]) == 2


def test_query_search_sort_and_paging(client: TestClient) -> None:
    page = query(client, search="failed PASSWORD", columns=["k"]).json()
    assert page["rows"] == [[3]] and page["total"] == 1
    page = query(client, sort=["-k"], columns=["k"], limit=2, offset=1).json()
    assert page["rows"] == [[3], [2]] and page["total"] == 5


def test_query_group(client: TestClient) -> None:
    page = query(client, group_by=["v"], aggs=["count", "max:k", "first:note"]).json()
    assert [c["name"] for c in page["columns"]] == ["v", "count", "max_k", "first_note"]
    assert page["rows"] == [["x0", 3, 4, "ok"], ["x1", 2, 3, "ok"]]
    assert page["total"] == 2 and page["rowids"] == []


def test_query_ir_json(client: TestClient) -> None:
    view = {"version": 1, "where": {"kind": "in", "column": "k", "values": [1, 4]}, "columns": ["k"]}
    assert query(client, query=view).json()["rows"] == [[1], [4]]


# -------------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"where": "k >"}, 400, "expected a value"),
        ({"where": "nope = 1"}, 400, "unknown column 'nope'"),
        ({"where": "v matches '('"}, 400, "engine refused"),
        ({"group_by": ["v"], "aggs": ["median:k"]}, 400, "unknown aggregate"),
        ({"aggs": ["count"]}, 400, "need --group-by"),
        ({"limit": 100_000}, 400, "a page holds"),
        ({"query": {"version": 9}}, 400, "not supported"),
        ({"query": {"where": {"kind": "bogus"}}}, 400, "unknown filter kind"),
    ],
)
def test_query_errors_are_json(client: TestClient, body: dict[str, Any], status: int, message: str) -> None:
    response = query(client, **body)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert message in response.json()["error"]


def test_unknown_sheet_is_404(client: TestClient) -> None:
    for response in (client.get("/api/sheets/nope"), query(client, "nope"), client.get("/api/sheets/nope/rejects")):
        assert response.status_code == 404
        assert response.json() == {"error": "no sheet named 'nope'; sheets: a, bad"}


def test_malformed_body_is_rejected(client: TestClient) -> None:
    response = query(client, limit="many")
    assert response.status_code == 422
    response = client.post("/api/sheets/a/query", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_sheet_name_with_slash_is_reachable(ws: Workspace, client: TestClient) -> None:
    ws.rename_sheet("a", "logs/2022")
    assert client.get("/api/sheets/" + quote("logs/2022", safe="")).status_code == 200
    assert query(client, "logs/2022").status_code == 200


def test_sheet_name_with_odd_characters_is_reachable(ws: Workspace, client: TestClient) -> None:
    ws.rename_sheet("a", "cloud trail é?#%")
    response = client.get("/api/sheets/" + quote("cloud trail é?#%", safe=""))
    assert response.status_code == 200 and response.json()["name"] == "cloud trail é?#%"
    assert query(client, "cloud trail é?#%", columns=["k"], limit=1).json()["rows"] == [[0]]


# ------------------------------------------------------------------------------------------ token, origin
def test_token_required(ws: Workspace) -> None:
    client = TestClient(create_app(ws, token="s3cret-token"))
    assert client.get("/api/sheets").status_code == 401
    assert client.get("/api/sheets").json() == {"error": "an access token is required"}
    assert client.get("/api/sheets", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/sheets", headers={"X-Logsheet-Token": "s3cret-tok"}).status_code == 401
    assert query(client).status_code == 401
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/api/sheets", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/api/sheets", headers={"X-Logsheet-Token": "s3cret-token"}).status_code == 200
    assert client.get("/api/sheets", params={"token": "s3cret-token"}).status_code == 200
    authorised = client.post(
        "/api/sheets/a/query", json={"where": "k = 1", "columns": ["k"]}, headers={"Authorization": "Bearer s3cret-token"}
    )
    assert authorised.status_code == 200 and authorised.json()["rows"] == [[1]]


def test_foreign_origin_is_refused(client: TestClient) -> None:
    for origin in ("http://evil.example", "https://testserver.evil.example", "null"):
        response = client.post("/api/sheets/a/query", json={}, headers={"Origin": origin})
        assert response.status_code == 403, origin
        assert response.json() == {"error": "cross-site request refused"}
    cross_site = client.post("/api/sheets/a/query", json={}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    same = client.post("/api/sheets/a/query", json={}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    # reading is allowed from anywhere that has the token (none here)
    assert client.get("/api/sheets", headers={"Origin": "http://evil.example"}).status_code == 200


def test_foreign_origin_refused_even_with_token(ws: Workspace) -> None:
    client = TestClient(create_app(ws, token="t"))
    response = client.post("/api/sheets/a/query", json={}, headers={"Origin": "http://evil.example", "Authorization": "Bearer t"})
    assert response.status_code == 403


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.com")


# ------------------------------------------------------------------------------------------------- OpenAPI
def test_openapi(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "logsheet"
    paths = spec["paths"]
    assert "get" in paths["/api/sheets"]
    assert "get" in paths["/api/sheets/{name}"]
    assert "post" in paths["/api/sheets/{name}/query"]
    assert "get" in paths["/api/sheets/{name}/rejects"]
    body = spec["components"]["schemas"]["QueryRequest"]["properties"]
    assert {"where", "search", "columns", "sort", "group_by", "aggs", "query", "limit", "offset"} <= set(body)


def test_cloudtrail_sheet_over_the_api(ws: Workspace, client: TestClient, inputs: Path) -> None:
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": [ct_record(i) for i in range(10)]})
    ws.import_paths([inputs / "ct"], sheet="ct")
    page = query(client, "ct", where="requestParameters.bucketName = 'bucket-0'", columns=["eventName", "eventTime"]).json()
    assert page["total"] == 4
    assert page["rows"][0] == ["RunInstances", "2022-03-22T15:00:00Z"]
    groups = query(client, "ct", group_by=["eventName"], sort=["eventName"]).json()
    assert groups["rows"][0] == ["AssumeRole", 2]
