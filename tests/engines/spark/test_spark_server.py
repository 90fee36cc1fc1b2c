"""The web server on Spark, as a responder sets it up: `logsheet config engine spark --spark-master local[2]` on
a workspace, then the JSON API (the ASGI app, in process) answers pages, counts, group-by, histograms, profiles
and previews from Spark — the same JSON as a server of the same workspace on DuckDB — and a running request is
cancelled (499) on Spark as on DuckDB.

Both servers share the workspace folder; the DuckDB one is told ``use_engine("duckdb")`` (what ``serve --engine
duckdb`` does), the Spark one follows the stored setting.
"""

from __future__ import annotations

import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from test_spark_shared import ROWS as EVENTS

from fixtures import write_ct_tree, write_ndjson
from logsheet.api import create_app
from logsheet.cli import main
from logsheet.workspace import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns about its httpx dependency
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, spark_session: Any) -> Path:
    """A workspace with sheets ``ct`` (CloudTrail, four minutes of it in six S3 files) and ``events`` (every type, blanks, traps),
    imported on DuckDB, then set to Spark through the command line."""
    folder = tmp_path_factory.mktemp("server")
    home = folder / "home"
    write_ct_tree(folder / "ct", files=6, per_file=40, days=3)
    ws = Workspace.open(home)
    ws.import_paths([folder / "ct"], sheet="ct")
    ws.import_paths([write_ndjson(folder / "events.ndjson", EVENTS)], sheet="events")
    result = CliRunner().invoke(main, ["--home", str(home), "config", "engine", "spark", "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert "now run on Spark, master local[2]" in result.output
    return home


@pytest.fixture(scope="module")
def spark(home: Path) -> Workspace:
    ws = Workspace.open(home)
    assert ws.default_engine == "spark"  # Workspace.open applied the stored setting
    return ws


@pytest.fixture(scope="module")
def clients(home: Path, spark: Workspace) -> tuple[TestClient, TestClient]:
    duck = Workspace.open(home)
    duck.use_engine("duckdb")
    return TestClient(create_app(duck)), TestClient(create_app(spark))


def view(where: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {"version": 1, "steps": [], "where": where, "search": "", "columns": [], "sort": [], "group": None, **fields}


def compare(column: str, op: str, value: Any) -> dict[str, Any]:
    return {"kind": "compare", "column": column, "op": op, "value": value, "case_sensitive": True}


def group(*keys: str, aggs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"keys": list(keys), "aggs": aggs or [{"fn": "count", "column": "", "name": "count"}]}


RUN_INSTANCES = compare("eventName", "=", "RunInstances")
NOT_RUN = {"kind": "not", "item": RUN_INSTANCES}
REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    # pages and exact totals
    ("ct", "query", {"query": view(RUN_INSTANCES, sort=[{"column": "eventTime", "descending": True}]), "limit": 7}),
    ("ct", "query", {"query": view(NOT_RUN, sort=[{"column": "eventID", "descending": False}]), "limit": 5, "offset": 100}),
    ("ct", "query", {"where": "requestParameters.bucketName = 'bucket-1' and sourceIPAddress in cidr '10.0.2.0/24'",
                     "sort": ["eventID"], "columns": ["eventID", "requestParameters.bucketName", "userIdentity.userName"]}),
    ("ct", "query", {"search": "ami-0000002", "sort": ["eventID"], "limit": 50}),
    ("events", "query", {"where": "name matches '^[a-c]' nocase or n > 6", "sort": ["rid"]}),
    # group-by (two levels, aggregates) and group counts
    ("ct", "query", {"query": view(sort=[{"column": "eventName", "descending": False},
                                         {"column": "userIdentity.userName", "descending": False}],
                                   group=group("eventName", "userIdentity.userName", aggs=[
                                       {"fn": "count", "column": "", "name": "count"},
                                       {"fn": "count_distinct", "column": "sourceIPAddress", "name": "ips"},
                                       {"fn": "first", "column": "eventTime", "name": "first_seen"},
                                       {"fn": "last", "column": "eventTime", "name": "last_seen"}]))}),
    ("events", "query", {"group_by": ["action", "ok"], "aggs": ["count", "sum:bytes", "avg:f", "max:ts"],
                         "sort": ["action", "ok"]}),
    # the time histogram: whole view, filtered, zoomed to a range, on another column
    ("ct", "histogram", {}),
    ("ct", "histogram", {"query": view(RUN_INSTANCES), "buckets": 24}),
    ("ct", "histogram", {"buckets": 30, "start": "2022-03-22T15:01:00Z", "end": "2022-03-22T15:02:30Z"}),
    ("events", "histogram", {"column": "ts", "buckets": 10}),
    # column profiles: text with blanks, integers, floats, booleans, timestamps, JSON, under a filter
    *[("events", "profile", {"column": c, "top": 5}) for c in ("name", "msg", "n", "f", "ok", "ts", "items", "code")],
    ("ct", "profile", {"column": "requestParameters.bucketName", "query": view(NOT_RUN)}),
    ("ct", "profile", {"column": "eventTime", "top": 3}),
    # the preview of a step
    ("events", "preview", {"step": {"kind": "split", "column": "msg", "delimiter": " ", "parts": 3}, "limit": 50}),
]  # fmt: skip


def answer(client: TestClient, sheet: str, endpoint: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/sheets/{sheet}/{endpoint}", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    data.pop("elapsed_ms", None)
    return data


@pytest.mark.parametrize(("sheet", "endpoint", "body"), REQUESTS, ids=[f"{s}-{e}-{i}" for i, (s, e, _) in enumerate(REQUESTS)])
def test_the_api_on_spark_answers_as_on_duckdb(
    clients: tuple[TestClient, TestClient], sheet: str, endpoint: str, body: dict[str, Any]
) -> None:
    duck, spark = clients
    expected = answer(duck, sheet, endpoint, body)
    assert answer(spark, sheet, endpoint, body) == expected
    if endpoint == "query":
        assert expected["total"] > 0
    if endpoint == "histogram":
        assert expected["total"] > 0 and any(b["count"] for b in expected["buckets"])


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_exports_on_spark_are_the_same_files(clients: tuple[TestClient, TestClient], fmt: str) -> None:
    duck, spark = clients
    order = [{"column": "eventTime", "descending": True}, {"column": "eventID", "descending": False}]
    body = {"query": view(NOT_RUN, sort=order), "format": fmt}
    expected = duck.post("/api/sheets/ct/export", json=body)
    assert expected.status_code == 200 and expected.content.count(b"\n") > 100
    assert spark.post("/api/sheets/ct/export", json=body).content == expected.content


def test_the_answers_came_from_spark(clients: tuple[TestClient, TestClient], spark: Workspace) -> None:
    """The Spark server's views ran on the Spark engine (it registered the sheets), the DuckDB one's did not."""
    duck, client = clients
    assert client.get("/api/info").json() == {
        "version": client.get("/api/info").json()["version"],
        "engine": {"engine": "spark", "spark_master": "local[2]", "spark_remote": None},
    }
    assert duck.get("/api/info").json()["engine"] == {"engine": "duckdb", "spark_master": None, "spark_remote": None}
    assert [e.name for e in spark.engines.started()] == ["duckdb", "spark"] and spark.spark._views, "no sheet was read by Spark"
    # imports and rejects stay on DuckDB and the local folder
    assert client.get("/api/sheets/ct/rejects").json()["total"] == 0


def test_serve_starts_spark_before_it_listens(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`logsheet serve` on the workspace set to Spark says so and starts the session first (a missing Java or an
    unreachable server is reported there, not on the first page)."""
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append(app.state.ws.spark))
    result = CliRunner().invoke(main, ["--home", str(home), "serve", "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "starting Spark, master local[2]: views run there; imports stay on DuckDB"
    assert len(started) == 1 and started[0].session is not None


def test_errors_on_spark_are_one_line_400s(clients: tuple[TestClient, TestClient]) -> None:
    _, spark = clients
    response = spark.post("/api/sheets/ct/histogram", json={"column": "eventName"})
    assert response.status_code == 400 and "not timestamps" in response.json()["error"]
    response = spark.post("/api/sheets/ct/profile", json={"column": "nope"})
    assert response.status_code == 400


# --------------------------------------------------------------------------------------------------- cancel
ROWS = 500_000
# Nine IPv6 networks that no row is in: Spark evaluates each in SQL (regexes, splits, a lambda) for every row,
# some tens of microseconds per row and network: uncancelled, well over ten seconds here.
SLOW = {"kind": "or", "items": [{"kind": "cidr", "column": "ip", "cidr": f"2001:db{n}::/48", "negate": False} for n in range(9)]}


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory, spark: Workspace) -> Workspace:
    root = tmp_path_factory.mktemp("slow-spark")
    ips = pa.array([f"2001:db9::{i % 65536:x}" for i in range(ROWS)])
    pq.write_table(pa.table({"ip": ips, "k": pa.array(range(ROWS))}), root / "big.parquet")
    ws = Workspace.open(root / "ws")
    ws.import_paths([root / "big.parquet"], sheet="big")
    ws.set_engine("spark", "local[2]")
    return ws


def test_cancel_a_running_query_on_spark(slow: Workspace, spark_session: Any) -> None:
    """The page cancels its request while Spark runs the job: the request answers 499 at once and the job stops."""
    client = TestClient(create_app(slow))
    tracker = spark_session.sparkContext.statusTracker()
    out: dict[str, Any] = {}

    def run() -> None:
        body = {"query": view(SLOW), "limit": 10, "request_id": "grid-1"}
        try:
            out["response"] = client.post("/api/sheets/big/query", json=body)
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below, not lost with the thread
            out["error"] = repr(exc)
        out["at"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        seen: list[int] = []  # what was seen, not asked again: a job's stages come and go between two looks
        while not seen and thread.is_alive() and time.monotonic() < deadline:
            seen = list(tracker.getActiveStageIds())
            time.sleep(0.02)
        answer = out.get("error") or (out.get("response") and out["response"].text)
        assert seen, f"no Spark job ran: {answer}"
        time.sleep(0.5)  # well into the job
        assert client.post("/api/queries/grid-1/cancel").json() == {"cancelled": True}
        cancelled_at = time.monotonic()
    finally:
        slow.cancel("grid-1")
        thread.join(60)
    response = out["response"]
    assert response.status_code == 499 and response.json() == {"error": "cancelled"}
    assert out["at"] - cancelled_at < 5.0, f"the request went on {out['at'] - cancelled_at:.1f} s after the cancel"
    while tracker.getActiveStageIds() and time.monotonic() < cancelled_at + 10:
        time.sleep(0.05)
    assert not tracker.getActiveStageIds(), "the Spark job went on after the cancel"
    # the id is free again, and Spark still answers
    quick = {"query": view(compare("k", "=", 5)), "request_id": "grid-1"}
    assert client.post("/api/sheets/big/query", json=quick).json()["total"] == 1
    assert client.post("/api/queries/grid-1/cancel").json() == {"cancelled": False}


def test_the_query_budget_stops_the_spark_job(slow: Workspace, spark_session: Any) -> None:
    """Past the server's budget the request answers 408, and the job is stopped on Spark (not left running)."""
    client = TestClient(create_app(slow, query_timeout=1.0))
    started = time.monotonic()
    response = client.post("/api/sheets/big/query", json={"query": view(SLOW)})
    assert response.status_code == 408 and "budget" in response.json()["error"]
    assert time.monotonic() - started < 6.0
    tracker = spark_session.sparkContext.statusTracker()
    while tracker.getActiveStageIds() and time.monotonic() < started + 10:
        time.sleep(0.05)
    assert not tracker.getActiveStageIds()
