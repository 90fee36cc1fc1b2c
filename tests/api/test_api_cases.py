"""Cases through the ASGI app: /api/cases (list, create, show, rename, delete, add and remove sheets) and
/api/findings?case=, with the documented error statuses."""

from __future__ import annotations

from pathlib import Path

from api_helpers import TestClient, make_client, wait_for_job

from detect_fixtures import write_secure
from logsheet.workspace import Workspace


def listing(client: TestClient) -> dict[str, list[str]]:
    answer = client.get("/api/cases")
    assert answer.status_code == 200, answer.text
    return {c["name"]: c["sheets"] for c in answer.json()}


def test_cases_end_to_end(client: TestClient) -> None:
    assert listing(client) == {"default": ["ct", "hostile"]}
    made = client.post("/api/cases", json={"name": "intrusion/1", "sheets": ["hostile"]})
    assert made.status_code == 200, made.text
    assert made.json()["name"] == "intrusion/1" and made.json()["sheets"] == ["hostile"] and made.json()["default"] is False
    added = client.post("/api/cases/intrusion/1/sheets", json={"sheets": ["ct", "hostile"]})
    assert added.status_code == 200 and added.json()["sheets"] == ["ct", "hostile"]
    assert client.get("/api/cases/intrusion/1").json()["sheets"] == ["ct", "hostile"]
    removed = client.delete("/api/cases/intrusion/1/sheets/hostile")
    assert removed.status_code == 200 and removed.json()["sheets"] == ["ct"]
    renamed = client.patch("/api/cases/intrusion/1", json={"name": "intrusion"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "intrusion"
    assert listing(client) == {"default": ["ct", "hostile"], "intrusion": ["ct"]}
    # renaming and deleting sheets keeps the membership right
    assert client.patch("/api/sheets/ct", json={"name": "cloudtrail"}).status_code == 200
    assert listing(client) == {"default": ["cloudtrail", "hostile"], "intrusion": ["cloudtrail"]}
    assert client.delete("/api/sheets/cloudtrail").status_code == 200
    assert listing(client) == {"default": ["hostile"], "intrusion": []}
    assert client.delete("/api/cases/intrusion").json() == {"deleted": "intrusion"}
    assert listing(client) == {"default": ["hostile"]}


def test_errors_have_their_status_and_shape(client: TestClient) -> None:
    assert client.post("/api/cases", json={"name": "taken"}).status_code == 200
    expected = [
        (client.post("/api/cases", json={"name": "taken"}), 409, "a case named 'taken' already exists"),
        (client.post("/api/cases", json={"name": "x", "sheets": ["nosuch"]}), 404, "no sheet named 'nosuch'"),
        (client.post("/api/cases", json={"name": "  "}), 400, "a case needs a name"),
        (client.get("/api/cases/nope"), 404, "no case named 'nope'"),
        (client.patch("/api/cases/taken", json={"name": "default"}), 409, "a case named 'default' already exists"),
        (client.patch("/api/cases/default", json={"name": "mine"}), 400, "the default case keeps its name"),
        (client.delete("/api/cases/default"), 400, "the default case 'default' cannot be deleted"),
        (client.delete("/api/cases/nope"), 404, "no case named 'nope'"),
        (client.delete("/api/cases/taken/sheets/ct"), 404, "case 'taken' does not hold a sheet named 'ct'"),
        (client.post("/api/cases/taken/sheets", json={"sheets": ["nosuch"]}), 404, "no sheet named 'nosuch'"),
        (client.post("/api/cases/nope/sheets", json={"sheets": ["ct"]}), 404, "no case named 'nope'"),
        (client.get("/api/findings", params={"case": "nope"}), 404, "no case named 'nope'"),
    ]
    for answer, status, message in expected:
        assert answer.status_code == status, (answer.status_code, answer.text)
        assert message in answer.json()["error"], answer.json()
    empty = client.post("/api/cases/taken/sheets", json={"sheets": []})
    assert empty.status_code == 422 and "sheets" in empty.json()["error"]
    assert listing(client) == {"default": ["ct", "hostile"], "taken": []}


def test_findings_of_a_case(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "home")
    secure = write_secure(tmp_path)
    ws.import_paths([secure], sheet="web1", case="breach")
    ws.import_paths([secure], sheet="web2")
    client = make_client(ws)
    assert client.post("/api/sheets/web1/rules/run").status_code == 200
    assert client.post("/api/sheets/web2/rules/run").status_code == 200
    every = client.get("/api/findings").json()["findings"]
    in_case = client.get("/api/findings", params={"case": "breach"}).json()["findings"]
    assert {f["sheet"] for f in every} == {"web1", "web2"}
    assert in_case and in_case == [f for f in every if f["sheet"] == "web1"]


def test_an_upload_into_a_case(client: TestClient) -> None:
    rows = b'{"n": 1}\n{"n": 2}\n'
    sent = client.post("/api/uploads", data={"sheet": "up", "case": "uploads"}, files=[("files", ("rows.ndjson", rows))])
    assert sent.status_code == 200, sent.text
    final = wait_for_job(client, sent.json()["job"])
    assert final["state"] == "done" and final["case"] == "uploads", final
    assert listing(client) == {"default": ["ct", "hostile", "up"], "uploads": ["up"]}
    refused = client.post("/api/uploads?sheet=up2&case=%07", files=[("files", ("rows.ndjson", rows))])
    assert refused.status_code == 400 and refused.json()["error"] == "a case name cannot contain control characters"
    assert "up2" not in listing(client)["default"]


def test_the_cases_routes_are_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/cases"]) == {"get", "post"}
    assert set(paths["/api/cases/{name}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/cases/{name}/sheets"]) == {"post"}
    assert set(paths["/api/cases/{name}/sheets/{sheet}"]) == {"delete"}
