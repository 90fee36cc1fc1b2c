"""Annotations listed per case and kept with exports and saved views, through the ASGI app: GET
/api/cases/{name}/annotations (every sheet of the case, oldest or newest first; 404 for an unknown case), the
export of a view that filters on the annotations (their columns come with it), and a saved view filtering on a
tag that re-opens with the rows tagged since."""

from __future__ import annotations

import csv
import io
from typing import Any

from api_helpers import HOSTILE, TestClient, compare, view


def annotate(client: TestClient, sheet: str, **body: Any) -> int:
    answer = client.post(f"/api/sheets/{sheet}/annotations", json=body)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["rows"])


def where(client: TestClient, text: str) -> dict[str, Any]:
    parsed = client.post("/api/filter/parse", json={"text": text})
    assert parsed.status_code == 200, parsed.text
    return parsed.json()["where"]  # type: ignore[no-any-return]


def test_a_cases_annotations_oldest_first_newest_first_and_only_its_sheets(client: TestClient) -> None:
    assert client.post("/api/cases", json={"name": "intrusion/1", "sheets": ["ct"]}).status_code == 200
    assert client.get("/api/cases/intrusion/1/annotations").json() == {"case": "intrusion/1", "annotations": []}
    assert annotate(client, "ct", query=view(compare("eventName", "=", "RunInstances")), action="star") == 12
    assert annotate(client, "hostile", query=view(compare("id", "=", 0)), action="comment", value=HOSTILE[0]) == 1
    assert annotate(client, "ct", query=view(compare("eventName", "=", "RunInstances")), action="tag", value="t1") == 12

    listed = client.get("/api/cases/intrusion/1/annotations").json()["annotations"]
    assert [a["kind"] for a in listed] == ["star"] * 12 + ["tag"] * 12  # not the hostile sheet's comment
    assert {a["sheet"] for a in listed} == {"ct"}
    assert set(listed[0]) == {"id", "sheet", "rowid", "kind", "value", "author", "created_at"}
    assert [a["id"] for a in listed] == sorted(a["id"] for a in listed)
    newest = client.get("/api/cases/intrusion/1/annotations", params={"order": "newest", "limit": 3}).json()
    assert [a["id"] for a in newest["annotations"]] == [a["id"] for a in listed[::-1][:3]]
    page = client.get("/api/cases/intrusion/1/annotations", params={"limit": 5, "offset": 20}).json()["annotations"]
    assert [a["id"] for a in page] == [a["id"] for a in listed[20:]]

    assert client.post("/api/cases/intrusion/1/sheets", json={"sheets": ["hostile"]}).status_code == 200
    joined = client.get("/api/cases/intrusion/1/annotations").json()["annotations"]
    assert joined[12]["sheet"] == "hostile" and joined[12]["value"] == HOSTILE[0]  # in the order they were made
    everyone = client.get("/api/cases/default/annotations").json()["annotations"]
    assert len(everyone) == 25

    assert client.delete("/api/cases/intrusion/1/sheets/hostile").status_code == 200
    assert {a["sheet"] for a in client.get("/api/cases/intrusion/1/annotations").json()["annotations"]} == {"ct"}
    kept = client.get("/api/sheets/hostile/annotations").json()["annotations"]
    assert [a["value"] for a in kept] == [HOSTILE[0]]  # out of the case, the sheet keeps its annotations


def test_an_unknown_case_and_bad_parameters(client: TestClient) -> None:
    unknown = client.get("/api/cases/nope/annotations")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "no case named 'nope'; cases: default"
    assert client.get("/api/cases/default/annotations", params={"order": "sideways"}).status_code == 422
    assert client.get("/api/cases/default/annotations", params={"limit": -1}).status_code == 422


def test_an_export_filtering_on_the_annotations_carries_their_columns(client: TestClient) -> None:
    assert annotate(client, "ct", query=view(compare("eventName", "=", "RunInstances")), action="star") == 12
    assert annotate(client, "ct", query=view(compare("eventName", "=", "RunInstances")), action="tag", value="t1") == 12
    export = client.post("/api/sheets/ct/export", json={"query": view(where(client, "starred")), "format": "csv"})
    assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 12 and {(r["eventName"], r["starred"], r["tags"]) for r in rows} == {("RunInstances", "true", "t1")}
    shown = view(columns=["eventName", "tags"])
    chosen = client.post("/api/sheets/ct/export", json={"query": shown, "format": "json"})
    assert chosen.status_code == 200, chosen.text
    records = chosen.json()
    assert len(records) == 60 and set(records[0]) == {"eventName", "tags"}
    assert sum(r["tags"] == "t1" for r in records) == 12


def test_a_saved_view_on_a_tag_reopens_with_the_rows_tagged_since(client: TestClient) -> None:
    tagged = view(where(client, "tag = 'x'"))
    assert client.post("/api/sheets/ct/views", json={"name": "tagged x", "query": tagged}).status_code == 200
    assert annotate(client, "ct", query=view(compare("eventName", "=", "RunInstances")), action="tag", value="x") == 12

    def reopened() -> int:
        saved = {v["name"]: v for v in client.get("/api/sheets/ct/views").json()}["tagged x"]
        answer = client.post("/api/sheets/ct/query", json={"query": saved["query"], "limit": 0})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["total"])

    assert reopened() == 12
    page = client.post("/api/sheets/ct/query", json={"query": view(compare("eventName", "!=", "RunInstances")), "limit": 5})
    assert annotate(client, "ct", rowids=page.json()["rowids"], action="tag", value="x") == 5
    assert reopened() == 17
    assert annotate(client, "ct", rowids=page.json()["rowids"][:2], action="untag", value="x") == 2
    assert reopened() == 15
