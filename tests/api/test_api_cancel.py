"""Cancelling a running query, and the query budget (408), on a sheet made slow on purpose: an IPv6 network
filter runs a Python function per row (``logsheet_ipv6_in_network``), some microseconds each."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from api_helpers import TestClient, make_client, view

from logsheet.core import ir
from logsheet.engines.duckdb import QueryCancelled
from logsheet.workspace import Workspace

ROWS = 500_000  # uncancelled, the slow filter takes 5 to 20 s here: far longer than a cancel
SLOW = {"kind": "cidr", "column": "ip", "cidr": "2001:db8::/48", "negate": False}


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("slow")
    ips = pa.array([f"2001:db8::{i % 65536:x}" for i in range(ROWS)])
    times = pa.array([i * 1_000_000 for i in range(ROWS)], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"ip": ips, "k": pa.array(range(ROWS)), "t": times}), root / "big.parquet")
    ws = Workspace.open(root / "ws")
    ws.import_paths([root / "big.parquet"], sheet="big")
    return ws


def in_background(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        out["response"] = call()
        out["at"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def cancel_when_running(client: TestClient, request_id: str, out: dict[str, Any], timeout: float = 20.0) -> float:
    """Post the cancel until it finds the request running; the moment it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and "response" not in out:
        response = client.post(f"/api/queries/{request_id}/cancel")
        assert response.status_code == 200
        if response.json() == {"cancelled": True}:
            return time.monotonic()
        time.sleep(0.01)
    answer = out.get("response")
    raise AssertionError(
        f"request {request_id} was not found running; it answered {answer and answer.status_code}: {answer and answer.text}"
    )


def test_cancel_a_running_query(slow: Workspace) -> None:
    client = make_client(slow)
    body = {"query": view(SLOW), "limit": 10, "request_id": "page-1"}
    started = time.monotonic()
    thread, out = in_background(lambda: client.post("/api/sheets/big/query", json=body))
    cancelled_at = cancel_when_running(client, "page-1", out)
    thread.join(30)
    response = out["response"]
    assert response.status_code == 499 and response.json() == {"error": "cancelled"}
    assert out["at"] - cancelled_at < 5.0, "the query went on after the cancel"
    assert cancelled_at - started < 30.0
    # the id is free again, and the engine still answers
    quick = {"query": view({"kind": "compare", "column": "k", "op": "=", "value": 5}), "request_id": "page-1"}
    assert client.post("/api/sheets/big/query", json=quick).json()["total"] == 1
    assert client.post("/api/queries/page-1/cancel").json() == {"cancelled": False}


@pytest.mark.parametrize(("endpoint", "body"), [("histogram", {"column": "t"}), ("profile", {"column": "k"})])
def test_cancel_a_histogram_and_a_profile(slow: Workspace, endpoint: str, body: dict[str, Any]) -> None:
    client = make_client(slow)
    request = {"query": view(SLOW), "request_id": f"{endpoint}-7", **body}
    thread, out = in_background(lambda: client.post(f"/api/sheets/big/{endpoint}", json=request))
    cancel_when_running(client, f"{endpoint}-7", out)
    thread.join(30)
    assert out["response"].status_code == 499 and out["response"].json() == {"error": "cancelled"}


def test_cancel_from_python(slow: Workspace) -> None:
    assert slow.cancel("nothing") is False
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with slow.request("py-1"):
                slow.count("big", ir.Query(where=ir.InCidr("ip", "2001:db8::/48")))
        except QueryCancelled as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while not slow.cancel("py-1") and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.join(30)
    assert len(errors) == 1 and str(errors[0]) == "cancelled"


def test_query_budget_is_408(slow: Workspace) -> None:
    client = make_client(slow, query_timeout=0.2)
    started = time.monotonic()
    response = client.post("/api/sheets/big/query", json={"query": view(SLOW)})
    assert response.status_code == 408 and "budget" in response.json()["error"]
    assert time.monotonic() - started < 10  # a budget of 0.2 s, on a query of many seconds
    assert client.post("/api/sheets/big/query", json={"query": view(), "limit": 1}).json()["total"] == ROWS


def test_an_id_can_be_reused_right_after_a_cancel(slow: Workspace) -> None:
    """The page cancels the grid's request and at once asks again under the same id: the new one runs."""
    answers: list[int] = []
    with slow.request("grid"):
        assert slow.cancel("grid") is True
        worker = threading.Thread(target=lambda: answers.append(_count_under(slow, "grid")))
        worker.start()
        worker.join(30)
    assert answers == [1]


def _count_under(ws: Workspace, request_id: str) -> int:
    with ws.request(request_id):
        return ws.count("big", ir.Query(where=ir.Compare("k", "=", 5)))


def test_the_app_makes_the_engine_once(tmp_path: Path) -> None:
    """Request threads must not race to make the engine lazily: a cancel would look in another engine's registry."""
    ws = Workspace.open(tmp_path / "home")
    assert ws.cancel("x") is False and ws.engines.started() == []  # a cancel makes no engine
    make_client(ws)
    started = ws.engines.started()
    assert len(started) == 1 and ws.engine is started[0]
