"""Annotations through the ASGI app: POST /api/sheets/{name}/annotations (a view, row ids, the actions),
GET /api/sheets/{name}/annotations, GET /api/annotations, DELETE /api/annotations/{id}; the grid's columns and
the filter terms that follow; hostile text stays text."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import HOSTILE, TestClient, compare, view


def annotate(client: TestClient, sheet: str = "ct", **body: Any) -> dict[str, Any]:
    answer = client.post(f"/api/sheets/{sheet}/annotations", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def total(client: TestClient, where: str, sheet: str = "ct") -> int:
    answer = client.post(f"/api/sheets/{sheet}/query", json={"where": where, "limit": 0})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def test_annotate_a_view_and_rows_then_filter_on_them(client: TestClient) -> None:
    run = view(compare("eventName", "=", "RunInstances"))
    assert annotate(client, query=run, action="star") == {"action": "star", "rows": 12}
    page = client.post("/api/sheets/ct/query", json={"query": view(), "limit": 3}).json()
    assert annotate(client, rowids=page["rowids"][:2], action="tag", value="ssh-bruteforce")["rows"] == 2
    assert annotate(client, rowids=page["rowids"][:1], action="comment", value="root here")["rows"] == 1
    assert total(client, "starred") == 12 and total(client, "tag = 'ssh-bruteforce'") == 2
    assert total(client, "comment contains 'root'") == 1
    names = [c["name"] for c in client.post("/api/sheets/ct/query", json={"limit": 1}).json()["columns"]]
    assert names[-3:] == ["starred", "tags", "comment"]
    listed = client.get("/api/sheets/ct/annotations").json()["annotations"]
    assert [a["kind"] for a in listed] == ["star"] * 12 + ["tag", "tag", "comment"]
    assert set(listed[0]) == {"id", "sheet", "rowid", "kind", "value", "author", "created_at"}
    assert client.get("/api/annotations", params={"sheet": ["hostile"]}).json() == {"annotations": []}
    assert len(client.get("/api/annotations", params={"limit": 5}).json()["annotations"]) == 5
    gone = client.delete(f"/api/annotations/{listed[-1]['id']}")
    assert gone.status_code == 200 and gone.json()["value"] == "root here"
    assert client.delete(f"/api/annotations/{listed[-1]['id']}").status_code == 404
    assert annotate(client, query=run, action="unstar")["rows"] == 12
    assert annotate(client, rowids=page["rowids"], action="untag", value="ssh-bruteforce")["rows"] == 2
    assert total(client, "starred or tag = 'ssh-bruteforce'") == 0


def test_hostile_comments_and_tags_stay_text(client: TestClient) -> None:
    for i, text in enumerate(HOSTILE[:4]):
        assert annotate(client, "hostile", query=view(compare("id", "=", i)), action="comment", value=text)["rows"] == 1
    page = client.post("/api/sheets/hostile/query", json={"columns": ["id", "comment"], "sort": ["id"]}).json()
    assert [r[1] for r in page["rows"][:4]] == HOSTILE[:4]
    export = client.post("/api/sheets/hostile/export", json={"query": view(columns=["comment"]), "format": "csv"})
    assert export.status_code == 200, export.text
    assert "'=HYPERLINK" in export.text and "'+1+1" in export.text  # CSV neutralises formulas like every value


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"action": "tag"}, 400, "tag needs value"),
        ({"action": "star", "value": "x"}, 400, "star takes no value"),
        ({"action": "tag", "value": "a,b"}, 400, "comma"),
        ({"action": "star", "rowids": [1]}, 404, "no row with id 1"),
        ({"action": "shout"}, 422, ""),
        ({"action": "star", "query": view(group={"keys": ["eventName"], "aggs": [{"fn": "count"}]})}, 400, "group-by"),
    ],
)
def test_refusals(client: TestClient, body: dict[str, Any], status: int, message: str) -> None:
    answer = client.post("/api/sheets/ct/annotations", json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"]


def test_unknown_sheet_is_a_404(client: TestClient) -> None:
    assert client.post("/api/sheets/nope/annotations", json={"action": "star"}).status_code == 404
    assert client.get("/api/sheets/nope/annotations").status_code == 404
    assert client.get("/api/annotations", params={"sheet": "nope"}).status_code == 404
