"""Sigma correlation rules: ``event_count``, ``value_count``, ``value_sum``, ``temporal`` and ``temporal_ordered``, with
``group-by`` (and ``aliases``) and ``timespan``.

A :class:`CompiledCorrelation` holds its member rules (already compiled, each with the columns its group-by
fields and counted field are stored in). Running it takes two steps so that this layer never touches a
sheet: :meth:`CompiledCorrelation.event_query` is the view of one member's matches (its predicate, with the
time, group and value columns), and :func:`evaluate` finds the windows over those rows — every rows the
member rules flag, not the whole sheet, so the work is bounded by the matches.

Windows slide: one starts at each matching event and lasts ``timespan`` seconds (inclusive). A group
is flagged where a window satisfies the condition — ``event_count``: the number of events; ``value_count``:
the number of distinct non-blank values of the field; ``value_sum``: the sum of the field's numeric values
(blank or non-numeric values add nothing); ``temporal``: every member rule (or the condition's
count of them, when it asks for more than one) matched; ``temporal_ordered``: the members matched in the
order the rule lists them, each strictly later than the one before. Overlapping flagged windows of one group are one
:class:`Window` (first and last seen, every event in it).
"""

from __future__ import annotations

import math
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Literal

from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationConditionOperator, SigmaCorrelationRule

from logsheet.core import ir

