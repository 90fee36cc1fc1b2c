"""What the sheet page shows beside the grid: a time histogram of the view, a column profile, and the preview
of a step before it is applied.

Each is a small sqlglot statement over a compiled view's ``filtered`` relation (the rows after steps, filter
and search; a view's group-by does not apply), run on the view's engine (DuckDB or Spark: the statements use
only functions both transpile to, ``epoch`` being ``unix_micros(x) / 1e6`` on Spark) with the same time budget as
any query.

- Histogram: buckets of a "nice" width (1 s ... 1 week; whole weeks past that, keeping to 1000 buckets) chosen
  so that about ``buckets`` of them cover the time range (the view's first to last time, or the
  ``start``/``end`` the person zoomed to). Buckets are aligned to the epoch (weeks start on Mondays) and empty
  buckets are included with a count of 0.
- Profile: rows, blanks (NULL, or empty/whitespace text: the filter language's ``is blank``), distinct values
  (exact, or the engine's ``approx_count_distinct`` when the caller asks for speed, flagged ``approximate``),
  min, max and the top values with their counts (NULL is not a value; blanks are counted apart).
- Preview: the view with one more step, its first rows in storage order, and the columns the step adds or
  changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlglot import exp

from logsheet import ir
from logsheet.compiler import ViewPlan
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import coerce, parse_timestamp, resolve
from logsheet.engine import DEFAULT_TIMEOUT
from logsheet.errors import InvalidQuery
from logsheet.render import json_value
from logsheet.schema import Schema
from logsheet.sqlnames import cast, ident, lit

if TYPE_CHECKING:
    from logsheet.engine import Result
    from logsheet.workspace import Page

NICE_INTERVALS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)
WEEK = 604800
MONDAY = 4 * 86400  # 1970-01-05 was a Monday: weekly buckets start there
MAX_BUCKETS = 1000
MAX_TOP = 1000
EXACT_DISTINCT_ROWS = 5_000_000  # above this many rows in a sheet, profiles count distinct values approximately


class Engine(Protocol):
    """What runs the statements: logsheet.engine.DuckEngine or logsheet.spark.engine.SparkEngine."""

    def fetch(self, statement: exp.Expr, timeout: float | None = ...) -> Result: ...


# ----------------------------------------------------------------------------------------------- histogram
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
    rows = _over(plan.filtered).where(exp.and_(*conditions))

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


# ------------------------------------------------------------------------------------------------- profile
@dataclass
class Profile:
    column: str
    type: str
    rows: int
    blanks: int
    distinct: int
    approximate: bool
    min: Any
    max: Any
    top: list[tuple[Any, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "type": self.type,
            "rows": self.rows,
            "blanks": self.blanks,
            "distinct": self.distinct,
            "approximate": self.approximate,
            "min": json_value(self.min),
            "max": json_value(self.max),
            "top": [{"value": json_value(v), "count": n} for v, n in self.top],
        }


def profile(
    plan: ViewPlan,
    engine: Engine,
    column: str,
    top: int = 20,
    exact: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Profile:
    if not 0 <= top <= MAX_TOP:
        raise InvalidQuery(f"a profile lists 0 to {MAX_TOP} top values, not {top}")
    target = resolve(column, plan.schema)
    value = target.expression
    blank = PredicateCompiler(plan.schema, plan.dialect).compile(ir.Blank(column))
    distinct = exp.Count(this=exp.Distinct(expressions=[value])) if exact else exp.ApproxDistinct(this=value)
    ordered = target.type != "json"  # min/max of JSON text mean nothing
    stats: list[exp.Expr] = [exp.Count(this=exp.Star()), exp.CountIf(this=blank), distinct]
    if ordered:
        stats += [exp.Min(this=value), exp.Max(this=value)]
    found = engine.fetch(_over(plan.filtered).select(*stats, append=False), timeout).rows[0]
    values: list[tuple[Any, int]] = []
    if top:
        grouped = (
            _over(plan.filtered)
            .select(exp.Alias(this=value, alias=ident("value")), exp.Count(this=exp.Star()), append=False)
            .where(exp.Not(this=exp.Is(this=value, expression=exp.Null())))
            .group_by(value)
            .order_by(exp.Ordered(this=exp.Count(this=exp.Star()), desc=True), exp.Ordered(this=value))
            .limit(lit(top))
        )
        values = [(v, int(n)) for v, n in engine.fetch(grouped, timeout).rows]
    return Profile(
        column,
        target.type,
        int(found[0]),
        int(found[1] or 0),
        int(found[2] or 0),
        not exact,
        found[3] if ordered else None,
        found[4] if ordered else None,
        values,
    )


# ------------------------------------------------------------------------------------------------- preview
@dataclass
class Preview:
    page: Page
    new_columns: list[str]

    def to_json(self) -> dict[str, Any]:
        out = self.page.to_json()
        out["new_columns"] = self.new_columns
        return out


def preview_query(query: ir.Query, step: ir.Step) -> ir.Query:
    """The view with ``step`` added, as rows (no group-by, every column, storage order: fast to show)."""
    return query.with_(steps=(*query.steps, step), group=None, columns=(), sort=())


def changed_columns(before: Schema, after: Schema, step: ir.Step) -> list[str]:
    """The columns a step adds (split, extract, combine, rename) or rewrites in place (cast, case, trim)."""
    added = [c.name for c in after if c.name not in before]
    if added:
        return added
    source = getattr(step, "column", None)
    return [source] if isinstance(source, str) and source in after else []


def _over(relation: exp.Expr) -> exp.Select:
    """``SELECT * FROM (relation) AS t``."""
    return exp.select(exp.Star()).from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t"))))


__all__ = ["Histogram", "Preview", "Profile", "changed_columns", "choose_interval", "histogram", "preview_query", "profile"]
