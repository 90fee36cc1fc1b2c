"""The front end's files: ``/`` and ``/sheets/{name}`` answer index.html, other paths the build's files (only
from inside the build folder), and a short page when the front end is not built."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from api_helpers import make_client

from logsheet.workspace import Workspace


def built(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>logsheet</title>")
    (folder / "assets" / "index-1a2b.js").write_text("export {}")
    (folder / "assets" / "index-1a2b.css").write_text("body{}")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return folder


def test_pages_answer_index_html(ws: Workspace, tmp_path: Path) -> None:
    client = make_client(ws, static_dir=built(tmp_path))
    for path in ("/", "/sheets/ct", "/sheets/" + quote("a/b <c>", safe=""), "/sheets/nope", "/cases/default", "/cases/a%2Fb"):
        response = client.get(path)
        assert response.status_code == 200 and response.text == "<!doctype html><title>logsheet</title>", path
        assert response.headers["content-type"].startswith("text/html") and response.headers["cache-control"] == "no-cache"


def test_build_files(ws: Workspace, tmp_path: Path) -> None:
    client = make_client(ws, static_dir=built(tmp_path))
    script = client.get("/assets/index-1a2b.js")
    assert script.status_code == 200 and script.text == "export {}"
    assert "javascript" in script.headers["content-type"] and "immutable" in script.headers["cache-control"]
    assert client.get("/assets/index-1a2b.css").headers["content-type"].startswith("text/css")
    assert client.get("/favicon.svg").headers["content-type"].startswith("image/svg+xml")
    for path in ("/assets/missing.js", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/api/unknown"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"error": "nothing at this address"}, path


def test_not_built(ws: Workspace, tmp_path: Path) -> None:
    client = make_client(ws, static_dir=tmp_path / "no-build")
    page = client.get("/")
    assert page.status_code == 200 and "not built" in page.text and "scripts/setup.sh" in page.text
    assert client.get("/sheets/ct").status_code == 200
    assert client.get("/api/sheets").status_code == 200