CorrelationKind = Literal["event_count", "value_count", "value_sum", "temporal", "temporal_ordered"]
KINDS: tuple[str, ...] = ("event_count", "value_count", "value_sum", "temporal", "temporal_ordered")
CountOp = Literal["<", "<=", ">", ">=", "=", "!="]
_OPS: dict[SigmaCorrelationConditionOperator, CountOp] = {
    SigmaCorrelationConditionOperator.LT: "<",
    SigmaCorrelationConditionOperator.LTE: "<=",
    SigmaCorrelationConditionOperator.GT: ">",
    SigmaCorrelationConditionOperator.GTE: ">=",
    SigmaCorrelationConditionOperator.EQ: "=",
    SigmaCorrelationConditionOperator.NEQ: "!=",
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Member:
    """One rule a correlation refers to: its id, its predicate, the columns of the correlation's group-by
    fields in its rows (aliases applied), and the column of the counted or summed field (``value_count``, ``value_sum``)."""

    rule_id: str
    title: str
    predicate: ir.Predicate
    group_by: tuple[str, ...]
    value: str = ""


@dataclass(frozen=True)
class CompiledCorrelation:
    id: str
    title: str
    level: str
    status: str
    tags: tuple[str, ...]
    description: str
    kind: CorrelationKind
    members: tuple[Member, ...]
    group_by: tuple[str, ...]  # the names the rule gives (aliases as written)
    timespan: int  # seconds
    op: CountOp
    count: float
    format: str
    origin: str
    generate: bool = False  # Sigma's ``generate``: its member rules also report their own matches

    def event_query(self, member: Member, time_column: str) -> ir.Query:
        """The view of a member's matches that :meth:`events` reads: time, group columns, counted value."""
        return ir.Query(where=member.predicate, columns=_event_columns(member, time_column))

    def events(self, index: int, time_column: str, rowids: Sequence[int], rows: Sequence[Sequence[Any]]) -> list[Event]:
        """The events of member ``index`` from the rows (and row ids) of its :meth:`event_query`; rows without
        a time are left out (they cannot be placed in a window)."""
        member = self.members[index]
        columns = _event_columns(member, time_column)
        at = {name: i for i, name in enumerate(columns)}
        out = []
        for rowid, row in zip(rowids, rows):
            moment = row[at[time_column]]
            if not isinstance(moment, datetime):
                continue
            group = tuple(row[at[g]] for g in member.group_by)
            value = row[at[member.value]] if member.value else None
            out.append(Event(index, int(rowid), moment, group, value))
        return out

    def required(self) -> int:
        """How many distinct member rules a temporal window needs."""
        return len(self.members) if self.count <= 1 else int(self.count)


@dataclass(frozen=True)
class Event:
    """A row a member rule flagged: which member (its index), its row id, time, group key and value."""

    member: int
    rowid: int
    time: datetime
    group: tuple[Any, ...]
    value: Any = None


@dataclass(frozen=True)
class Window:
    """A flagged group: its key, first and last seen, the rows in it, and the measure that passed."""

    group: tuple[Any, ...]
    first: datetime
    last: datetime
    rowids: tuple[int, ...]
    measure: float


def _event_columns(member: Member, time_column: str) -> tuple[str, ...]:
    columns = (time_column, *member.group_by, *((member.value,) if member.value else ()))
    return tuple(dict.fromkeys(columns))


class CorrelationUnsupported(Exception):
    """A correlation this compiler cannot run; the message says why."""


def correlation_parts(rule: SigmaCorrelationRule) -> tuple[CorrelationKind, CountOp, float, str, tuple[str, ...], int]:
    """(kind, op, count, counted field, group-by, timespan) of a correlation, or why it is not supported."""
    kind = str(rule.type)
    if kind not in KINDS:
        raise CorrelationUnsupported(f"not supported yet: {kind} correlation")
    condition = rule.condition
    if not isinstance(condition, SigmaCorrelationCondition) or condition.op not in _OPS:
        raise CorrelationUnsupported(f"not supported yet: an extended {kind} condition")
    op = _OPS[condition.op]
    field = condition.fieldref or ""
    if isinstance(field, list):
        if len(field) != 1:
            raise CorrelationUnsupported(f"not supported yet: {kind} over several fields")
        field = field[0]
    if kind in ("value_count", "value_sum") and not field:
        raise CorrelationUnsupported(f"a {kind} correlation needs the condition's 'field'")
    return kind, op, float(condition.count), str(field), tuple(rule.group_by or ()), int(rule.timespan.seconds)  # type: ignore[return-value]  # kind is one of KINDS


def evaluate(correlation: CompiledCorrelation, events: Iterable[Event]) -> list[Window]:
    """The flagged windows, per group in key order, each group's windows in time order.

    Group keys compare ignoring case, as Sigma matches values (a window shows the key as its first event
    spells it); an event with a blank group field is in no group (as pySigma's SQL backends do)."""
    groups: dict[tuple[Any, ...], list[Event]] = defaultdict(list)
    for e in events:
        if any(v is None or v == "" for v in e.group):
            continue
        groups[_fold(e.group)].append(e)
    out: list[Window] = []
    for key in sorted(groups, key=lambda k: tuple(str(v) for v in k)):
        ordered = sorted(groups[key], key=lambda e: (e.time, e.rowid))
        spans = _flagged_spans(correlation, ordered)
        out.extend(_merge(ordered[0].group, ordered, spans))
    return out


def _fold(group: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.casefold() if isinstance(v, str) else v for v in group)


def _flagged_spans(c: CompiledCorrelation, events: Sequence[Event]) -> list[tuple[int, int, float]]:
    """(first index, last index, measure) of every flagged window, a window starting at each event.

    One pass: the window's end only moves forward, and its measure is kept up to date as events enter and
    leave it (:class:`_Tally`), so a group of n events costs O(n), however many fall in one window."""
    spans: list[tuple[int, int, float]] = []
    if c.kind == "temporal_ordered":
        end = 0
        for start, first in enumerate(events):
            end = _window_end(events, start, max(end, start), first.time + timedelta(seconds=c.timespan))
            last = _ordered_end(events[start : end + 1], len(c.members))
            if last is not None:
                spans.append((start, start + last, float(len(c.members))))
        return spans
    tally = _Tally(c.kind)
    end = -1
    for start, first in enumerate(events):
        limit = first.time + timedelta(seconds=c.timespan)  # exact: no float rounding at microseconds
        while end + 1 < len(events) and events[end + 1].time <= limit:
            end += 1
            tally.add(events[end])
        measure = tally.measure()
        passed = measure >= c.required() if c.kind == "temporal" else _COMPARE[c.op](measure, c.count)
        if passed:
            spans.append((start, end, measure))
        tally.remove(first)
    return spans


def _window_end(events: Sequence[Event], start: int, end: int, limit: datetime) -> int:
    while end + 1 < len(events) and events[end + 1].time <= limit:
        end += 1
    return end


class _Tally:
    """The measure of the events in a sliding window: their number (``event_count``), their distinct non-blank
    values (``value_count``), the exact sum of their values (``value_sum``: integers stay integers, other
    numbers are exact fractions, so events leaving the window never leave rounding behind), or the member
    rules that matched in it (``temporal``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.events = 0
        self.counts: Counter[Any] = Counter()
        self.total: Fraction | int = 0

    def add(self, e: Event) -> None:
        self._change(e, 1)

    def remove(self, e: Event) -> None:
        self._change(e, -1)

    def _change(self, e: Event, step: int) -> None:
        self.events += step
        if self.kind == "value_sum":
            self.total += step * _exact(e.value)
            return
        key = e.member if self.kind == "temporal" else e.value
        if self.kind == "value_count" and (key is None or key == ""):
            return
        self.counts[key] += step
        if self.counts[key] == 0:
            del self.counts[key]

    def measure(self) -> float:
        if self.kind == "event_count":
            return float(self.events)
        if self.kind == "value_sum":
            return float(self.total)
        return float(len(self.counts))


def _exact(value: Any) -> Fraction | int:
    """A summed value as an exact number: 0 for a blank, boolean or non-numeric value (it adds nothing)."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Fraction(value) if math.isfinite(value) else 0
    try:
        return int(str(value))
    except ValueError:
        pass
    try:
        number = float(str(value))
    except ValueError:
        return 0
    return Fraction(number) if math.isfinite(number) else 0


def _ordered_end(window: Sequence[Event], members: int) -> int | None:
    """Where, in a window that starts with an event of member 0, members 1, 2, ... have each matched after
    the one before (the index of the last one's event); None when they do not all match in order."""
    if not window or window[0].member != 0:
        return None
    wanted, previous = 1, window[0].time
    if wanted == members:
        return 0
    for i in range(1, len(window)):
        if window[i].member == wanted and window[i].time > previous:  # each strictly after the one before
            wanted, previous = wanted + 1, window[i].time
            if wanted == members:
                return i
    return None


def _merge(key: tuple[Any, ...], events: Sequence[Event], spans: list[tuple[int, int, float]]) -> list[Window]:
    out: list[Window] = []
    current: list[int] | None = None  # [first index, last index]
    best = 0.0
    for first, last, measure in spans:
        if current is not None and first <= current[1]:
            current[1] = max(current[1], last)
            best = max(best, measure)
            continue
        if current is not None:
            out.append(_window(key, events, current, best))
        current, best = [first, last], measure
    if current is not None:
        out.append(_window(key, events, current, best))
    return out


def _window(key: tuple[Any, ...], events: Sequence[Event], span: list[int], measure: float) -> Window:
    inside = events[span[0] : span[1] + 1]
    rowids = tuple(dict.fromkeys(e.rowid for e in inside))  # a row two member rules flag counts once
    return Window(key, inside[0].time, inside[-1].time, rowids, measure)
