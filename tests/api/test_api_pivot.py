"""The pivot through the ASGI app: /api/cases/{name}/pivot and /api/pivot (the default case), each sheet's
``where`` a filter that shows its rows, and the documented refusals."""

from __future__ import annotations

from api_helpers import CT_RECORDS, TestClient, view

IP = "10.0.1.1"  # ct_record(i) for i % 4 == 1: 15 odd records, so user1 and its key


def test_pivot_on_a_case_and_on_the_default_case(client: TestClient) -> None:
    assert client.post("/api/cases", json={"name": "inc/1", "sheets": ["ct"]}).status_code == 200
    answer = client.get("/api/cases/inc/1/pivot", params={"value": IP})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["value"] == IP and body["kind"] == "ip" and body["case"] == "inc/1" and body["anywhere"] is False
    (sheet,) = body["sheets"]
    assert {k: sheet[k] for k in ("sheet", "rows", "first_seen", "last_seen")} == {
        "sheet": "ct",
        "rows": CT_RECORDS // 4,
        "first_seen": "2022-03-22T15:00:01Z",
        "last_seen": "2022-03-22T15:00:57Z",
    }
    page = client.post("/api/sheets/ct/query", json={"query": view(sheet["where"]), "limit": 1}).json()
    assert page["total"] == CT_RECORDS // 4
    related = body["related"]
    assert related["access_key"] == [{"value": "AKIA0000000000000001", "rows": 15}]
    assert {r["value"] for r in related["user"]} == {"arn:aws:iam::111122223333:user/user1", "user1"}
    assert client.get("/api/pivot", params={"value": IP}).json()["case"] == "default"
    anywhere = client.get("/api/pivot", params={"value": "user1", "anywhere": "true", "top": 1}).json()
    assert anywhere["anywhere"] is True and anywhere["sheets"][0]["rows"] == CT_RECORDS // 2
    assert all(len(items) == 1 for items in anywhere["related"].values())


def test_pivot_refusals(client: TestClient) -> None:
    assert client.get("/api/cases/nope/pivot", params={"value": IP}).status_code == 404
    assert client.get("/api/pivot").status_code == 422
    assert client.get("/api/pivot", params={"value": "  "}).status_code == 400
    assert client.get("/api/pivot", params={"value": IP, "top": 0}).status_code == 422
    assert client.get("/api/pivot", params={"value": "x" * 1001}).status_code == 422
