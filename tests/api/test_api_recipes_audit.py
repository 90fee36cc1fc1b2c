"""Recipes and the audit trail through the ASGI app: POST /api/sheets/{name}/recipe (of the body's view or a
saved view), POST /api/sheets/{name}/recipe/apply (the view checked, columns mapped, saved), GET /api/audit
(of a case) and GET /api/audit/verify, with the refusals."""

from __future__ import annotations

import json

from api_helpers import CT_RECORDS, TestClient, compare, view

RUN = compare("eventName", "=", "RunInstances")


def test_a_recipe_written_and_applied_through_the_api(client: TestClient) -> None:
    made = client.post("/api/sheets/ct/recipe", json={"query": view(RUN)})
    assert made.status_code == 200, made.text
    recipe = made.json()
    assert recipe["logsheet_recipe"] == 1 and recipe["from"]["columns"] == ["eventName"]
    assert set(recipe["sql"]) == {"duckdb", "spark", "trino"}
    applied = client.post("/api/sheets/ct/recipe/apply", json={"recipe": recipe, "save_as": "launches"}).json()
    assert applied["rows"] == CT_RECORDS // 5 and applied["saved_as"] == "launches"
    saved = client.post("/api/sheets/ct/recipe", json={"saved": "launches"}).json()
    assert saved["query"] == recipe["query"] and saved["name"] == "launches"
    refused = client.post("/api/sheets/hostile/recipe/apply", json={"recipe": recipe})
    assert refused.status_code == 400 and "which sheet 'hostile' does not have" in refused.json()["error"]
    assert client.post("/api/sheets/ct/recipe/apply", json={"recipe": {"a": 1}}).status_code == 400
    assert client.post("/api/sheets/ct/recipe", json={"saved": "nope"}).status_code == 404
    assert client.post("/api/sheets/nope/recipe", json={}).status_code == 404


def test_the_audit_through_the_api(client: TestClient) -> None:
    client.post("/api/sheets/ct/views", json={"name": "v", "query": view(RUN)})
    client.post("/api/sheets/ct/annotations", json={"action": "tag", "value": "<script>x</script>", "query": view(RUN)})
    entries = client.get("/api/audit").json()["entries"]
    assert [e["action"] for e in entries][-2:] == ["save view", "tag"]
    assert entries[-1]["detail"]["value"] == "<script>x</script>" and entries[-1]["detail"]["rows"] == CT_RECORDS // 5
    assert client.post("/api/cases", json={"name": "ir", "sheets": ["ct"]}).status_code == 200
    mine = client.get("/api/audit", params={"case": "ir"}).json()["entries"]
    assert mine and all("ct" in e["sheets"] or "ir" in e["cases"] for e in mine)
    assert len(client.get("/api/audit", params={"limit": 1}).json()["entries"]) == 1
    assert client.get("/api/audit", params={"case": "nope"}).status_code == 404
    verdict = client.get("/api/audit/verify").json()
    assert verdict["ok"] is True and verdict["entries"] == len(client.get("/api/audit").json()["entries"])
    ws = client.app.state.ws  # type: ignore[attr-defined]
    path = ws.root / "audit.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["user"] = "someone else"
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    broken = client.get("/api/audit/verify").json()
    assert broken["ok"] is False and broken["line"] == 1 and "edited" in broken["reason"]
