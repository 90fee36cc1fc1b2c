"""Formula columns through the ASGI app: the step travels in the view's JSON (query, preview, saved views),
``POST /api/formula/check`` answers the type or the error's position, and bad formulas never stop the server."""

from __future__ import annotations

from api_helpers import TestClient

from logsheet.core import ir

FLAG = "errorMessage is not blank and userAgent contains 'aws-cli'"


def view(*steps: dict[str, object], **rest: object) -> dict[str, object]:
    return ir.query_to_json(ir.query_from_json({"steps": list(steps), **rest}))


def test_formula_step_in_a_query(client: TestClient) -> None:
    body = {
        "query": view(
            {"kind": "formula", "name": "flag", "expression": FLAG},
            where={"kind": "compare", "column": "flag", "op": "=", "value": True},
            columns=["eventName", "flag"],
        )
    }
    page = client.post("/api/sheets/ct/query", json=body).json()
    assert page["total"] == 1
    assert page["columns"][-1] == {"name": "flag", "type": "boolean"}
    assert page["rows"][0][-1] is True


def test_formula_step_groups(client: TestClient) -> None:
    steps = [
        {
            "kind": "formula",
            "name": "net",
            "expression": "ip_network(sourceIPAddress, 24) & ' ' & upper(json_get(requestParameters, 'bucketName'))",
        }
    ]
    body = {"query": view(*steps, group={"keys": ["net"], "aggs": [{"fn": "count"}]}, sort=[{"column": "net"}]), "limit": 100}
    page = client.post("/api/sheets/ct/query", json=body).json()
    groups = {row[0]: row[1] for row in page["rows"]}
    assert len(groups) == 12 and sum(groups.values()) == 60
    assert groups["10.0.0.0/24 BUCKET-0"] == 5  # i % 4 == 0 and i % 3 == 0: i % 12 == 0


def test_check_answers_type_canonical_text_and_tree(client: TestClient) -> None:
    answer = client.post(
        "/api/formula/check", json={"text": "ERRORMESSAGE IS NOT BLANK AND contains(userAgent, 'aws-cli')", "sheet": "ct"}
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["type"] == "boolean"
    assert data["expression"] == "ERRORMESSAGE is not blank and userAgent contains 'aws-cli'"
    assert data["tree"]["kind"] == "call" and data["tree"]["fn"] == "and"
    assert client.post("/api/formula/check", json={"text": "1 +  2"}).json() == {
        "expression": "1 + 2",
        "tree": {"kind": "call", "fn": "add", "args": [{"kind": "lit", "value": 1}, {"kind": "lit", "value": 2}]},
        "type": None,
    }


def test_check_sees_the_columns_of_earlier_steps(client: TestClient) -> None:
    query = view({"kind": "formula", "name": "hour_of", "expression": "hour(eventTime)"})
    data = client.post("/api/formula/check", json={"text": "hour_of * 60", "sheet": "ct", "query": query}).json()
    assert data["type"] == "integer"


def test_check_errors_carry_the_position(client: TestClient) -> None:
    for text, position, words in [
        ("lower(userAgnt)", 6, "unknown column 'userAgnt'"),
        ("eventName + 1", 0, "must be a number"),
        ("if(true, 1", 10, "')'"),
        ("userAgent contains", 18, "ends too early"),
    ]:
        answer = client.post("/api/formula/check", json={"text": text, "sheet": "ct"})
        assert answer.status_code == 400, text
        data = answer.json()
        assert data["position"] == position, (text, data)
        assert words in data["error"]
    assert client.post("/api/sheets/ct/query", json={}).status_code == 200  # the server keeps serving


def test_preview_of_a_bad_formula_is_a_400_with_position(client: TestClient) -> None:
    step = {"kind": "formula", "name": "x", "expression": "upper(eventName) * 2"}
    answer = client.post("/api/sheets/ct/preview", json={"step": step, "limit": 3})
    assert answer.status_code == 400
    assert answer.json()["position"] == 0
    good = client.post("/api/sheets/ct/preview", json={"step": {**step, "expression": "upper(eventName)"}, "limit": 3}).json()
    assert good["new_columns"] == ["x"]


def test_saved_view_keeps_formula_find_replace_and_url_steps(client: TestClient) -> None:
    query = view(
        {"kind": "formula", "name": "flag", "expression": FLAG},
        {
            "kind": "find_replace",
            "column": "userAgent",
            "find": "aws-cli/(\\S+)",
            "replace": "cli \\1",
            "regex": True,
            "name": "agent",
        },
        {"kind": "url_parts", "column": "eventSource", "parts": ["host", "domain"]},
    )
    assert client.post("/api/sheets/ct/views", json={"name": "tools", "query": query}).status_code == 200
    saved = next(v for v in client.get("/api/sheets/ct/views").json() if v["name"] == "tools")
    assert saved["query"] == query
    page = client.post(
        "/api/sheets/ct/query", json={"query": {**query, "columns": ["agent", "eventSource.domain"]}, "limit": 1}
    ).json()
    assert page["rows"][0] == ["cli 2.4.0 Python/3.8.8", "amazonaws.com"]


def test_malformed_steps_are_refused_with_their_path(client: TestClient) -> None:
    answer = client.post("/api/sheets/ct/query", json={"query": {"steps": [{"kind": "formula", "name": "x"}]}})
    assert answer.status_code == 400
    assert "steps[0].expression" in answer.json()["error"]
