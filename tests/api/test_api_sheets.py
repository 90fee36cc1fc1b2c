"""Sheets over the API: list, describe, rename, delete, saved views, rejects, exports, and hostile values that
stay plain JSON strings."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import pyarrow.parquet as pq
from api_helpers import CT_RECORDS, HOSTILE, TestClient, compare, view

from logsheet.workspace import Workspace


def test_list_sheets_for_the_files_page(client: TestClient) -> None:
    sheets = client.get("/api/sheets").json()
    assert [s["name"] for s in sheets] == ["ct", "hostile"]
    ct = sheets[0]
    assert ct["format"] == "cloudtrail" and ct["rows"] == CT_RECORDS and ct["time_column"] == "eventTime"
    assert ct["sources"] == 1 and ct["rejected"] == 0 and ct["duplicates_removed"] == 0 and ct["bytes"] > 0
    assert {"name": "eventName", "type": "text"} in ct["columns"]
    assert ct["created_at"].endswith("Z") and ct["updated_at"].endswith("Z")


def test_sheet_info_has_sources_with_hashes(client: TestClient) -> None:
    info = client.get("/api/sheets/ct").json()
    assert info["rows"] == CT_RECORDS and len(info["sources"]) == 1
    source = info["sources"][0]
    assert len(source["sha256"]) == 64 and source["rows_kept"] == CT_RECORDS
    assert info["imports"]


def test_rename(client: TestClient) -> None:
    response = client.patch("/api/sheets/ct", json={"name": "cloud trail/2022 é"})
    assert response.status_code == 200 and response.json()["name"] == "cloud trail/2022 é"
    assert client.get("/api/sheets/" + quote("cloud trail/2022 é", safe="")).json()["rows"] == CT_RECORDS
    assert client.get("/api/sheets/ct").status_code == 404
    taken = client.patch("/api/sheets/hostile", json={"name": "cloud trail/2022 é"})
    assert taken.status_code == 409 and "already exists" in taken.json()["error"]
    assert client.patch("/api/sheets/nope", json={"name": "x"}).status_code == 404
    assert client.patch("/api/sheets/hostile", json={"name": "a\nb"}).status_code == 400
    assert client.patch("/api/sheets/hostile", json={"name": "hostile"}).status_code == 200  # to itself: no change


def test_delete(client: TestClient, ws: Workspace) -> None:
    directory = ws.root / ws.sheet("hostile").directory
    assert client.delete("/api/sheets/hostile").json() == {"deleted": "hostile"}
    assert not directory.exists()
    assert [s["name"] for s in client.get("/api/sheets").json()] == ["ct"]
    assert client.delete("/api/sheets/hostile").status_code == 404


def test_views_saved_and_listed(client: TestClient) -> None:
    assert client.get("/api/sheets/ct/views").json() == []
    runs = view(compare("eventName", "=", "RunInstances"), sort=[{"column": "eventTime", "descending": True}])
    saved = client.post("/api/sheets/ct/views", json={"name": "launches", "query": runs})
    assert saved.status_code == 200
    assert [(v["name"], v["query"]) for v in saved.json()] == [("launches", runs)]
    client.post("/api/sheets/ct/views", json={"name": "all", "query": view()})
    again = client.post("/api/sheets/ct/views", json={"name": "launches", "query": view(search="ami-")}).json()
    assert [v["name"] for v in again] == ["all", "launches"]  # saving under a taken name replaces that view
    listed = client.get("/api/sheets/ct/views").json()
    assert listed == again and listed[1]["query"]["search"] == "ami-" and listed[1]["created_at"].endswith("Z")
    # the saved view is a view the query endpoint takes as is
    page = client.post("/api/sheets/ct/query", json={"query": saved.json()[0]["query"]}).json()
    assert page["total"] == CT_RECORDS // 5


def test_bad_views_are_refused(client: TestClient) -> None:
    unknown_column = client.post("/api/sheets/ct/views", json={"name": "x", "query": view(compare("nope", "=", 1))})
    assert unknown_column.status_code == 400 and "unknown column 'nope'" in unknown_column.json()["error"]
    assert client.post("/api/sheets/ct/views", json={"name": " ", "query": view()}).status_code == 400
    assert client.post("/api/sheets/ct/views", json={"query": view()}).status_code == 422
    assert client.post("/api/sheets/nope/views", json={"name": "x", "query": view()}).status_code == 404
    assert client.get("/api/sheets/ct/views").json() == []


def test_rejects_page(ws: Workspace, client: TestClient, inputs: Path) -> None:
    bad = inputs / "bad.ndjson"
    bad.write_text('{"k": 1}\nnot json\n{"k": 2}\nstill not\n')
    ws.import_paths([bad], sheet="bad")
    page = client.get("/api/sheets/bad/rejects", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 1
    assert [c["name"] for c in page["columns"]] == ["source", "position", "reason", "raw"]
    assert page["rows"][0][1] == 4 and page["rows"][0][3] == "still not"
    assert client.get("/api/sheets/ct/rejects").json()["total"] == 0
    assert client.get("/api/sheets/bad/rejects", params={"limit": -1}).status_code == 400


def test_hostile_values_stay_plain_json_strings(client: TestClient) -> None:
    response = client.post("/api/sheets/hostile/query", json={"query": view(columns=["value"], sort=[{"column": "id"}])})
    assert response.headers["content-type"] == "application/json"
    assert [row[0] for row in response.json()["rows"]] == HOSTILE
    assert '"<img src=x onerror=alert(1)>"' in response.text  # a JSON string, the same characters, nothing else
    grouped = client.post(
        "/api/sheets/hostile/query", json={"query": view(group={"keys": ["value"], "aggs": [{"fn": "count"}]})}
    ).json()
    assert sorted(row[0] for row in grouped["rows"]) == sorted(HOSTILE)


def test_export_csv_neutralises_formulas(client: TestClient) -> None:
    response = client.post("/api/sheets/hostile/export", json={"query": view(sort=[{"column": "id"}]), "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == "attachment; filename=\"hostile.csv\"; filename*=UTF-8''hostile.csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "value", "t"]
    values = [r[1] for r in rows[1:]]
    assert values[:2] == HOSTILE[:2]
    assert values[2:6] == ["'" + v for v in HOSTILE[2:6]]  # = + - @ are prefixed with a quote
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(len(HOSTILE))]  # numbers are not touched


def test_export_json_ndjson_parquet(client: TestClient, tmp_path: Path) -> None:
    runs = view(compare("eventName", "=", "RunInstances"), columns=["eventName", "sourceIPAddress", "eventTime"])
    as_json = client.post("/api/sheets/ct/export", json={"query": runs, "format": "json"})
    assert as_json.headers["content-disposition"].startswith('attachment; filename="ct.json"')
    records = json.loads(as_json.text)
    assert len(records) == CT_RECORDS // 5 and records[0] == {
        "eventName": "RunInstances",
        "sourceIPAddress": "10.0.0.1",
        "eventTime": "2022-03-22T15:00:00Z",
    }
    lines = client.post("/api/sheets/ct/export", json={"query": runs, "format": "ndjson"}).text.splitlines()
    assert [json.loads(line) for line in lines] == records
    parquet = client.post("/api/sheets/ct/export", json={"query": runs, "format": "parquet"})
    (tmp_path / "x.parquet").write_bytes(parquet.content)
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.num_rows == CT_RECORDS // 5 and table.column_names == ["eventName", "sourceIPAddress", "eventTime"]


def test_export_of_a_group_and_errors(client: TestClient, ws: Workspace) -> None:
    grouped = view(
        group={"keys": ["eventName"], "aggs": [{"fn": "count", "column": "", "name": "n"}]}, sort=[{"column": "eventName"}]
    )
    text = client.post("/api/sheets/ct/export", json={"query": grouped, "format": "csv"}).text
    assert text.splitlines()[:2] == ["eventName,n", "AssumeRole,12"]
    assert client.post("/api/sheets/ct/export", json={"format": "xlsx"}).status_code == 400
    assert client.post("/api/sheets/ct/export", json={"query": view(compare("nope", "=", 1))}).status_code == 400
    assert client.post("/api/sheets/nope/export", json={}).status_code == 404
    assert not list((ws.root / "tmp").glob("export-*"))  # temporary files are removed after the download


def test_export_name_is_safe_in_the_header(client: TestClient) -> None:
    client.patch("/api/sheets/hostile", json={"name": 'a"b;c é'})
    response = client.post("/api/sheets/" + quote('a"b;c é', safe="") + "/export", json={"format": "csv"})
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"a_b_c__.csv\"; filename*=UTF-8''a%22b%3Bc%20%C3%A9.csv"
    )
