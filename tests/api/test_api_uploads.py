"""Uploads: several files (plain, gz, zip) streamed to disk under generated names, imported by a background
job with progress and a summary; hostile file names; the size limit (413); conflicts (409); bad bodies."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from api_helpers import TestClient, make_client, view, wait_for_job

from fixtures import ct_record, ndjson_bytes
from logsheet.api import uploads
from logsheet.api.jobs import Job
from logsheet.workspace import Workspace

HOSTILE_NAMES = ["../../x.json", "<script>alert(1)</script>.json", "..\\..\\win.json", "/etc/passwd", ".hidden.ndjson"]


def ct_document(first: int, count: int) -> bytes:
    return json.dumps({"Records": [ct_record(i) for i in range(first, first + count)]}).encode()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client: TestClient, files: list[tuple[str, bytes]], **fields: Any) -> Any:
    form = {k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()}
    return client.post("/api/uploads", data=form, files=[("files", (name, data)) for name, data in files])


def test_upload_several_files_with_progress_and_summary(client: TestClient, ws: Workspace) -> None:
    files = [
        ("part-1.json", ct_document(0, 10)),
        ("part-2.json.gz", gzip.compress(ct_document(10, 10))),
        ("more.zip", zipped({"a/part-3.json": ct_document(20, 10), "b/part-4.json.gz": gzip.compress(ct_document(30, 5))})),
        ("dup.json", ct_document(0, 3)),  # delivered twice: removed as duplicates
    ]
    response = upload(client, files, sheet="trail")
    assert response.status_code == 200
    job_id = response.json()["job"]
    states: list[dict[str, Any]] = []
    final = wait_for_job(client, job_id, seen=states.append)
    assert final["state"] == "done" and final["phase"] == "done" and final["progress"] == 1.0 and final["error"] is None
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress)  # never goes back
    assert [(f["name"], f["bytes"], f["received"]) for f in final["files"]] == [(n, len(d), len(d)) for n, d in files]
    summary = final["summary"]
    assert summary["sheet"] == "trail" and summary["format"] == "cloudtrail"
    assert summary["rows"] == 35 and summary["duplicates_removed"] == 3 and summary["rejected"] == 0
    assert len(summary["sources"]) == 5  # two plain files, two zip members, the duplicate file
    # the evidence is kept, under the job's folder, hashed in the sheet's sources
    folder = ws.root / "uploads" / job_id
    for entry in final["files"]:
        stored = folder / entry["stored"]
        assert stored.is_file() and stored.stat().st_size == entry["bytes"]
    sources = {Path(s["path"]).name: s["sha256"] for s in client.get("/api/sheets/trail").json()["sources"] if not s["container"]}
    for name, data in files:
        if not name.endswith(".zip"):
            stored_name = next(f["stored"] for f in final["files"] if f["name"] == name)
            assert sources[stored_name] == hashlib.sha256(data).hexdigest()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [(f["name"], f["stored"]) for f in manifest["files"]] == [(f["name"], f["stored"]) for f in final["files"]]
    # the sheet is there and queryable
    page = client.post("/api/sheets/trail/query", json={"query": view(), "limit": 1}).json()
    assert page["total"] == 35
    assert client.get("/api/jobs").json()[0]["id"] == job_id


def test_hostile_file_names_are_stored_under_safe_names(client: TestClient, ws: Workspace, tmp_path: Path) -> None:
    files = [(name, ndjson_bytes([{"n": i, "v": "<img src=x onerror=alert(1)>"}])) for i, name in enumerate(HOSTILE_NAMES)]
    final = wait_for_job(client, upload(client, files, sheet="odd").json()["job"])
    assert final["state"] == "done", final
    folder = (ws.root / "uploads" / final["id"]).resolve()
    stored = [f["stored"] for f in final["files"]]
    assert stored == ["f0001-x.json", "f0002-script.json", "f0003-win.json", "f0004-passwd", "f0005-hidden.ndjson"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*stored, "manifest.json"])
    assert [f["name"] for f in final["files"]] == HOSTILE_NAMES  # kept as display text only
    assert not (tmp_path / "x.json").exists() and not (ws.root / "x.json").exists() and not (ws.root.parent / "x.json").exists()
    rows = client.post("/api/sheets/odd/query", json={"query": view(columns=["v"])}).json()["rows"]
    assert rows == [["<img src=x onerror=alert(1)>"]] * 5


def test_sheet_name_defaults_to_the_first_file(client: TestClient) -> None:
    final = wait_for_job(client, upload(client, [("../evil/<b>logs.ndjson", ndjson_bytes([{"a": 1}]))]).json()["job"])
    assert final["sheet"] == "<b>logs" and final["summary"]["sheet"] == "<b>logs"
    assert "<b>logs" in [s["name"] for s in client.get("/api/sheets").json()]


def test_append_and_format_override(client: TestClient) -> None:
    taken = upload(client, [("a.ndjson", ndjson_bytes([{"id": 99}]))], sheet="hostile")
    assert taken.status_code == 409 and "already exists" in taken.json()["error"]
    appended = wait_for_job(
        client, upload(client, [("a.ndjson", ndjson_bytes([{"id": 99}]))], sheet="hostile", append=True).json()["job"]
    )
    assert appended["state"] == "done" and appended["summary"]["appended"] is True
    assert client.get("/api/sheets/hostile").json()["rows"] == 8
    as_text = wait_for_job(
        client, upload(client, [("a.ndjson", b'{"x": 1}\n{"x": 2}\n')], sheet="lines", format="text").json()["job"]
    )
    assert as_text["summary"]["format"] == "text" and as_text["summary"]["rows"] == 2


def test_fields_in_the_query_string_are_checked_before_the_body(client: TestClient, ws: Workspace) -> None:
    response = client.post("/api/uploads", params={"sheet": "ct"}, files=[("files", ("a.ndjson", ndjson_bytes([{"a": 1}])))])
    assert response.status_code == 409
    unknown = client.post("/api/uploads", params={"format": "evtx"}, files=[("files", ("a.bin", b"x"))])
    assert unknown.status_code == 400 and "unknown format 'evtx'" in unknown.json()["error"]
    failed = [j for j in client.get("/api/jobs").json() if j["state"] == "failed"]
    assert len(failed) == 2 and not any((ws.root / "uploads" / j["id"]).exists() for j in failed)


def test_size_limit_is_413_and_leaves_nothing(ws: Workspace) -> None:
    client = make_client(ws, max_upload_bytes=1000)
    files = [("a.ndjson", ndjson_bytes([{"n": i} for i in range(50)])), ("b.ndjson", ndjson_bytes([{"n": i} for i in range(60)]))]
    assert sum(len(d) for _, d in files) > 1000
    response = upload(client, files, sheet="big")
    assert response.status_code == 413 and "limit of 1,000 bytes" in response.json()["error"]
    job = client.get("/api/jobs").json()[0]
    assert job["state"] == "failed" and not (ws.root / "uploads" / job["id"]).exists()
    assert "big" not in [s["name"] for s in client.get("/api/sheets").json()]
    # a declared length far over the limit is refused before reading the body
    huge = upload(client, [("c.ndjson", b"x" * (2 << 20))])
    assert huge.status_code == 413 and len(client.get("/api/jobs").json()) == 1
    # under the limit, fine
    assert upload(client, [("d.ndjson", ndjson_bytes([{"n": 1}]))], sheet="small").status_code == 200


def test_the_limit_comes_from_the_environment(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGSHEET_MAX_UPLOAD_BYTES", "10")
    assert upload(make_client(ws), [("a.ndjson", b'{"a": 12345}\n')]).status_code == 413


def test_bad_uploads(client: TestClient) -> None:
    assert client.post("/api/uploads", json={"files": []}).status_code == 400
    no_files = client.post("/api/uploads", data={"sheet": "x"}, files=[("files", ("", b""))])
    assert no_files.status_code == 400 and "no files" in no_files.json()["error"]
    broken = client.post(
        "/api/uploads",
        content=b'--b\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nxx--nope',
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert broken.status_code == 400 and "ended before" in broken.json()["error"]  # truncated: not a file
    bad_name = upload(client, [("a.ndjson", b"{}\n")], sheet="a\tb")
    assert bad_name.status_code == 400 and "control characters" in bad_name.json()["error"]


def test_a_failed_import_is_a_failed_job(client: TestClient, ws: Workspace) -> None:
    final = wait_for_job(client, upload(client, [("empty.json", b"")], sheet="empty").json()["job"])
    assert final["state"] == "failed" and final["error"] and final["summary"] is None
    assert not (ws.root / "uploads" / final["id"]).exists()  # no sheet refers to these files
    assert client.get("/api/jobs/nope").status_code == 404


def post_in_chunks(app: Any, path: str, body: bytes, content_type: str, chunk: int = 1 << 16) -> tuple[int, Any]:
    """POST through the ASGI interface as a server does: the body in pieces of ``chunk`` bytes."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        piece = pieces.pop(0) if pieces else b""
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [
        (b"host", b"127.0.0.1:8765"),
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 8765),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    anyio.run(app, scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


def test_files_stream_to_disk_in_bounded_pieces(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    pending: list[int] = []
    flush = uploads.Receiver.flush

    def watched(self: uploads.Receiver) -> None:
        pending.append(sum(len(v) for op, v in self._ops if op == "data"))
        flush(self)

    monkeypatch.setattr(uploads.Receiver, "flush", watched)
    data = ndjson_bytes({"n": i, "pad": "x" * 200} for i in range(30_000))  # about 6.5 MB
    boundary = "logsheet-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="sheet"\r\n\r\nbig\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.ndjson"\r\n'
            "Content-Type: application/x-ndjson\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    client = make_client(ws)
    status, answer = post_in_chunks(client.app, "/api/uploads", body, f"multipart/form-data; boundary={boundary}")
    assert status == 200, answer
    final = wait_for_job(client, answer["job"])
    assert final["state"] == "done" and final["files"][0]["bytes"] == len(data) and final["summary"]["rows"] == 30_000
    assert len(pending) > 3 and max(pending) <= uploads.FLUSH_BYTES + (1 << 16)


def test_job_progress_is_monotonic(tmp_path: Path) -> None:
    job = Job("j", tmp_path)
    for phase, done, total in [("discovering", 0, 1), ("reading", 0, 1), ("writing", 50, 100), ("reading", 0, 1), ("done", 1, 1)]:
        before = job.progress
        job.report(phase, done, total)
        assert job.progress >= before
    assert job.progress == 1.0 and job.to_json()["phase"] == "done"


def test_an_upload_names_its_encoding(client: TestClient, ws: Workspace) -> None:
    """``encoding`` (form or query string) is the CLI's --encoding: it wins over the per-file choice; an unknown
    one is a 400 before anything is imported."""
    data = "who,where\nJosé,Zürich\nnaïve,Ærø\n".encode("cp1252")
    response = upload(client, [("people.csv", data)], sheet="people", encoding="cp1252")
    assert response.status_code == 200, response.text
    assert wait_for_job(client, response.json()["job"])["state"] == "done"
    page = ws.query("people")
    assert [tuple(r) for r in page.rows] == [("José", "Zürich"), ("naïve", "Ærø")]
    bad = upload(client, [("people.csv", data)], sheet="people2", encoding="klingon")
    assert bad.status_code == 400 and "unknown encoding 'klingon'" in bad.json()["error"]
    early = client.post("/api/uploads?sheet=people3&encoding=klingon", files=[("files", ("p.csv", data))])
    assert early.status_code == 400 and "unknown encoding" in early.json()["error"]
    assert not {"people2", "people3"} & {s.name for s in ws.sheets()}
