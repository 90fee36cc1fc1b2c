"""IOC lists through the ASGI app: POST /api/iocs (the file as the body), GET /api/iocs and /api/iocs/{name},
POST /api/iocs/match (each sheet with the filter showing its rows), DELETE, the `ioc` filter in a view's
JSON, and the refusals (404, 409, 413, 422)."""

from __future__ import annotations

from api_helpers import CT_RECORDS, TestClient, view

from logsheet.detect import iocs

IP = "10.0.1.1"  # ct_record(i) for i % 4 == 1


def test_import_list_match_and_query(client: TestClient) -> None:
    made = client.post("/api/iocs", params={"filename": "c:\\intel\\bad.txt"}, content=f"{IP}\n<b>x</b>\n".encode())
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["name"] == "bad" and body["indicators"] == 1 and body["rejects"][0]["text"] == "<b>x</b>"
    assert [x["name"] for x in client.get("/api/iocs").json()] == ["bad"]
    shown = client.get("/api/iocs/bad").json()
    assert shown["items"] == [{"kind": "ip", "value": IP, "line": 1}] and shown["sha256"]
    matched = client.post("/api/iocs/match", json={}).json()
    (ct,) = [m for m in matched if m["sheet"] == "ct"]
    assert ct["rows"] == CT_RECORDS // 4 and ct["values"] == [IP] and ct["where"] == {"kind": "ioc", "lists": [], "negate": False}
    page = client.post("/api/sheets/ct/query", json={"query": view(ct["where"]), "limit": 1}).json()
    assert page["total"] == CT_RECORDS // 4
    marked = {"version": 1, "steps": [{"kind": "mark_ioc"}], "where": {"kind": "ioc", "lists": ["bad"]}, "columns": ["ioc_lists"]}
    rows = client.post("/api/sheets/ct/query", json={"query": marked, "limit": 5}).json()["rows"]
    assert rows and all(r == ["bad"] for r in rows)
    findings = client.get("/api/findings").json()["findings"]
    assert any(f["rule"] == "ioc:bad" and f["sheet"] == "ct" for f in findings)
    assert client.delete("/api/iocs/bad").json() == {"deleted": "bad"}
    assert client.get("/api/iocs").json() == []


def test_refusals(client: TestClient) -> None:
    assert client.post("/api/iocs", params={"filename": "a.txt"}, content=b"1.2.3.4\n").status_code == 200
    again = client.post("/api/iocs", params={"filename": "a.txt"}, content=b"1.2.3.4\n")
    assert again.status_code == 409 and "--replace" in again.json()["error"]
    assert client.post("/api/iocs", params={"filename": "a.txt", "replace": "true"}, content=b"5.6.7.8\n").status_code == 200
    assert client.post("/api/iocs", content=b"1.2.3.4").status_code == 422  # no filename
    assert client.post("/api/iocs", params={"filename": "w.txt"}, content=b"words only\n").status_code == 400
    assert client.post("/api/iocs", params={"filename": "k.txt", "kind": "colour"}, content=b"x\n").status_code == 400
    big = client.post("/api/iocs", params={"filename": "big.txt"}, content=b"1" * (iocs.MAX_BYTES + 1))
    assert big.status_code == 413
    assert client.get("/api/iocs/nope").status_code == 404
    assert client.delete("/api/iocs/nope").status_code == 404
    assert client.post("/api/iocs/match", json={"lists": ["nope"]}).status_code == 404
    assert client.post("/api/iocs/match", json={"case": "nope"}).status_code == 404
    query = {"version": 1, "where": {"kind": "ioc", "lists": ["nope"]}}
    assert client.post("/api/sheets/ct/query", json={"query": query}).status_code == 404
