"""Reading views over the API: pages and groups, the filter language both ways, the time histogram and the
column profile (checked against direct counts), step previews, formats, and the errors of each."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_helpers import CT_RECORDS, TestClient, build_workspace, compare, make_client, view

from fixtures import write_ndjson
from logsheet import analysis
from logsheet.analysis import histograms
from logsheet.core import ir
from logsheet.workspace import Workspace

T0 = datetime(2022, 3, 18, 9, 30, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def count_between(ws: Workspace, sheet: str, column: str, start: str, end: str, base: ir.Predicate | None = None) -> int:
    """Rows with start <= column < end, counted by the ordinary query path."""
    items: list[ir.Predicate] = [ir.Compare(column, ">=", start), ir.Compare(column, "<", end)]
    return ws.count(sheet, ir.Query(where=ir.And(tuple(items + ([base] if base else [])))))


def spread_rows() -> list[dict[str, Any]]:
    """400 rows at random times over ten days (seeded), 25 of them without a time."""
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for i in range(400):
        moment = T0 + timedelta(seconds=rng.randrange(10 * 86400))
        rows.append({"i": i, "t": None if i % 16 == 0 else iso(moment), "kind": rng.choice(["a", "b", "c", ""])})
    return rows


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Every sheet these tests read, imported once (the tests here change nothing): ``ct``, ``hostile``,
    ``spread`` (random times over ten days), ``plain`` (no time column), ``year`` (a time every 3 days for 447
    days) and ``stray`` (two ancient times among this year's)."""
    root = tmp_path_factory.mktemp("query")
    inputs = root / "inputs"
    workspace = build_workspace(root / "home", inputs)
    year = [{"t": iso(T0 + timedelta(days=3 * i))} for i in range(150)]
    stray = [{"t": "0001-01-01T00:00:00Z"}, {"t": "1970-01-01T00:00:00Z"}, *({"t": iso(T0)} for _ in range(3))]
    for name, rows in (("spread", spread_rows()), ("plain", [{"a": 1}, {"a": 2}]), ("year", year), ("stray", stray)):
        workspace.import_paths([write_ndjson(inputs / f"{name}.ndjson", rows)], sheet=name)
    return workspace


@pytest.fixture(scope="module")
def client(ws: Workspace) -> TestClient:
    return make_client(ws)


@pytest.fixture
def spread() -> str:
    return "spread"


# --------------------------------------------------------------------------------------------------- pages
def test_query_page_of_a_view(client: TestClient) -> None:
    body = {"query": view(compare("eventName", "=", "RunInstances"), columns=["eventName", "eventTime"]), "limit": 5}
    page = client.post("/api/sheets/ct/query", json=body).json()
    assert page["total"] == CT_RECORDS // 5 and page["limit"] == 5 and page["offset"] == 0
    assert page["columns"] == [{"name": "eventName", "type": "text"}, {"name": "eventTime", "type": "timestamp"}]
    assert page["rows"][:2] == [["RunInstances", "2022-03-22T15:00:00Z"], ["RunInstances", "2022-03-22T15:00:05Z"]]
    assert len(page["rowids"]) == 5 and isinstance(page["elapsed_ms"], float)


def test_query_groups(client: TestClient) -> None:
    group = {"keys": ["sourceIPAddress"], "aggs": [{"fn": "count"}, {"fn": "count_distinct", "column": "eventName"}]}
    page = client.post("/api/sheets/ct/query", json={"query": view(group=group, sort=[{"column": "sourceIPAddress"}])}).json()
    assert [c["name"] for c in page["columns"]] == ["sourceIPAddress", "count", "count_distinct_eventName"]
    assert page["rows"] == [[f"10.0.{i}.1", 15, 5] for i in range(4)] and page["total"] == 4 and page["rowids"] == []


def test_query_errors(client: TestClient) -> None:
    unknown = client.post("/api/sheets/ct/query", json={"query": view(compare("eventNme", "=", "x"))})
    assert unknown.status_code == 400 and "did you mean 'eventName'" in unknown.json()["error"]
    assert client.post("/api/sheets/ct/query", json={"query": view(), "limit": 10**6}).status_code == 400
    assert client.post("/api/sheets/nope/query", json={}).status_code == 404
    malformed = client.post("/api/sheets/ct/query", json={"limit": "many"})
    assert malformed.status_code == 422 and malformed.json()["error"].startswith("limit:")
    assert client.post("/api/sheets/ct/query", json={"request_id": "x" * 201}).status_code == 422
    assert client.get("/api/nothing/here").json() == {"error": "nothing at this address"}


