"""The time histogram of a view (see :mod:`logsheet.analysis`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from logsheet.compiler import ViewPlan
from logsheet.compiler.resolve import coerce, parse_timestamp, resolve
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import cast, ident, lit
from logsheet.engines.duckdb import DEFAULT_TIMEOUT
from logsheet.export.render import json_value

if TYPE_CHECKING:
    pass

from logsheet.analysis.common import Engine, over

NICE_INTERVALS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)
WEEK = 604800
MONDAY = 4 * 86400  # 1970-01-05 was a Monday: weekly buckets start there
MAX_BUCKETS = 1000


@dataclass
class Histogram:
    column: str
    interval_seconds: int
    buckets: list[tuple[datetime, datetime, int]]
    total: int
    start: datetime | None = None
    end: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "interval_seconds": self.interval_seconds,
            "start": json_value(self.start),
            "end": json_value(self.end),
            "buckets": [{"start": json_value(a), "end": json_value(b), "count": n} for a, b, n in self.buckets],
            "total": self.total,
        }


def choose_interval(span_seconds: float, buckets: int) -> int:
    """The smallest nice interval that covers ``span_seconds`` in at most ``buckets`` buckets, up to a week; past
    that a week, unless that would make more than MAX_BUCKETS buckets (a stray 1970 timestamp among this
    year's): then whole weeks, as few as keep it to MAX_BUCKETS."""
    target = span_seconds / max(buckets, 1)
    if target <= WEEK:
        return next(i for i in NICE_INTERVALS if i >= target)
    return WEEK * max(1, math.ceil(span_seconds / (WEEK * MAX_BUCKETS)))


def histogram(
    plan: ViewPlan,
    engine: Engine,
    buckets: int = 60,
    start: str | None = None,
    end: str | None = None,
    column: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Histogram:
    if not 1 <= buckets <= MAX_BUCKETS:
        raise InvalidQuery(f"a histogram has 1 to {MAX_BUCKETS} buckets, not {buckets}")
    name = column or plan.time_column
    if not name:
        raise InvalidQuery("this sheet has no time column; name a timestamp column for the histogram")
    value = _time_value(name, plan.schema)
    low = parse_timestamp(start, name) if start else None
    high = parse_timestamp(end, name) if end else None
    if low is not None and high is not None and low > high:
        raise InvalidQuery("the histogram's start is after its end")
    conditions: list[exp.Expr] = [exp.Not(this=exp.Is(this=value, expression=exp.Null()))]
    if low is not None:
        conditions.append(exp.GTE(this=value, expression=coerce(start, "timestamp", name)))
    if high is not None:
        conditions.append(exp.LTE(this=value, expression=coerce(end, "timestamp", name)))
    rows = over(plan.filtered).where(exp.and_(*conditions))

    if low is not None and high is not None:
        first, last, total = low.timestamp(), high.timestamp(), None
    else:
        epoch = exp.TimeToUnix
        stats = rows.select(
            epoch(this=exp.Min(this=value)), epoch(this=exp.Max(this=value)), exp.Count(this=exp.Star()), append=False
        )
        found = engine.fetch(stats, timeout).rows[0]
        if not found[2]:
            return Histogram(name, choose_interval(0, buckets), [], 0, low, high)
        first = low.timestamp() if low is not None else float(found[0])
        last = high.timestamp() if high is not None else float(found[1])
        total = int(found[2])

    interval = choose_interval(last - first, buckets)
    origin = MONDAY if interval % WEEK == 0 else 0
    since = exp.Paren(this=exp.Sub(this=exp.TimeToUnix(this=value), expression=lit(origin)))
    index = cast(exp.Floor(this=exp.Div(this=since, expression=lit(interval))), "BIGINT")
    counted = rows.select(exp.Alias(this=index, alias=ident("b")), exp.Count(this=exp.Star()), append=False).group_by(index)
    counts = {int(b): int(n) for b, n in engine.fetch(counted, timeout).rows}
    lo, hi = math.floor((first - origin) / interval), math.floor((last - origin) / interval)
    out = [(_at(origin + b * interval), _at(origin + (b + 1) * interval), counts.get(b, 0)) for b in range(lo, hi + 1)]
    return Histogram(name, interval, out, sum(counts.values()) if total is None else total, _at(first), _at(last))


def _time_value(name: str, schema: Schema) -> exp.Expr:
    target = resolve(name, schema)
    if target.type == "timestamp":
        return target.expression
    if target.type == "date":
        return cast(target.expression, "TIMESTAMPTZ")
    raise InvalidQuery(f"column {name!r} holds {target.type}, not timestamps; parse or cast it to a timestamp first")


def _at(seconds: float) -> datetime:
    """The instant, clamped to what Python dates hold (years 1 to 9999; an engine holds more)."""
    return datetime.fromtimestamp(min(max(seconds, _EARLIEST), _LATEST), tz=UTC)


_EARLIEST = datetime.min.replace(tzinfo=UTC).timestamp()
_LATEST = datetime.max.replace(tzinfo=UTC).timestamp()
