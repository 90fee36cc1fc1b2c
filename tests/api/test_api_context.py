"""GET /api/sheets/{name}/rows/{rowid}/context: the rows around one row in time, through the ASGI app."""

from __future__ import annotations

from typing import Any

import pytest
from api_helpers import CT_RECORDS, TestClient, compare, view

from fixtures import ct_record


def _rowids_in_time_order(client: TestClient) -> list[int]:
    body = view(sort=[{"column": "eventTime", "descending": False}])
    page = client.post("/api/sheets/ct/query", json={"query": body, "limit": 100}).json()
    return list(page["rowids"])


def _column(body: dict[str, Any], name: str) -> list[Any]:
    at = [c["name"] for c in body["columns"]].index(name)
    return [row[at] for row in body["rows"]]


def test_context_holds_the_rows_around_the_row_in_time(client: TestClient) -> None:
    ids = _rowids_in_time_order(client)
    assert len(ids) == CT_RECORDS
    answer = client.get(f"/api/sheets/ct/rows/{ids[30]}/context", params={"before": 3, "after": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["rowids"] == ids[27:33] and body["index"] == 3 and (body["before"], body["after"]) == (3, 2)
    assert body["order_by"] == "eventTime" and body["rowid"] == ids[30]
    assert _column(body, "eventID")[3] == ct_record(30)["eventID"]
    times = _column(body, "eventTime")
    assert times == sorted(times) and all(t.endswith("Z") for t in times)


def test_the_default_is_ten_each_side_and_the_ends_are_short(client: TestClient) -> None:
    ids = _rowids_in_time_order(client)
    body = client.get(f"/api/sheets/ct/rows/{ids[20]}/context").json()
    assert body["rowids"] == ids[10:31]
    first = client.get(f"/api/sheets/ct/rows/{ids[0]}/context", params={"before": 50, "after": 1}).json()
    assert first["rowids"] == ids[:2] and first["index"] == 0 and first["before"] == 0
    last = client.get(f"/api/sheets/ct/rows/{ids[-1]}/context", params={"before": 1, "after": 50}).json()
    assert last["rowids"] == ids[-2:] and last["after"] == 0


def test_an_unknown_row_is_404_in_the_error_shape(client: TestClient) -> None:
    answer = client.get("/api/sheets/ct/rows/987654321/context")
    assert answer.status_code == 404
    assert answer.json() == {"error": "sheet 'ct' has no row 987654321"}
    huge = client.get(f"/api/sheets/ct/rows/{2**127}/context")  # past any 64-bit row id: not the engine's error
    assert huge.status_code == 404 and huge.json() == {"error": f"sheet 'ct' has no row {2**127}"}
    missing = client.get("/api/sheets/nope/rows/1/context")
    assert missing.status_code == 404 and "no sheet named 'nope'" in missing.json()["error"]


@pytest.mark.parametrize(("params", "status"), [({"before": -1}, 400), ({"after": 1001}, 400), ({"before": "x"}, 422)])
def test_bad_counts_are_refused(client: TestClient, params: dict[str, Any], status: int) -> None:
    ids = _rowids_in_time_order(client)
    answer = client.get(f"/api/sheets/ct/rows/{ids[0]}/context", params=params)
    assert answer.status_code == status and set(answer.json()) == {"error"}


def test_a_rowid_that_is_not_a_number_is_422(client: TestClient) -> None:
    answer = client.get("/api/sheets/ct/rows/abc/context")
    assert answer.status_code == 422 and set(answer.json()) == {"error"}


def test_hostile_values_come_back_as_json_strings(client: TestClient) -> None:
    page = client.post("/api/sheets/hostile/query", json={"query": view(compare("id", "=", 0)), "limit": 1}).json()
    body = client.get(f"/api/sheets/hostile/rows/{page['rowids'][0]}/context", params={"before": 0, "after": 0}).json()
    assert _column(body, "value") == ["<img src=x onerror=alert(1)>"]
