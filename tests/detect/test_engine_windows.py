"""Counting correlations windowed by the engine (``WindowScan.windows_sql``: window functions, gaps and
islands) find exactly the findings the Python windowing finds (``evaluate``) — the same windows (first and
last seen, rows, group key as spelled), the same entities — on a sheet made to be awkward: many events at one
second, keys differing only in case, blank keys and values, rows without a time, two member rules that flag
some of the same rows. Hypothesis picks the correlation (kind, comparison, threshold, timespan, members,
group-by)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.detect.sigma import CompiledCorrelation
from logsheet.detect.sigma.correlation import Member
from logsheet.ingest import formats
from logsheet.workspace import Workspace
from logsheet.workspace.detections import _correlate, _engine_windows

KEYS = ["Ab", "ab", "AB", "c", "", None, "d"]
SECONDS = [0, 0, 0, 1, 2, 2, 5, 7, 7, 7, 8, 12, 13, 13, 20, 31, 31, 32, 40, 41]
ROWS: list[dict[str, Any]] = [
    {
        "t": None if i % 29 == 0 else f"2024-05-01T10:{SECONDS[i % 20] // 60 + i // 60:02d}:{SECONDS[i % 20] % 60:02d}Z",
        "key": KEYS[(i * 3) % 7],
        "zone": ["x", "X", "y"][i % 3],
        "val": ["p", "q", "", None, "r", "P"][i % 6],
        "kind": ["fail", "deny", "ok"][(i // 2) % 3],
        "user": ["alice", "bob", None, " "][(i // 3) % 4],
        "src": [f"10.0.0.{i % 4}", None][i % 9 == 0],
    }
    for i in range(240)
]
PREDICATES = {
    "fail": ir.Compare("kind", "=", "fail"),
    "deny": ir.Compare("kind", "=", "deny"),
    "fail-or-deny": ir.InList("kind", ("fail", "deny")),
    "not-ok": ir.Not(ir.Compare("kind", "=", "ok")),
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("windows")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "rows.ndjson", ROWS)], sheet="rows")
    assert workspace.sheet("rows").time_column == "t"
    return workspace


correlations = st.builds(
    lambda kind, op, count, timespan, members, group: CompiledCorrelation(
        id="00000000-0000-4000-8000-00000000c0de",
        title="generated",
        level="medium",
        status="test",
        tags=(),
        description="",
        kind=kind,
        members=tuple(
            Member(f"m{i}", name, PREDICATES[name], group, "val" if kind == "value_count" else "")
            for i, name in enumerate(members)
        ),
        group_by=group,
        timespan=timespan,
        op=op,
        count=float(count),
        format="json",
        origin="test",
    ),
    st.sampled_from(["event_count", "value_count"]),
    st.sampled_from([">", ">="]),
    st.integers(0, 7),
    st.sampled_from([0, 1, 2, 5, 10, 30, 600]),
    st.lists(st.sampled_from(sorted(PREDICATES)), min_size=1, max_size=2, unique=True),
    st.sampled_from([("key",), ("key", "zone"), ("zone",)]),
)


def _shape(findings: list[Any]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in f.to_json().items() if k != "run_at"} for f in findings), key=lambda f: f["id"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(correlations)
def test_the_engine_finds_the_windows_python_finds(ws: Workspace, correlation: CompiledCorrelation) -> None:
    record = ws.sheet("rows")
    entities = {"user": ("user",), "ip": ("src",)}
    matched = [1] * len(correlation.members)
    args = (ws, "rows", record.id, "t", correlation, matched, entities, None, None)
    assert _engine_windows(ws, "rows", record.id, "t", correlation, entities, None, None) is not None
    engine, reads = _correlate(*args)
    python, _ = _correlate(*args, in_engine=False)
    assert reads == 1  # one statement: the windows and their entities
    assert _shape(engine) == _shape(python)


def test_a_window_holds_the_rows_its_filter_finds(ws: Workspace) -> None:
    fails = CompiledCorrelation(
        id="00000000-0000-4000-8000-00000000c0df",
        title="fails",
        level="high",
        status="test",
        tags=(),
        description="",
        kind="event_count",
        members=(Member("f", "fail", PREDICATES["fail"], ("key",)),),
        group_by=("key",),
        timespan=10,
        op=">=",
        count=3.0,
        format="json",
        origin="test",
    )
    record = ws.sheet("rows")
    found, _ = _correlate(ws, "rows", record.id, "t", fails, [1], formats.entity_columns("json", ["user"]), None, None)
    assert found
    for finding in found:
        assert ws.count("rows", ir.Query(where=finding.where)) == finding.rows
