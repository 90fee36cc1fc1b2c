"""What the API refuses, always as the documented ``{"error": ...}`` JSON with a 4xx: deleting saved views,
offsets past the engines' 64-bit counts, mistyped view bodies (issue 19, items 3, 7 and 8)."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import TestClient, compare, view

from logsheet.workspace import Workspace

INT64 = 2**63


def error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"error", "position"} and isinstance(body["error"], str) and "\n" not in body["error"]
    return str(body["error"])


def test_a_saved_view_can_be_deleted(client: TestClient, ws: Workspace) -> None:
    for name in ("launches", "a/b", "naïve ☃"):
        assert client.post("/api/sheets/ct/views", json={"name": name, "query": view(search="ami-")}).status_code == 200
    assert client.delete("/api/sheets/ct/views/launches").json() == {"deleted": "launches"}
    assert client.delete("/api/sheets/ct/views/a%2Fb").json() == {"deleted": "a/b"}
    assert [v["name"] for v in client.get("/api/sheets/ct/views").json()] == ["naïve ☃"]
    assert ws.catalog.get_sheet("ct") is not None  # the sheet is untouched (the route is not DELETE /api/sheets/...)
    assert client.get("/api/sheets/ct").json()["rows"] == 60


def test_deleting_an_absent_view_is_a_404(client: TestClient) -> None:
    assert "no saved view named 'nope'" in error(client.delete("/api/sheets/ct/views/nope"), 404)
    assert "no sheet named 'nosuch'" in error(client.delete("/api/sheets/nosuch/views/x"), 404)
    assert client.get("/api/sheets/ct").status_code == 200


def test_a_view_that_breaks_listing_can_still_be_deleted(client: TestClient, ws: Workspace) -> None:
    """Issue 19 item 3: a stored view the API cannot serve any more (here: stored text that is not a view)
    must not make the sheet's views unreachable for good — it can be deleted."""
    record = ws.sheet("ct")
    ws.catalog.save_view(record.id, "broken", '{"version": 1, "where": ' + "[" * 300 + "]" * 300 + "}")
    assert client.delete("/api/sheets/ct/views/broken").json() == {"deleted": "broken"}
    assert client.get("/api/sheets/ct/views").json() == []


@pytest.mark.parametrize("offset", [INT64, INT64 - 1, 2**70, -1])
def test_offsets_past_int64_are_a_400(client: TestClient, offset: int) -> None:
    message = error(client.post("/api/sheets/ct/query", json={"offset": offset}), 400)
    assert "an offset is 0 to" in message and "Conversion" not in message
    assert "an offset is 0 to" in error(client.get(f"/api/sheets/ct/rejects?offset={offset}"), 400)


def test_the_largest_offset_is_an_empty_page(client: TestClient) -> None:
    from logsheet.workspace.facade import MAX_OFFSET

    page = client.post("/api/sheets/ct/query", json={"offset": MAX_OFFSET}).json()
    assert page["rows"] == [] and page["total"] == 60


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (view(compare(5, "=", 1)), "where.column: 5 is not a string"),  # type: ignore[arg-type]
        (view(sort=[{"column": "eventName", "descending": "false"}]), "sort[0].descending: 'false'"),
        (view(columns="id"), "columns: 'id' is not a list"),
        (view({"kind": "not", "child": None}), "where.child"),
        ({"version": 1, "steps": [{"kind": "extract_json", "name": "x", "path": None}]}, "steps[0]"),
    ],
)
def test_mistyped_views_are_400_json(client: TestClient, query: dict[str, Any], expected: str) -> None:
    for endpoint in ("query", "histogram", "export"):
        assert expected in error(client.post(f"/api/sheets/ct/{endpoint}", json={"query": query}), 400)
    assert expected in error(client.post("/api/sheets/ct/views", json={"name": "x", "query": query}), 400)
    assert client.get("/api/sheets/ct/views").json() == []


@pytest.mark.parametrize(
    "body",
    [{"columns": "id"}, {"sort": "id"}, {"limit": "ten"}, {"offset": None}, {"where": 5}, [1]],
)
def test_mistyped_spellings_are_422_json(client: TestClient, body: Any) -> None:
    error(client.post("/api/sheets/ct/query", json=body), 422)


def test_a_body_that_is_not_json_is_a_json_error(client: TestClient) -> None:
    for content in (b"not json", b"\xff\xfe", b""):
        response = client.post("/api/sheets/ct/query", content=content, headers={"content-type": "application/json"})
        assert response.status_code in (200, 422), response.text  # an empty body is no body: the whole sheet
        if response.status_code == 422:
            error(response, 422)


def test_a_stored_view_past_the_limits_is_listed_unreadable_and_deletable(client: TestClient, ws: Workspace) -> None:
    """Issue 19 item 3: a view nested 400 deep, stored before the IR's limits, made listing a sheet's views a
    500 for good. It is now listed with ``query: null`` and its error, the others still open, and it can go."""
    import json

    where: dict[str, Any] = compare("eventName", "=", "x")
    for _ in range(400):
        where = {"kind": "not", "item": where}
    ws.catalog.save_view(ws.sheet("ct").id, "deep", json.dumps(view(where)))
    client.post("/api/sheets/ct/views", json={"name": "fine", "query": view(search="ami-")})
    listed = client.get("/api/sheets/ct/views")
    assert listed.status_code == 200, listed.text
    deep, fine = listed.json()
    assert deep["name"] == "deep" and deep["query"] is None and "deep" in deep["error"]
    assert fine["query"]["search"] == "ami-" and "error" not in fine
    assert client.delete("/api/sheets/ct/views/deep").json() == {"deleted": "deep"}
    assert [v["name"] for v in client.get("/api/sheets/ct/views").json()] == ["fine"]
