"""``GET /api/cases/{name}/report`` through the ASGI app: the report as a download (HTML and Markdown, with a
filename), saved views included with ``view=SHEET:VIEW``, hostile values escaped, and the refusals (unknown
case or view: 404, a bad format: 422, a bad view: 400), the server serving on after each."""

from __future__ import annotations

import hashlib
from pathlib import Path

from api_helpers import HOSTILE, TestClient

from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace


def test_the_report_is_a_download_in_both_formats(ws: Workspace, client: TestClient) -> None:
    ws.create_case("ir/1", ["ct", "hostile"])
    ws.annotate("hostile", build_query(where="id < 3"), star=True)
    ws.annotate("hostile", build_query(where="id = 0"), comment=HOSTILE[1])
    ws.save_view("hostile", "all", build_query(where="id >= 0"))
    answer = client.get("/api/cases/ir/1/report", params={"format": "html", "view": ["hostile:all"], "author": "<b>me</b>"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="report-ir_1.html"')
    text = answer.text
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "by &lt;b&gt;me&lt;/b&gt;" in text
    for value in HOSTILE[:2]:
        assert value not in text and value.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;") in text
    assert "<h3>hostile: all</h3>" in text
    for source in ws.summary("ct").sources + ws.summary("hostile").sources:
        assert hashlib.sha256(Path(source.path).read_bytes()).hexdigest() == source.sha256 and source.sha256 in text
    md = client.get("/api/cases/ir/1/report", params={"format": "md"})
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert 'filename="report-ir_1.md"' in md.headers["content-disposition"] and md.text.startswith("# Case report: ir/1\n")
    assert client.get("/api/cases/default/report").headers["content-type"].startswith("text/html")  # html by default


def test_refusals_and_the_server_serves_on(ws: Workspace, client: TestClient) -> None:
    assert client.get("/api/cases/nope/report").status_code == 404
    missing = client.get("/api/cases/default/report", params={"view": "ct:gone"})
    assert missing.status_code == 404 and "no saved view named 'gone'" in missing.json()["error"]
    assert client.get("/api/cases/default/report", params={"view": "no-colon"}).status_code == 400
    assert client.get("/api/cases/default/report", params={"format": "pdf"}).status_code == 422
    assert client.get("/api/cases/default").status_code == 200
