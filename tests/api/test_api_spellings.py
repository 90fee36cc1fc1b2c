"""The CLI's spellings of a view over the API (``where`` in the filter language, ``sort`` as ``-column``,
``group_by`` with ``aggs`` as ``fn:column``), the errors each spelling gives as JSON, and sheet names that need
quoting in the URL. (Views as IR JSON are in test_api_query.py; tokens and origins in test_api_security.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from api_helpers import TestClient, make_client

from fixtures import write_ndjson
from logsheet.api import is_loopback
from logsheet.workspace import Workspace

ROWS = [
    {"k": i, "v": f"x{i % 2}", "t": f"2022-03-22T15:00:0{i}Z", "note": "Failed password" if i == 3 else "ok"} for i in range(5)
]


@pytest.fixture
def ws(logsheet_home: Path, inputs: Path) -> Workspace:
    """Sheets ``a`` (five rows) and ``bad`` (one good row, one reject)."""
    workspace = Workspace.open(logsheet_home)
    workspace.import_paths([write_ndjson(inputs / "a.ndjson", ROWS)], sheet="a")
    bad = inputs / "bad.ndjson"
    bad.write_text('{"k": 1}\nnope\n')
    workspace.import_paths([bad], sheet="bad")
    return workspace


@pytest.fixture
def client(ws: Workspace) -> TestClient:
    return make_client(ws)


def query(client: TestClient, sheet: str = "a", **body: Any) -> Any:
    return client.post(f"/api/sheets/{quote(sheet, safe='')}/query", json=body)


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


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.com")