# ------------------------------------------------------------------------------------------ filter language
def test_filter_parse_and_format(client: TestClient) -> None:
    text = "eventName = 'RunInstances' and sourceIPAddress in cidr '10.0.0.0/24'"
    where = client.post("/api/filter/parse", json={"text": text}).json()["where"]
    assert where["kind"] == "and" and where["items"][0] == compare("eventName", "=", "RunInstances")
    assert client.post("/api/filter/format", json={"where": where}).json() == {"text": text}
    page = client.post("/api/sheets/ct/query", json={"query": view(where)}).json()
    assert page["total"] == 3  # RunInstances at i = 0, 20, 40 come from 10.0.0.1
    assert client.post("/api/filter/parse", json={"text": "  "}).json() == {"where": None}
    assert client.post("/api/filter/format", json={"where": None}).json() == {"text": ""}


def test_filter_errors(client: TestClient) -> None:
    bad = client.post("/api/filter/parse", json={"text": "eventName = "})
    assert bad.status_code == 400
    assert set(bad.json()) == {"error", "position"} and bad.json()["position"] == 12
    assert bad.json()["error"].startswith("expected a value") and bad.json()["error"].endswith("at position 13")
    checked = client.post("/api/filter/parse", json={"text": "nope = 1", "sheet": "ct"})
    assert checked.status_code == 400 and "unknown column 'nope'" in checked.json()["error"]
    assert client.post("/api/filter/parse", json={"text": "nope = 1"}).status_code == 200  # no sheet: syntax only
    empty_group = client.post("/api/filter/format", json={"where": {"kind": "and", "items": []}})
    assert empty_group.status_code == 400
    assert client.post("/api/filter/format", json={"where": {"kind": "bogus"}}).status_code == 400


# ------------------------------------------------------------------------------------------------ histogram
def test_histogram_matches_direct_counts(client: TestClient, ws: Workspace, spread: str) -> None:
    result = client.post(f"/api/sheets/{spread}/histogram", json={"buckets": 60}).json()
    assert result["column"] == "t" and result["interval_seconds"] == 21600  # ten days / 60 -> 4 h -> 6 h buckets
    buckets = result["buckets"]
    assert result["total"] == sum(b["count"] for b in buckets) == 400 - 25
    for bucket in buckets:
        start = datetime.fromisoformat(bucket["start"].replace("Z", "+00:00"))
        assert start.timestamp() % 21600 == 0
        assert bucket["count"] == count_between(ws, spread, "t", bucket["start"], bucket["end"]), bucket
    assert buckets[0]["start"] <= result["start"] and result["end"] < buckets[-1]["end"]
    assert all(a["end"] == b["start"] for a, b in zip(buckets, buckets[1:]))  # contiguous, empty ones included


def test_histogram_of_a_filtered_zoomed_view(client: TestClient, ws: Workspace, spread: str) -> None:
    kind_a = compare("kind", "=", "a")
    start, end = "2022-03-20T00:00:00Z", "2022-03-21T00:00:00Z"
    body = {"query": view(kind_a), "buckets": 24, "start": start, "end": end}
    result = client.post(f"/api/sheets/{spread}/histogram", json=body).json()
    assert result["interval_seconds"] == 3600 and len(result["buckets"]) == 25  # the end instant opens a 25th hour
    assert result["buckets"][0]["start"] == start and result["start"] == start and result["end"] == end
    base = ir.Compare("kind", "=", "a")
    for bucket in result["buckets"][:-1]:
        assert bucket["count"] == count_between(ws, spread, "t", bucket["start"], bucket["end"], base)
    inclusive = ir.And((ir.Compare("t", ">=", start), ir.Compare("t", "<=", end), base))
    assert result["total"] == ws.count(spread, ir.Query(where=inclusive))


def test_histogram_with_only_a_start(client: TestClient, ws: Workspace, spread: str) -> None:
    start = "2022-03-25T00:00:00Z"
    result = client.post(f"/api/sheets/{spread}/histogram", json={"start": start, "buckets": 10}).json()
    assert result["start"] == start and result["total"] == ws.count(spread, ir.Query(where=ir.Compare("t", ">=", start)))


