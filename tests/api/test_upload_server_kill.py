"""A real server (``python -m logsheet serve`` on loopback) killed with SIGKILL in the middle of uploads: one
upload half received, one whose import is running in its child. The orphaned child ends itself, and the next
server on the same workspace sweeps both upload folders at start, shows no sheet of them, and takes a fresh
upload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fixtures import ndjson_bytes
from repo_paths import SRC

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the import child through /proc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, home: Path) -> None:
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logsheet", "--home", str(home), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http.get("/api/info").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)

    def jobs(self) -> list[dict[str, Any]]:
        return list(self.http.get("/api/jobs").json())

    def upload(self, name: str, data: bytes, sheet: str) -> str:
        response = self.http.post("/api/uploads", data={"sheet": sheet}, files=[("files", (name, data))])
        assert response.status_code == 200, response.text
        return str(response.json()["job"])

    def wait(self, job: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.http.get(f"/api/jobs/{job}").json()
            if state["state"] in ("done", "failed"):
                return dict(state)
            time.sleep(0.05)
        raise AssertionError(f"job {job} did not finish")

    def children(self) -> list[int]:
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found

    def kill(self) -> None:
        self.http.close()
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.kill()


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def test_a_killed_server_leaves_nothing_behind_for_the_next(tmp_path: Path, servers: list[Server]) -> None:
    home = tmp_path / "home"
    first = Server(home)
    servers.append(first)
    # an upload whose import runs when the server dies (about 40 MB of NDJSON: seconds of import)
    importing = first.upload("big.ndjson", ndjson_bytes({"n": i, "pad": "x" * 100} for i in range(350_000)), "big")
    deadline = time.monotonic() + 60
    while not (children := first.children()):
        assert time.monotonic() < deadline and first.http.get(f"/api/jobs/{importing}").json()["state"] != "done"
        time.sleep(0.02)
    # and an upload half received: headers and part of its only file, the rest never sent
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="sheet"\r\n\r\nhalf\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="half.ndjson"\r\n\r\n'
    ).encode()
    part = ndjson_bytes({"n": i} for i in range(200_000))  # more than a flush: it reaches the disk
    half = socket.create_connection(("127.0.0.1", first.port))
    half.sendall(
        (
            f"POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1:{first.port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(head) + 10 * len(part)}\r\n\r\n"
        ).encode()
        + head
        + part
    )
    deadline = time.monotonic() + 30
    while not any(f["received"] for j in first.jobs() if j["state"] == "queued" for f in j["files"]):
        assert time.monotonic() < deadline, "the half upload never reached the disk"
        time.sleep(0.02)
    receiving = next(j["id"] for j in first.jobs() if j["phase"] == "receiving")
    uploads = home / "uploads"
    assert (uploads / importing / ".owner").is_file() and (uploads / receiving / ".owner").is_file()

    first.kill()
    half.close()
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in children):
        assert time.monotonic() < deadline, "the import child outlived its server"
        time.sleep(0.05)

    second = Server(home)
    servers.append(second)
    assert not (uploads / importing).exists() and not (uploads / receiving).exists()
    names = [s["name"] for s in second.http.get("/api/sheets").json()]
    assert "big" not in names and "half" not in names
    assert not any((home / "staging").iterdir())  # the dead child's staging swept too
    fresh = second.wait(second.upload("fresh.ndjson", ndjson_bytes({"n": i} for i in range(100)), "fresh"))
    assert fresh["state"] == "done" and fresh["summary"]["rows"] == 100
    assert sorted(p.name for p in uploads.iterdir()) == [fresh["id"]]
