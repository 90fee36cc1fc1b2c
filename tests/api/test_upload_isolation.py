"""Uploads are imported in a child process, so no upload can take the server down: a child that dies (here
killed through the worker's documented test hook, or by the test through the job's pid) fails its job with
its signal and leaves no sheet, and the server keeps serving; a cancelled job kills its child; a gzip bomb is
refused per file while the server's memory stays where it was; and the upload folders a killed server left
are swept when the next server starts, while finished uploads (the evidence) stay."""

from __future__ import annotations

import gzip
import io
import os
import resource
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from api_helpers import TestClient, make_client, wait_for_job
from test_api_uploads import upload, zipped

from fixtures import ndjson_bytes
from logsheet.api import import_worker
from logsheet.api.jobs import Jobs
from logsheet.workspace import Workspace, housekeeping

ROWS = [{"n": i, "msg": f"event {i}"} for i in range(200)]
DIED = "the import process ended unexpectedly (signal 9, SIGKILL); nothing of this upload was imported"


def sheet_names(client: TestClient) -> list[str]:
    response = client.get("/api/sheets")
    assert response.status_code == 200
    return [s["name"] for s in response.json()]


def assert_serving_and_uploads_work(client: TestClient, sheet: str) -> None:
    """The next request and the next upload succeed."""
    assert client.get("/api/sheets/ct").json()["rows"] == 60
    final = wait_for_job(client, upload(client, [("again.ndjson", ndjson_bytes(ROWS))], sheet=sheet).json()["job"])
    assert final["state"] == "done", final
    assert final["summary"]["rows"] == len(ROWS) and client.get(f"/api/sheets/{sheet}").json()["rows"] == len(ROWS)


