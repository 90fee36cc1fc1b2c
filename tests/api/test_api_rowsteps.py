"""Row steps and pivot tables through the ASGI app: views with dedupe, split-to-rows and explode steps (IR JSON in
the query body) paged by /query, the pivot table (JSON and the CSV file, formulas neutralised), the fields of a
JSON array's elements, and the refusals as 400s with the server still serving."""

from __future__ import annotations

import csv
import io
from typing import Any

from api_helpers import CT_RECORDS, TestClient, compare, view

from fixtures import EVENT_NAMES

EXPLODE = {"kind": "explode", "path": "requestParameters.instancesSet.items", "fields": ["imageId"]}


def page(client: TestClient, query: dict[str, Any], limit: int = 100, offset: int = 0, sheet: str = "ct") -> dict[str, Any]:
    answer = client.post(f"/api/sheets/{sheet}/query", json={"query": query, "limit": limit, "offset": offset})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_view_with_row_steps_pages_with_its_rows_ids(client: TestClient) -> None:
    steps = [EXPLODE, {"kind": "split_rows", "column": "eventName", "delimiter": "s"}]
    query = view(
        steps=steps, columns=["eventID", "items.imageId", "eventName"], sort=[{"column": "eventTime", "descending": True}]
    )
    whole = page(client, query, 500)
    assert whole["total"] == len(whole["rows"]) > CT_RECORDS
    assert whole["rows"][0][1] == f"ami-{CT_RECORDS - 1:08x}"
    parts: list[Any] = []
    for offset in range(0, whole["total"], 17):
        parts += page(client, query, 17, offset)["rows"]
    assert parts == whole["rows"]
    by_event: dict[str, set[int]] = {}
    for row, rowid in zip(whole["rows"], whole["rowids"]):
        by_event.setdefault(row[0], set()).add(rowid)
    assert all(len(ids) == 1 for ids in by_event.values()) and len(by_event) == CT_RECORDS  # each part keeps its row's id


def test_dedupe_in_a_view(client: TestClient) -> None:
    query = view(
        steps=[{"kind": "dedupe", "keys": ["eventName", "userIdentity.userName"], "keep": "last"}],
        columns=["eventName", "userIdentity.userName", "duplicates"],
        sort=[{"column": "eventName", "descending": False}],
    )
    body = page(client, query)
    assert body["total"] == len({(i % len(EVENT_NAMES), i % 2) for i in range(CT_RECORDS)})
    assert sum(r[2] for r in body["rows"]) == CT_RECORDS


def test_pivot_table_json_and_csv(client: TestClient) -> None:
    pivot = {"rows": ["eventName"], "columns": "sourceIPAddress", "agg": {"fn": "count"}, "top": 3}
    answer = client.post("/api/sheets/ct/pivot-table", json={"pivot": pivot})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["columns"]) == 3 and body["other"] is True and body["total"] == CT_RECORDS
    assert sum(body["column_totals"]) == CT_RECORDS
    assert all(sum(r["cells"]) == r["total"] for r in body["table"])
    filtered = client.post(
        "/api/sheets/ct/pivot-table", json={"pivot": pivot, "query": view(where=compare("sourceIPAddress", "=", "10.0.1.1"))}
    ).json()
    assert filtered["columns"] == ["10.0.1.1"] and filtered["total"] == CT_RECORDS // 4
    csv_answer = client.post("/api/sheets/ct/pivot-table", json={"pivot": pivot, "format": "csv"})
    assert csv_answer.status_code == 200 and csv_answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_answer.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(csv_answer.text)))
    assert lines[0][0] == "eventName" and lines[-1][0] == "total" and lines[-1][-1] == str(CT_RECORDS)


def test_pivot_table_csv_of_hostile_values_is_neutralised(client: TestClient) -> None:
    pivot = {"rows": ["value"], "columns": "id", "top": 2}
    text = client.post("/api/sheets/hostile/pivot-table", json={"pivot": pivot, "format": "csv"}).text
    keys = [line[0] for line in csv.reader(io.StringIO(text))][1:-1]
    assert '\'=HYPERLINK("http://evil.example","click")' in keys and "'+1+1" in keys and "'@SUM(A1:A2)" in keys


def test_element_fields(client: TestClient) -> None:
    answer = client.post("/api/sheets/ct/element-fields", json={"path": "requestParameters.instancesSet.items"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"path": "requestParameters.instancesSet.items", "fields": ["imageId"]}


def test_refusals_are_400s_and_the_server_keeps_serving(client: TestClient) -> None:
    bad = [
        ("/api/sheets/ct/query", {"query": view(steps=[{"kind": "dedupe", "keys": []}])}, "at least one key"),
        ("/api/sheets/ct/query", {"query": view(steps=[{"kind": "explode", "path": "nope"}])}, "unknown column 'nope'"),
        ("/api/sheets/ct/query", {"query": view(steps=[{"kind": "split_rows", "column": "eventName"}])}, "delimiter"),
        ("/api/sheets/ct/pivot-table", {"pivot": {"rows": ["eventName"], "columns": "eventName"}}, "both a row and the column"),
        ("/api/sheets/ct/pivot-table", {"pivot": {"rows": ["eventName"], "columns": "x", "top": "9"}}, "pivot.top"),
        ("/api/sheets/ct/pivot-table", {"pivot": {"rows": ["eventName"], "columns": "awsRegion", "bogus": 1}}, "bogus"),
    ]
    for path, body, message in bad:
        answer = client.post(path, json=body)
        assert answer.status_code == 400, (path, answer.text)
        assert message in answer.json()["error"], answer.text
    assert page(client, view())["total"] == CT_RECORDS


def test_the_openapi_document_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/sheets/{name}/pivot-table" in paths and "/api/sheets/{name}/element-fields" in paths
