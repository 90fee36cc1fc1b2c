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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spark_helpers import spark_missing

from fixtures import write_ndjson
from logsheet.render import json_value
from logsheet.workspace import Workspace, build_query
from test_engine_ops import ROWS

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
