"""A case's timeline through the ASGI app: /api/cases/{name}/timeline/query, /histogram and /export, with the
sheets left out, and the error statuses of docs/api.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_helpers import TestClient, make_client, view

from logsheet.workspace import Workspace
from timeline_fixtures import build_case


@pytest.fixture
def client(logsheet_home: Path, inputs: Path) -> TestClient:
    ws = Workspace.open(logsheet_home)
    build_case(ws, inputs)
    return make_client(ws)


def test_a_page_of_the_timeline_oldest_first(client: TestClient) -> None:
    answer = client.post("/api/cases/ir/timeline/query", json={"limit": 1000})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    names = [c["name"] for c in body["columns"]]
    assert names[:3] == ["time", "sheet", "summary"] and "source_rowid" in names
    assert body["sheets"] == ["notes", "secure", "trail"] and body["case"] == "ir"
    assert body["left_out"] == [{"sheet": "plain", "reason": "it has no time column"}]
    times = [r[0] for r in body["rows"]]
    assert times == sorted(times) and body["total"] == len(body["rows"]) == len(set(body["rowids"]))
    assert [str(r[names.index("source_rowid")]) for r in body["rows"]] == [str(i) for i in body["rowids"]]


def test_the_spellings_and_the_ir_filter_the_timeline(client: TestClient) -> None:
    spelt = client.post("/api/cases/ir/timeline/query", json={"where": "sheet = 'notes'", "sort": ["-time"], "limit": 3})
    assert spelt.status_code == 200, spelt.text
    assert [r[2] for r in spelt.json()["rows"]] == ["note 9 · ana", "note 8 · ana", "note 7 · ana"]
    where = {"kind": "compare", "column": "sheet", "op": "=", "value": "notes", "case_sensitive": True}
    ir_view = client.post("/api/cases/ir/timeline/query", json={"query": view(where), "limit": 1})
    assert ir_view.status_code == 200 and ir_view.json()["total"] == 10


def test_the_histogram_is_stacked_by_sheet(client: TestClient) -> None:
    answer = client.post("/api/cases/ir/timeline/histogram", json={"buckets": 30})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    stacked = [sum(s["counts"][i] for s in body["sheets"]) for i in range(len(body["buckets"]))]
    assert stacked == [b["count"] for b in body["buckets"]] and {s["sheet"] for s in body["sheets"]} == {
        "notes",
        "secure",
        "trail",
    }


def test_the_export_downloads_the_view(client: TestClient) -> None:
    answer = client.post("/api/cases/ir/timeline/export", json={"format": "ndjson", "query": None})
    assert answer.status_code == 200, answer.text
    assert "ir-timeline.ndjson" in answer.headers["content-disposition"]
    rows = [json.loads(line) for line in answer.text.splitlines()]
    assert rows and list(rows[0])[:3] == ["time", "sheet", "summary"]


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/cases/nope/timeline/query", {}, 404, "no case named 'nope'"),
        ("/api/cases/ir/timeline/query", {"where": "eventName = 'x'"}, 400, "unknown column 'eventName'"),
        ("/api/cases/ir/timeline/query", {"where": "sheet ="}, 400, ""),
        ("/api/cases/ir/timeline/query", {"finding": "abc"}, 400, "takes no finding"),
        ("/api/cases/ir/timeline/query", {"limit": 10_001}, 400, "a page holds 0 to"),
        ("/api/cases/ir/timeline/histogram", {"column": "t"}, 400, "over its time column"),
        ("/api/cases/ir/timeline/export", {"format": "xlsx"}, 400, "cannot export as 'xlsx'"),
    ],
)
def test_refusals(client: TestClient, path: str, body: dict[str, object], status: int, words: str) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"]
