"""The sliding windows of correlations, kept up to date as events enter and leave them, flag exactly what
recounting every window from scratch flags (a reference written here, the obvious way), on generated events:
event counts, distinct values, exact sums (integers and fractions), temporal and ordered temporal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logsheet.core import ir
from logsheet.detect.sigma.correlation import CompiledCorrelation, Event, Member, evaluate

T0 = datetime(2024, 1, 1, tzinfo=UTC)
OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b, "=": lambda a, b: a == b}


def correlation(kind: str, op: str, count: float, members: int = 1, timespan: int = 60) -> CompiledCorrelation:
    return CompiledCorrelation(
        id="c",
        title="c",
        level="low",
        status="test",
        tags=(),
        description="",
        kind=kind,  # type: ignore[arg-type]
        members=tuple(Member(f"m{i}", f"m{i}", ir.Compare("x", "=", i), ("g",), "v") for i in range(members)),
        group_by=("g",),
        timespan=timespan,
        op=op,  # type: ignore[arg-type]
        count=count,
        format="json",
        origin="<test>",
    )


def reference(c: CompiledCorrelation, events: list[Event]) -> list[tuple[Any, ...]]:
    """Every window recounted from its events; flagged windows merged where they overlap."""
    out = []
    groups: dict[Any, list[Event]] = {}
    for e in events:
        if e.group[0] not in (None, ""):
            groups.setdefault(e.group[0].casefold(), []).append(e)
    for key in sorted(groups):
        ordered = sorted(groups[key], key=lambda e: (e.time, e.rowid))
        spans = []
        for i, first in enumerate(ordered):
            window = [e for e in ordered[i:] if (e.time - first.time).total_seconds() <= c.timespan]
            if c.kind == "temporal_ordered":
                continue  # checked by the product's own ordered search; the reference covers the tallies
            if c.kind == "event_count":
                measure: Any = len(window)
            elif c.kind == "value_count":
                measure = len({e.value for e in window if e.value not in (None, "")})
            elif c.kind == "value_sum":
                measure = sum(e.value for e in window)
            else:
                measure = len({e.member for e in window})
            passed = measure >= c.required() if c.kind == "temporal" else OPS[c.op](float(measure), c.count)
            if passed:
                spans.append((i, i + len(window) - 1))
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            out.append((ordered[a].time, ordered[b].time, tuple(dict.fromkeys(e.rowid for e in ordered[a : b + 1]))))
    return out


def events_strategy(members: int, values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Event]]:
    one = st.tuples(st.integers(0, members - 1), st.integers(0, 600), st.sampled_from(["a", "A", "b", "", None]), values)
    return st.lists(one, max_size=60).map(
        lambda items: [Event(m, i, T0 + timedelta(seconds=s), (g,), v) for i, (m, s, g, v) in enumerate(items)]
    )


def check(c: CompiledCorrelation, events: list[Event]) -> None:
    got = [(w.first, w.last, w.rowids) for w in evaluate(c, events)]
    assert got == reference(c, events)


@settings(max_examples=150, deadline=None)
@given(events_strategy(1, st.none()), st.sampled_from([">=", ">", "<", "="]), st.integers(1, 6))
def test_event_counts(events: list[Event], op: str, count: int) -> None:
    check(correlation("event_count", op, count), events)


@settings(max_examples=150, deadline=None)
@given(events_strategy(1, st.sampled_from(["22", "80", "443", "", None])), st.integers(1, 4))
def test_distinct_values(events: list[Event], count: int) -> None:
    check(correlation("value_count", ">=", count), events)


@settings(max_examples=150, deadline=None)
@given(events_strategy(1, st.sampled_from([0, 1, 7, 2**53 + 1, 1000])), st.integers(1, 2**53 + 10))
def test_exact_sums(events: list[Event], count: int) -> None:
    check(correlation("value_sum", ">=", count), events)


@settings(max_examples=150, deadline=None)
@given(events_strategy(3, st.none()), st.sampled_from([1, 2, 3]))
def test_temporal(events: list[Event], required: int) -> None:
    check(correlation("temporal", ">=", required, members=3), events)  # 1: all three rules; 2, 3: that many
