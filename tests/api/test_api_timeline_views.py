"""Saved timeline views and annotations from the timeline through the ASGI app: GET/POST
/api/cases/{name}/timeline/views, DELETE .../views/{view}, and POST .../timeline/annotations (rows of a view
or timeline rows by id, annotated in their own sheets), with their error statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient, make_client, view

from logsheet.workspace import Workspace
from timeline_fixtures import build_case

NOTES = {"kind": "compare", "column": "sheet", "op": "=", "value": "notes", "case_sensitive": True}


@pytest.fixture
def client(logsheet_home: Path, inputs: Path) -> TestClient:
    ws = Workspace.open(logsheet_home)
    build_case(ws, inputs)
    return make_client(ws)


def test_save_list_open_and_delete_a_timeline_view(client: TestClient) -> None:
    saved = client.post("/api/cases/ir/timeline/views", json={"name": "notes only", "query": view(NOTES)})
    assert saved.status_code == 200, saved.text
    assert [v["name"] for v in saved.json()] == ["notes only"]
    listed = client.get("/api/cases/ir/timeline/views").json()
    query = listed[0]["query"]
    assert query["where"]["value"] == "notes" and listed[0]["created_at"]
    page = client.post("/api/cases/ir/timeline/query", json={"query": query, "limit": 1}).json()
    assert page["total"] == 10
    assert client.get("/api/cases/default/timeline/views").json() == []
    gone = client.delete("/api/cases/ir/timeline/views/notes only")
    assert gone.status_code == 200 and gone.json() == {"deleted": "notes only"}
    assert client.get("/api/cases/ir/timeline/views").json() == []
    assert client.delete("/api/cases/ir/timeline/views/notes only").status_code == 404


def test_refusals_of_saved_views(client: TestClient) -> None:
    bad = {"kind": "compare", "column": "nope", "op": "=", "value": "x", "case_sensitive": True}
    assert client.post("/api/cases/ir/timeline/views", json={"name": "bad", "query": view(bad)}).status_code == 400
    assert client.post("/api/cases/ir/timeline/views", json={"name": " ", "query": view()}).status_code == 400
    assert client.post("/api/cases/nocase/timeline/views", json={"name": "x", "query": view()}).status_code == 404
    assert client.get("/api/cases/nocase/timeline/views").status_code == 404


def test_annotate_a_timeline_row_by_its_id_in_its_sheet(client: TestClient) -> None:
    page = client.post("/api/cases/ir/timeline/query", json={"query": view(NOTES), "limit": 5}).json()
    rowid = page["rowids"][4]
    answer = client.post("/api/cases/ir/timeline/annotations", json={"rowids": [rowid], "action": "star"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"action": "star", "rows": 1, "sheets": {"notes": 1}}
    starred = client.post("/api/sheets/notes/query", json={"where": "starred", "columns": ["msg"]}).json()
    assert starred["rows"] == [["note 4"]] and starred["rowids"] == [rowid]
    assert client.post("/api/sheets/secure/query", json={"where": "starred", "limit": 0}).json()["total"] == 0
    missing = client.post("/api/cases/ir/timeline/annotations", json={"rowids": [2**40], "action": "star"})
    assert missing.status_code == 404


def test_tag_a_whole_timeline_view_and_untag_it(client: TestClient) -> None:
    body = {"query": view(NOTES), "action": "tag", "value": "reviewed"}
    answer = client.post("/api/cases/ir/timeline/annotations", json=body)
    assert answer.status_code == 200 and answer.json()["sheets"] == {"notes": 10}
    assert client.post("/api/sheets/notes/query", json={"where": "tag = 'reviewed'", "limit": 0}).json()["total"] == 10
    undo = client.post("/api/cases/ir/timeline/annotations", json={**body, "action": "untag"})
    assert undo.json() == {"action": "untag", "rows": 10, "sheets": {"notes": 10}}
    comment = {"query": view(NOTES), "rowids": [], "action": "comment", "value": "x"}
    assert client.post("/api/cases/ir/timeline/annotations", json=comment).json()["rows"] == 0
    assert client.post("/api/cases/ir/timeline/annotations", json={"action": "tag"}).status_code == 400
    assert client.post("/api/cases/ir/timeline/annotations", json={"action": "uncomment"}).status_code == 400
    group = {"keys": ["sheet"], "aggs": [{"fn": "count", "column": "", "name": ""}]}
    grouped = client.post("/api/cases/ir/timeline/annotations", json={"query": view(group=group), "action": "star"})
    assert grouped.status_code == 400 and "without a group-by" in grouped.text