def test_histogram_weekly_buckets_start_on_mondays(ws: Workspace) -> None:
    result = ws.histogram("year", buckets=30)
    assert result.interval_seconds == histograms.WEEK
    assert all(start.weekday() == 0 and start.hour == 0 for start, _, _ in result.buckets)
    assert sum(n for _, _, n in result.buckets) == result.total == 150


def test_histogram_small_cases(client: TestClient, ws: Workspace) -> None:
    one = client.post(
        "/api/sheets/ct/histogram", json={"query": view(compare("eventID", "=", "00000000-0000-4000-8000-000000000003"))}
    )
    assert one.json()["interval_seconds"] == 1 and one.json()["buckets"] == [
        {"start": "2022-03-22T15:00:03Z", "end": "2022-03-22T15:00:04Z", "count": 1}
    ]
    none = client.post("/api/sheets/ct/histogram", json={"query": view(compare("eventName", "=", "nothing"))}).json()
    assert none["buckets"] == [] and none["total"] == 0
    by_second = client.post("/api/sheets/ct/histogram", json={"buckets": 6}).json()
    assert by_second["interval_seconds"] == 10 and [b["count"] for b in by_second["buckets"]] == [10] * 6
    assert histograms.choose_interval(0, 60) == 1 and histograms.choose_interval(59, 60) == 1
    assert histograms.choose_interval(3 * 3600, 60) == 300 and histograms.choose_interval(10**8, 60) == histograms.WEEK
    assert histograms.choose_interval(2022 * 365 * 86400, 60) == 106 * histograms.WEEK  # year 1 to 2022: <= 1000 buckets


def test_histogram_with_a_stray_ancient_time(ws: Workspace) -> None:
    result = ws.histogram("stray")
    assert result.interval_seconds % histograms.WEEK == 0 and len(result.buckets) <= histograms.MAX_BUCKETS + 1
    assert [n for _, _, n in result.buckets if n] == [1, 1, 3] and result.total == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"column": "eventName"}, "not timestamps"),
        ({"column": "nope"}, "unknown column"),
        ({"buckets": 0}, "1 to 1000 buckets"),
        ({"start": "yesterday"}, "is not a timestamp"),
        ({"start": "2022-03-23T00:00:00Z", "end": "2022-03-22T00:00:00Z"}, "start is after its end"),
    ],
)
def test_histogram_errors(client: TestClient, body: dict[str, Any], message: str) -> None:
    response = client.post("/api/sheets/ct/histogram", json=body)
    assert response.status_code == 400 and message in response.json()["error"]


def test_histogram_needs_a_time_column(client: TestClient) -> None:
    response = client.post("/api/sheets/plain/histogram", json={})
    assert response.status_code == 400 and "no time column" in response.json()["error"]


# -------------------------------------------------------------------------------------------------- profile
def test_profile_matches_direct_counts(client: TestClient, ws: Workspace, spread: str) -> None:
    result = client.post(f"/api/sheets/{spread}/profile", json={"column": "kind", "top": 2}).json()
    groups = dict(ws.query(spread, ir.Query(group=ir.GroupBy(("kind",)))).rows)
    assert result["column"] == "kind" and result["type"] == "text" and result["rows"] == 400
    assert result["blanks"] == ws.count(spread, ir.Query(where=ir.Blank("kind"))) == groups[""]
    assert result["distinct"] == len(groups) == 4 and result["approximate"] is False
    assert result["min"] == "" and result["max"] == "c"
    expected = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    assert [(t["value"], t["count"]) for t in result["top"]] == expected


