"""The profile of a column in a view (see :mod:`logsheet.analysis`)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from logsheet.compiler import ViewPlan
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.sqlnames import ident, lit
from logsheet.engines.duckdb import DEFAULT_TIMEOUT
from logsheet.export.render import json_value

if TYPE_CHECKING:
    from logsheet.compiler.resolve import Resolved

from logsheet.analysis.common import Engine, over

MAX_TOP = 1000
EXACT_DISTINCT_ROWS = 5_000_000  # above this many rows in a sheet, profiles count distinct values approximately
IP_SAMPLE = 200  # distinct non-blank values looked at to decide whether a text column holds IP addresses
IP_SHARE = 0.9  # ... and the share of them that must parse as addresses (CloudTrail's sourceIPAddress also
# holds service names such as ec2.amazonaws.com; those count as "other")
# Addresses that are not routed on the internet: RFC 1918, loopback, link-local, CGNAT, unique local (IPv6).
PRIVATE_NETWORKS = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
)
ALL_NETWORKS = ("0.0.0.0/0", "::/0")
_PRIVATE = tuple(ipaddress.ip_network(n) for n in PRIVATE_NETWORKS)
IP_SPLIT_IN_PYTHON = 1_000_000  # up to this many distinct values, they are classified here (fast, exact)


@dataclass
class IpSplit:
    """How the non-blank values of an IP column divide: private (not routed), public, and not an address."""

    private: int
    public: int
    other: int

    def to_json(self) -> dict[str, int]:
        return {"private": self.private, "public": self.public, "other": self.other}


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
    ip: IpSplit | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ip": self.ip.to_json() if self.ip else None,
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
    found = engine.fetch(over(plan.filtered).select(*stats, append=False), timeout).rows[0]
    values: list[tuple[Any, int]] = []
    if top:
        grouped = (
            over(plan.filtered)
            .select(exp.Alias(this=value, alias=ident("value")), exp.Count(this=exp.Star()), append=False)
            .where(exp.Not(this=exp.Is(this=value, expression=exp.Null())))
            .group_by(value)
            .order_by(exp.Ordered(this=exp.Count(this=exp.Star()), desc=True), exp.Ordered(this=value))
            .limit(lit(top))
        )
        values = [(v, int(n)) for v, n in engine.fetch(grouped, timeout).rows]
    result = Profile(
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
    if target.type == "text" and _holds_ips(plan, engine, column, target, blank, timeout):
        if result.distinct <= IP_SPLIT_IN_PYTHON:
            result.ip = _ip_split_by_value(plan, engine, target, timeout)
        else:
            result.ip = _ip_split(plan, engine, column, blank, timeout)
        result.min = result.max = None  # text order of addresses means nothing
    return result


def _address(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a text value holds (trimmed, an IPv6 zone such as ``%eth0`` dropped), as the compiler reads it."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip().split("%")[0])
    except ValueError:
        return None


def _is_ip(value: object) -> bool:
    return _address(value) is not None


def _ip_split_by_value(plan: ViewPlan, engine: Engine, target: Resolved, timeout: float | None) -> IpSplit:
    """The split from the view's distinct values and their counts, each value classified once."""
    grouped = (
        over(plan.filtered)
        .select(exp.Alias(this=target.expression, alias=ident("value")), exp.Count(this=exp.Star()), append=False)
        .where(exp.Not(this=exp.Is(this=target.expression, expression=exp.Null())))
        .group_by(target.expression)
    )
    private = public = other = 0
    for value, count in engine.fetch(grouped, timeout).rows:
        if isinstance(value, str) and not value.strip():
            continue  # blank
        address = _address(value)
        if address is None:
            other += int(count)
        elif any(address.version == n.version and address in n for n in _PRIVATE):
            private += int(count)
        else:
            public += int(count)
    return IpSplit(private, public, other)


def _holds_ips(plan: ViewPlan, engine: Engine, column: str, target: Resolved, blank: exp.Expr, timeout: float | None) -> bool:
    """A text column is an IP column when at least IP_SHARE of a sample of its distinct non-blank values parse
    as IPv4 or IPv6 addresses."""
    sample = (
        over(plan.filtered)
        .select(exp.Alias(this=target.expression, alias=ident("value")), append=False)
        .where(exp.Not(this=exp.Paren(this=blank)))
        .distinct()
        .limit(lit(IP_SAMPLE))
    )
    found = [row[0] for row in engine.fetch(sample, timeout).rows]
    return bool(found) and sum(_is_ip(v) for v in found) >= IP_SHARE * len(found)


def _ip_split(plan: ViewPlan, engine: Engine, column: str, blank: exp.Expr, timeout: float | None) -> IpSplit:
    compiler = PredicateCompiler(plan.schema, plan.dialect)

    def any_of(networks: tuple[str, ...]) -> exp.Expr:
        tests = [compiler.compile(ir.InCidr(column, n)) for n in networks]
        return exp.Paren(this=exp.or_(*tests))

    counts = over(plan.filtered).select(
        exp.CountIf(this=exp.Not(this=exp.Paren(this=blank))),
        exp.CountIf(this=any_of(PRIVATE_NETWORKS)),
        exp.CountIf(this=any_of(ALL_NETWORKS)),
        append=False,
    )
    present, private, addresses = (int(n or 0) for n in engine.fetch(counts, timeout).rows[0])
    return IpSplit(private, addresses - private, present - addresses)
