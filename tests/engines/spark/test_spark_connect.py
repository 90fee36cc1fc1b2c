"""A query through Spark Connect: a local Spark Connect server started from the installed pyspark (its
``spark-connect`` jar ships in pyspark 4's ``jars/``; no Docker), bound to 127.0.0.1 on a free port, and
``logsheet query … --spark-remote sc://localhost:PORT`` run as a separate process, as an analyst would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spark_helpers import spark_missing

from fixtures import write_ndjson
from logsheet.export.render import json_value
from logsheet.workspace import Workspace, build_query
from ops_rows import ROWS

VENV_BIN = Path(sys.executable).parent
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


@pytest.fixture(scope="module")
def connect_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    reason = spark_missing()
    if reason:
        pytest.skip(reason)
    home = spark_home()
    if not list((home / "jars").glob("spark-connect_*.jar")):
        pytest.skip(f"this pyspark has no Spark Connect server jar in {home / 'jars'}")
    port = free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    command = [
        str(home / "bin" / "spark-submit"),
        "--master", "local[1]",
        "--class", SERVER_CLASS,
        "--name", "logsheet-test-connect",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.memory=512m",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", f"spark.connect.grpc.binding.port={port}",
    ]  # fmt: skip
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield port
    finally:
        _stop(server)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server this module started (its own process group: spark-submit and the JVM it runs)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def test_query_through_spark_connect(connect_port: int, tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_ndjson(tmp_path / "events.ndjson", ROWS)], sheet="events")
    where = "(msg matches 'password' nocase or ip in cidr '2001:db8::/32') and not user = 'bob'"
    args = ["-w", where, "-g", "user,action", "--agg", "count", "--agg", "max:ts", "--agg", "first:name"]
    command = [str(VENV_BIN / "logsheet"), "--home", str(ws.root), "query", "events", *args, "--format", "json"]
    remote = subprocess.run(
        [*command, "--spark-remote", f"sc://localhost:{connect_port}"], capture_output=True, text=True, timeout=180
    )
    assert remote.returncode == 0, remote.stderr[-3000:]
    expected = ws.query("events", build_query(where=where, group_by=["user", "action"], aggs=["count", "max:ts", "first:name"]))
    assert [list(r.values()) for r in json.loads(remote.stdout)] == [[json_value(v) for v in r] for r in expected.rows]
    assert len(expected.rows) == 3

    unreachable = subprocess.run(
        [*command, "--spark-remote", f"sc://127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=120
    )
    assert unreachable.returncode == 1 and "cannot reach the Spark Connect server" in unreachable.stderr


def test_server_on_spark_connect_answers_and_cancels(connect_port: int, tmp_path: Path) -> None:
    """`logsheet config engine spark --spark-remote sc://…`, then the API: the same page, histogram and profile as
    on DuckDB, and a request cancelled while it runs on the Connect server (``interruptTag``) answers 499."""
    from click.testing import CliRunner
    from test_spark_server import SLOW, TestClient, view

    from logsheet.api import create_app
    from logsheet.cli import main
    from logsheet.engines.spark.session import stop_remote_sessions

    home = tmp_path / "home"
    duck = Workspace.open(home)
    duck.import_paths([write_ndjson(tmp_path / "events.ndjson", ROWS)], sheet="events")
    ips = [f"2001:db9::{i % 65536:x}" for i in range(100_000)]
    duck.import_paths([write_ndjson(tmp_path / "big.ndjson", ({"ip": ip, "k": i} for i, ip in enumerate(ips)))], sheet="big")
    remote = f"sc://localhost:{connect_port}"
    result = CliRunner().invoke(main, ["--home", str(home), "config", "engine", "spark", "--spark-remote", remote])
    assert result.exit_code == 0 and f"Spark Connect at {remote}" in result.output, result.output
    ws = Workspace.open(home)
    client = TestClient(create_app(ws))
    try:
        assert client.get("/api/info").json()["engine"] == {"engine": "spark", "spark_master": None, "spark_remote": remote}
        on_duckdb = TestClient(create_app(duck))
        for endpoint, body in (
            ("query", {"where": "msg matches 'password' nocase", "sort": ["rid"]}),
            ("histogram", {"column": "ts", "buckets": 12}),
            ("profile", {"column": "user", "top": 3}),
        ):
            expected = on_duckdb.post(f"/api/sheets/events/{endpoint}", json=body).json()
            answer = client.post(f"/api/sheets/events/{endpoint}", json=body).json()
            expected.pop("elapsed_ms", None), answer.pop("elapsed_ms", None)
            assert answer == expected, endpoint

        out: dict[str, Any] = {}

        def run() -> None:
            out["response"] = client.post("/api/sheets/big/query", json={"query": view(SLOW), "request_id": "c-1"})

        thread = threading.Thread(target=run)
        thread.start()
        try:
            time.sleep(2.0)  # the statement is on the server by now (no job tracker on a Connect client)
            assert client.post("/api/queries/c-1/cancel").json() == {"cancelled": True}
            cancelled_at = time.monotonic()
        finally:
            ws.cancel("c-1")
            thread.join(120)
        assert out["response"].status_code == 499 and out["response"].json() == {"error": "cancelled"}
        assert time.monotonic() - cancelled_at < 10.0
        assert client.post("/api/sheets/big/query", json={"where": "k = 5"}).json()["total"] == 1
    finally:
        stop_remote_sessions()
