"""The gate: the access token (header, query, the page's cookie), cross-site refusal, the Host check against
DNS rebinding, the response headers, and the bind rule of ``logsheet serve``."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient, make_client, view

from logsheet.api import run, security
from logsheet.core.errors import LogsheetError
from logsheet.workspace import Workspace

TOKEN = "s3cret token;with=odd chars"
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)


@pytest.fixture
def static(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>logsheet</title><script src=/assets/app.js></script>")
    (folder / "assets" / "app.js").write_text("console.log('hi')")
    return folder


def test_token_required_everywhere(ws: Workspace, static: Path) -> None:
    client = make_client(ws, token=TOKEN, static_dir=static)
    for path in ("/api/sheets", "/api/jobs", "/openapi.json", "/", "/sheets/ct", "/assets/app.js"):
        response = client.get(path)
        assert response.status_code == 401 and response.json() == {"error": "an access token is required"}, path
        assert response.headers["content-security-policy"] == CSP
    assert client.post("/api/sheets/ct/query", json={}).status_code == 401
    assert client.get("/api/sheets", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/sheets", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/api/sheets", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200
    assert client.get("/api/sheets", headers={"X-Logsheet-Token": TOKEN}).status_code == 200
    assert client.get("/api/sheets", params={"token": TOKEN}).status_code == 200
    query = client.post("/api/sheets/ct/query", json={"query": view()}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert query.status_code == 200 and query.json()["total"] == 60


def test_page_opened_with_the_token_loads_its_assets(ws: Workspace, static: Path) -> None:
    client = make_client(ws, token=TOKEN, static_dir=static)
    page = client.get("/", params={"token": TOKEN})
    assert page.status_code == 200 and "<title>logsheet</title>" in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{security.COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert TOKEN not in cookie and "s3cret" not in cookie  # a value derived from the token, not the token
    # the browser now sends the cookie: the page's script loads, a reload of a sheet page works
    assert client.get("/assets/app.js").status_code == 200
    assert client.get("/sheets/ct").status_code == 200
    assert "set-cookie" not in client.get("/sheets/ct", params={"token": TOKEN}).headers  # already set
    client.cookies.clear()
    client.cookies.set(security.COOKIE, "forged")
    assert client.get("/assets/app.js").status_code == 401


def test_cross_site_requests_are_refused(client: TestClient) -> None:
    body = {"query": view()}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    ):
        for method, path in (("POST", "/api/sheets/ct/query"), ("DELETE", "/api/sheets/ct"), ("PATCH", "/api/sheets/ct")):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (method, headers)
            assert response.json() == {"error": "cross-site request refused"}
        assert client.post("/api/uploads", files=[("files", ("a.json", b"{}"))], headers=headers).status_code == 403
        assert client.post("/api/queries/x/cancel", headers=headers).status_code == 403
    assert client.get("/api/sheets/ct").status_code == 200  # the refused requests changed nothing
    for headers in ({"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin"}, {}):
        assert client.post("/api/sheets/ct/query", json=body, headers=headers).status_code == 200, headers
    # reading is not a state change (a cross-site page cannot read the answer anyway)
    assert client.get("/api/sheets", headers={"Origin": "http://evil.example"}).status_code == 200


def test_host_check_against_dns_rebinding(ws: Workspace) -> None:
    client = make_client(ws, allowed_hosts=security.loopback_hosts("127.0.0.1"))
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "127.0.0.1"):
        assert client.get("/api/sheets", headers={"Host": host}).status_code == 200, host
    refused = client.get("/api/sheets", headers={"Host": "evil.example:8765"})
    assert refused.status_code == 403 and "Host" in refused.json()["error"]


def test_security_headers_on_every_answer(client: TestClient) -> None:
    for response in (
        client.get("/api/sheets"),
        client.get("/"),
        client.get("/api/sheets/nope"),
        client.post("/api/sheets/ct/query", json={"limit": "x"}),
        client.get("/no/such/file.js"),
    ):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert client.get("/api/sheets").headers["cache-control"] == "no-store"


def test_bind_rule(ws: Workspace) -> None:
    with pytest.raises(LogsheetError, match="refusing to serve on 0.0.0.0 without an access token"):
        run(ws, "0.0.0.0", 8765, None)
    with pytest.raises(LogsheetError, match="without an access token"):
        run(ws, "192.168.1.10", 8765, "")
    security.check_bind("127.0.0.1", None)
    security.check_bind("::1", None)
    security.check_bind("0.0.0.0", "t" * security.MIN_TOKEN)
    assert security.host_name("[::1]:8765") == "::1" and security.host_name("LocalHost:1") == "localhost"
    assert security.host_name("::1") == "::1"