def test_profile_of_a_view_and_other_types(client: TestClient, ws: Workspace, spread: str) -> None:
    kind_b = view(compare("kind", "=", "b"))
    times = client.post(f"/api/sheets/{spread}/profile", json={"column": "t", "query": kind_b}).json()
    assert times["rows"] == ws.count(spread, ir.Query(where=ir.Compare("kind", "=", "b")))
    assert times["blanks"] == ws.count(spread, ir.Query(where=ir.And((ir.Compare("kind", "=", "b"), ir.Blank("t")))))
    first = ws.query(spread, ir.Query(where=ir.Compare("kind", "=", "b"), columns=("t",), sort=(ir.SortKey("t"),)), limit=1)
    assert times["type"] == "timestamp" and times["min"] == first.to_json()["rows"][0][0] and times["max"].endswith("Z")
    numbers = client.post(f"/api/sheets/{spread}/profile", json={"column": "i", "top": 1}).json()
    assert (numbers["min"], numbers["max"], numbers["distinct"], numbers["blanks"]) == (0, 399, 400, 0)
    assert numbers["top"] == [{"value": 0, "count": 1}]
    path = client.post("/api/sheets/ct/profile", json={"column": "requestParameters.bucketName"}).json()
    assert path["distinct"] == 3 and {t["value"] for t in path["top"]} == {"bucket-0", "bucket-1", "bucket-2"}
    nested = client.post("/api/sheets/ct/profile", json={"column": "requestParameters", "top": 0}).json()
    assert nested["type"] == "json" and nested["min"] is None and nested["top"] == [] and nested["distinct"] == CT_RECORDS
    errors = client.post("/api/sheets/ct/profile", json={"column": "errorMessage"}).json()
    assert errors["blanks"] == CT_RECORDS - 1 and errors["top"] == [{"value": "You are not authorized", "count": 1}]


def test_profile_approximate_above_the_threshold(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "EXACT_DISTINCT_ROWS", 10)
    result = client.post("/api/sheets/ct/profile", json={"column": "eventID"}).json()
    assert result["approximate"] is True and abs(result["distinct"] - CT_RECORDS) <= 3


def test_profile_errors(client: TestClient) -> None:
    assert client.post("/api/sheets/ct/profile", json={"column": "nope"}).status_code == 400
    assert client.post("/api/sheets/ct/profile", json={"column": "eventName", "top": 5000}).status_code == 400
    assert client.post("/api/sheets/ct/profile", json={}).status_code == 422
    assert client.post("/api/sheets/nope/profile", json={"column": "x"}).status_code == 404


# -------------------------------------------------------------------------------------------------- preview
def test_preview_of_a_split(client: TestClient) -> None:
    step = {"kind": "split", "column": "userAgent", "delimiter": " ", "parts": 2}
    body = {"query": view(compare("eventName", "=", "RunInstances")), "step": step, "limit": 3}
    result = client.post("/api/sheets/ct/preview", json=body).json()
    assert result["new_columns"] == ["userAgent_1", "userAgent_2"]
    names = [c["name"] for c in result["columns"]]
    assert names[-2:] == ["userAgent_1", "userAgent_2"] and len(result["rows"]) == 3
    assert {tuple(row[-2:]) for row in result["rows"]} == {("aws-cli/2.4.0", "Python/3.8.8")}
    assert result["rows"][0][names.index("eventName")] == "RunInstances"


def test_preview_of_in_place_steps_and_errors(client: TestClient) -> None:
    rename = client.post("/api/sheets/ct/preview", json={"step": {"kind": "rename", "column": "eventName", "name": "what"}})
    assert rename.json()["new_columns"] == ["what"] and len(rename.json()["rows"]) == 20
    case = client.post("/api/sheets/ct/preview", json={"step": {"kind": "case", "column": "eventName", "mode": "upper"}})
    assert case.json()["new_columns"] == ["eventName"]
    extract = {"kind": "regex_extract", "column": "userAgent", "pattern": "(?P<tool>[a-z-]+)/(?P<version>[0-9.]+)"}
    assert client.post("/api/sheets/ct/preview", json={"step": extract}).json()["new_columns"] == ["tool", "version"]
    bad = client.post("/api/sheets/ct/preview", json={"step": {"kind": "split", "column": "nope", "delimiter": " ", "parts": 2}})
    assert bad.status_code == 400 and "unknown column 'nope'" in bad.json()["error"]
    assert client.post("/api/sheets/ct/preview", json={"step": {"kind": "explode"}}).status_code == 400
    assert client.post("/api/sheets/ct/preview", json={"step": {"kind": "trim", "column": "x"}, "limit": 5000}).status_code == 400


# -------------------------------------------------------------------------------------------------- formats
def test_formats(client: TestClient) -> None:
    listed = client.get("/api/formats").json()
    names = [f["name"] for f in listed]
    assert {"cloudtrail", "json", "csv", "parquet", "text"} <= set(names)
    assert all(f["description"] for f in listed)