@pytest.mark.parametrize("when", ["at-start", "at-reading"])
def test_a_killed_import_child_fails_its_job_and_the_server_goes_on(
    client: TestClient, ws: Workspace, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    monkeypatch.setenv(import_worker.TEST_KILL_ENV, when)
    states: list[dict[str, Any]] = []
    files = [("doomed.ndjson", ndjson_bytes(ROWS)), ("more.zip", zipped({"m/a.ndjson": ndjson_bytes(ROWS)}))]
    job_id = upload(client, files, sheet="doomed").json()["job"]
    final = wait_for_job(client, job_id, seen=states.append)
    assert final["state"] == "failed" and final["error"] == DIED and final["summary"] is None
    if when == "at-reading":
        assert final["phase"] == "reading"  # it got that far: files hashed, the zip extracted into staging
    assert "doomed" not in sheet_names(client)
    assert ws.catalog.get_sheet("doomed") is None and not (ws.root / "uploads" / final["id"]).exists()
    monkeypatch.delenv(import_worker.TEST_KILL_ENV)
    assert_serving_and_uploads_work(client, "doomed")
    # the dead child's staging folder is swept by the next workspace that opens
    Workspace.open(ws.root)
    assert not any((ws.root / "staging").iterdir())


def test_a_child_killed_from_outside_fails_its_job(client: TestClient, ws: Workspace) -> None:
    jobs: Jobs = client.app.state.jobs  # type: ignore[attr-defined]
    big = ndjson_bytes({"n": i, "pad": "x" * 100} for i in range(300_000))  # a few seconds of import
    job_id = upload(client, [("big.ndjson", big)], sheet="big").json()["job"]
    deadline = time.monotonic() + 30
    while (child := jobs.get(job_id).child) is None or jobs.get(job_id).phase not in ("reading", "writing"):
        assert time.monotonic() < deadline and jobs.get(job_id).state != "done", "the import never got going"
        time.sleep(0.01)
    assert child.pid != os.getpid()
    os.kill(child.pid, signal.SIGKILL)
    final = wait_for_job(client, job_id)
    assert final["state"] == "failed" and final["error"] == DIED
    assert "big" not in sheet_names(client)
    assert_serving_and_uploads_work(client, "big")


def test_cancelling_a_job_kills_its_child(client: TestClient, ws: Workspace) -> None:
    jobs: Jobs = client.app.state.jobs  # type: ignore[attr-defined]
    big = ndjson_bytes({"n": i, "pad": "x" * 100} for i in range(300_000))
    job_id = upload(client, [("big.ndjson", big)], sheet="big").json()["job"]
    deadline = time.monotonic() + 30
    while (child := jobs.get(job_id).child) is None or jobs.get(job_id).phase not in ("reading", "writing"):
        assert time.monotonic() < deadline and jobs.get(job_id).state != "done", "the import never got going"
        time.sleep(0.01)
    assert client.post(f"/api/jobs/{job_id}/cancel").json() == {"cancelled": True}
    final = wait_for_job(client, job_id)
    assert final["state"] == "failed" and final["error"] == "the import was cancelled"
    assert child.poll() == -signal.SIGKILL
    assert "big" not in sheet_names(client) and not (ws.root / "uploads" / job_id).exists()
    assert client.post(f"/api/jobs/{job_id}/cancel").json() == {"cancelled": False}  # finished: nothing to stop
    assert client.post("/api/jobs/nope/cancel").status_code == 404
    assert_serving_and_uploads_work(client, "big")


def test_a_queued_job_is_cancelled_before_it_runs(ws: Workspace) -> None:
    client = make_client(ws)
    jobs: Jobs = client.app.state.jobs  # type: ignore[attr-defined]
    held = threading.Event()
    original = jobs._in_child

    def slow_first(job: Any, request: dict[str, Any]) -> dict[str, Any]:
        held.wait(30)
        return original(job, request)

    jobs._in_child = slow_first  # type: ignore[method-assign]
    first = upload(client, [("a.ndjson", ndjson_bytes(ROWS))], sheet="first").json()["job"]
    second = upload(client, [("b.ndjson", ndjson_bytes(ROWS))], sheet="second").json()["job"]
    assert client.get(f"/api/jobs/{second}").json()["phase"] == "queued"
    assert client.post(f"/api/jobs/{second}/cancel").json() == {"cancelled": True}
    held.set()
    assert wait_for_job(client, first)["state"] == "done"
    cancelled = wait_for_job(client, second)
    assert cancelled["state"] == "failed" and cancelled["error"] == "the import was cancelled"
    assert sheet_names(client).count("first") == 1 and "second" not in sheet_names(client)


def gzip_bomb(size: int) -> bytes:
    """``size`` bytes of ``A`` gzip'd, compressed a MiB at a time (never held expanded)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as writer:
        chunk = b"A" * (1 << 20)
        for _ in range(size // len(chunk)):
            writer.write(chunk)
    return out.getvalue()


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's RSS from /proc")
def test_a_gzip_bomb_is_refused_per_file_and_the_server_memory_stays_put(client: TestClient) -> None:
    bomb = gzip_bomb(1 << 30)  # 1 GiB of one byte: about 1 MB compressed
    assert len(bomb) < 1_200_000
    good = b"".join(f"2022-03-22T15:00:{i % 60:02d}Z host app: line {i}\n".encode() for i in range(500))
    before = rss_bytes()
    peak = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(rss_bytes())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        response = upload(client, [("bomb.log.gz", bomb), ("good.log", good)], sheet="bombed", format="text")
        final = wait_for_job(client, response.json()["job"], timeout=120)
    finally:
        stop.set()
        sampler.join()
    assert final["state"] == "done", final
    summary = final["summary"]
    assert summary["rows"] == 500 and summary["rejected"] == 1
    bomb_source = next(s for s in summary["sources"] if s["path"].endswith("bomb.log.gz"))
    assert bomb_source["rows_kept"] == 0 and bomb_source["rejected"] == 1
    grown = max(peak) - before
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"server RSS grew {grown / 2**20:.0f} MiB; the largest import child peaked at {child_peak / 2**20:.0f} MiB")
    assert grown < 256 << 20
    assert child_peak < 2 << 30
    assert_serving_and_uploads_work(client, "after-bomb")


def test_the_address_space_cap_is_parsed_and_bad_values_refused() -> None:
    assert import_worker.parse_bytes("4G") == 4 << 30 and import_worker.parse_bytes("512MiB") == 512 << 20
    assert import_worker.parse_bytes("1000") == 1000
    for bad in ("lots", "0", "-1G", "1.5G"):
        with pytest.raises(import_worker.LogsheetError, match="LOGSHEET_IMPORT_ADDRESS_SPACE must be a size"):
            import_worker.parse_bytes(bad)


def test_a_child_past_its_address_space_cap_fails_its_job_in_words(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_worker.ADDRESS_SPACE_ENV, "64M")  # too small to even load DuckDB
    final = wait_for_job(client, upload(client, [("a.ndjson", ndjson_bytes(ROWS))], sheet="capped").json()["job"])
    assert final["state"] == "failed" and "capped" not in sheet_names(client)
    assert final["error"] and "\n" not in final["error"]
    monkeypatch.delenv(import_worker.ADDRESS_SPACE_ENV)
    assert_serving_and_uploads_work(client, "capped")


# ------------------------------------------------------------------------------------------ leftovers
def leftover(uploads: Path, name: str, *, owner: bool = True, manifest: bool = False, age: float = 0) -> Path:
    """An upload folder as a killed server leaves it: a half-written file, an ``.owner`` nobody locks."""
    folder = uploads / name
    folder.mkdir(parents=True)
    (folder / "f0001-half.ndjson").write_bytes(b'{"n": 1}\n{"n": ')
    if owner:
        (folder / housekeeping.OWNER).write_text("999999\n")
    if manifest:
        (folder / "manifest.json").write_text("{}")
    if age:
        stamp = time.time() - age
        os.utime(folder, (stamp, stamp))
    return folder


def test_leftovers_of_interrupted_uploads_are_swept_when_the_server_starts(ws: Workspace) -> None:
    first = make_client(ws)
    done = wait_for_job(first, upload(first, [("kept.ndjson", ndjson_bytes(ROWS))], sheet="kept").json()["job"])
    assert done["state"] == "done"
    uploads = ws.root / "uploads"
    evidence = uploads / done["id"]
    assert sorted(p.name for p in evidence.iterdir()) == ["f0001-kept.ndjson", "manifest.json"]  # no .owner once done
    receiving = leftover(uploads, "0000000000000001")  # killed while its files arrived
    importing = leftover(uploads, "0000000000000002", manifest=True)  # killed while its import ran
    legacy = leftover(uploads, "0000000000000003", owner=False, age=3600)  # cut short by an older server
    legacy_done = leftover(uploads, "0000000000000004", owner=False, manifest=True, age=3600)  # a deleted sheet's evidence
    newer = leftover(uploads, "0000000000000005", owner=False, age=-3600)  # not older than the server: not judged
    live = uploads / "0000000000000006"
    live.mkdir()
    held = housekeeping.UploadOwner.take(live)  # another live server's upload: its lock is held
    # an import that committed just before its server died: the files are a sheet's sources, the .owner is stale
    committed = wait_for_job(first, upload(first, [("late.ndjson", ndjson_bytes(ROWS))], sheet="late").json()["job"])
    late = uploads / committed["id"]
    (late / housekeeping.OWNER).write_text("999999\n")

    # what a user sees: a server starts, and the leftovers are gone; the evidence, the live upload and the
    # committed one stay
    client = make_client(ws)
    assert not receiving.exists() and not importing.exists() and not legacy.exists()
    assert legacy_done.exists() and newer.exists() and live.exists() and (live / housekeeping.OWNER).exists()
    assert sorted(p.name for p in evidence.iterdir()) == ["f0001-kept.ndjson", "manifest.json"]
    assert late.is_dir() and not (late / housekeeping.OWNER).exists() and (late / "f0001-late.ndjson").is_file()
    assert client.get("/api/sheets/late").json()["rows"] == len(ROWS)
    assert housekeeping.sweep_uploads(ws.root, ws.catalog, started=time.time()) == []  # nothing more to find
    held.release(remove=True)
    # and a fresh upload still works
    final = wait_for_job(client, upload(client, [("new.ndjson", ndjson_bytes(ROWS))], sheet="new").json()["job"])
    assert final["state"] == "done" and (uploads / final["id"] / "f0001-new.ndjson").is_file()
    assert not (uploads / final["id"] / housekeeping.OWNER).exists()
    assert client.post("/api/sheets/new/query", json={}).json()["total"] == len(ROWS)
