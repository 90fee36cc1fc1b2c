"""``POST /api/imports/s3`` through the ASGI app: an S3 import as a background job (in a child process), against
the local S3 server; bad requests refused with one sentence before any job starts."""

from __future__ import annotations

import time
import warnings
from typing import Any

from logsheet.api import create_app
from logsheet.workspace import Workspace
from s3_server import ACCOUNT, CountingMotoServer, days, delivery_key, put_deliveries

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DAYS = days(__import__("datetime").date(2022, 3, 21), 3)


def wait(client: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_an_s3_import_job_with_a_selection_then_new_deliveries(
    bucket: str, s3: Any, s3_server: CountingMotoServer, logsheet_home: Any
) -> None:
    keys = [delivery_key(d, r, i) for d in DAYS for r in ("us-east-1", "eu-west-1") for i in range(6)]
    put_deliveries(s3, bucket, keys, 5)
    ws = Workspace.open(logsheet_home)
    client = TestClient(create_app(ws))
    body = {
        "url": f"s3://{bucket}/",
        "sheet": "trail",
        "endpoint_url": s3_server.url,
        "accounts": [ACCOUNT],
        "regions": ["us-east-1"],
        "since": "2022-03-22",
        "until": "2022-03-23",
        "case": "ir",
    }
    answer = client.post("/api/imports/s3", json=body)
    assert answer.status_code == 200, answer.text
    state = wait(client, answer.json()["job"])
    assert state["state"] == "done", state
    assert state["s3"]["url"] == f"s3://{bucket}/" and state["s3"]["regions"] == ["us-east-1"]
    assert state["summary"]["rows"] == 2 * 6 * 5
    assert state["summary"]["s3"]["objects_imported"] == 12
    sources = client.get("/api/sheets/trail").json()["sources"]
    assert sorted(s["s3"]["key"] for s in sources) == sorted(k for k in keys if "us-east-1" in k and "/03/21/" not in k)
    assert "trail" in client.get("/api/cases/ir").json()["sheets"]
    # a sheet of other evidence is not appended to without append (409 before any job starts)
    (logsheet_home.parent / "local.ndjson").write_text('{"a": 1}\n', encoding="utf-8")
    ws.import_paths([logsheet_home.parent / "local.ndjson"], sheet="local")
    jobs = len(client.get("/api/jobs").json())
    refused = client.post("/api/imports/s3", json={**body, "sheet": "local"})
    assert refused.status_code == 409 and "append" in refused.json()["error"]
    assert len(client.get("/api/jobs").json()) == jobs
    # new deliveries: only they are read
    put_deliveries(s3, bucket, [delivery_key(DAYS[2], "us-east-1", 50)], 5, seed=99)
    again = client.post("/api/imports/s3", json={**body, "append": True})
    state = wait(client, again.json()["job"])
    assert state["state"] == "done" and state["summary"]["rows"] == 5, state
    assert state["summary"]["s3"]["objects_already_imported"] == 12


def test_bad_s3_requests_are_refused_in_one_sentence(logsheet_home: Any, s3_server: CountingMotoServer) -> None:
    client = TestClient(create_app(Workspace.open(logsheet_home)))
    cases = [
        ({"url": "https://example.com/x"}, "s3://BUCKET/PREFIX"),
        ({"url": "s3://ok-bucket/", "accounts": ["12"]}, "12-digit"),
        ({"url": "s3://ok-bucket/", "since": "soon"}, "2022-03-22"),
        ({"url": "s3://ok-bucket/", "format": "nope"}, "unknown format"),
        ({"url": "s3://ok-bucket/", "options": {"colour": "red"}}, "unknown import option"),
        ({"url": "s3://ok-bucket/", "endpoint_url": "ftp://x"}, "http://"),
    ]
    for body, words in cases:
        answer = client.post("/api/imports/s3", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert words in answer.json()["error"], (body, answer.json())
    assert client.get("/api/jobs").json() == []


def test_a_missing_bucket_fails_the_job_with_one_sentence(logsheet_home: Any, s3_server: CountingMotoServer) -> None:
    client = TestClient(create_app(Workspace.open(logsheet_home)))
    answer = client.post("/api/imports/s3", json={"url": "s3://not-a-bucket-of-ours/", "endpoint_url": s3_server.url})
    state = wait(client, answer.json()["job"])
    assert state["state"] == "failed"
    assert state["error"] == f"no bucket named 'not-a-bucket-of-ours' at {s3_server.url}"
    assert not (logsheet_home / "uploads" / state["id"]).exists()
