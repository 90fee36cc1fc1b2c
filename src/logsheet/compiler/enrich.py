"""The enrich step: offline facts about the IP addresses of a column, as new columns.

``<column>.class`` comes from the IANA special-purpose networks (:mod:`logsheet.core.ipclass`), in SQL.
``<column>.aws_service`` / ``<column>.aws_region`` come from the workspace's AWS ranges and
``<column>.country`` / ``.city`` / ``.asn`` / ``.org`` from its GeoIP ranges: range tables the workspace
stores once as Parquet (:mod:`logsheet.enrich`) and hands to the compiler as externals (:data:`AWS_RANGES`,
:data:`GEOIP_RANGES`). Without AWS ranges the AWS columns are blank; without a GeoIP file there are no GeoIP
columns.

Everything is computed on the column's *distinct* values, then joined back on the value, so the range joins
run once per address however many rows hold it. IPv4 addresses (and IPv4-mapped IPv6 ones) are matched by
numeric bounds; IPv6 addresses are classified, and matched against the ranges by their 32-hex-digit form
(:meth:`~logsheet.compiler.dialects.base.Dialect.ipv6_hex`). Among AWS prefixes holding an address, a specific
service wins over the generic ``AMAZON``, then the longest prefix; the lowest row breaks ties.
"""

from __future__ import annotations

import ipaddress

from sqlglot import exp

from logsheet.compiler.dialects import Dialect
from logsheet.compiler.ipnum import ipv4_number, unmapped
from logsheet.compiler.lookup import Externals, _numbered
from logsheet.compiler.relation import aliased
from logsheet.compiler.resolve import name_taken, resolve
from logsheet.core import ipclass, ir
from logsheet.core.columns import ROWID, SYSTEM_COLUMNS
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import cast, col, ident, lit, to_text

AWS_RANGES = "enrich:aws"
GEOIP_RANGES = "enrich:geoip"

#: The columns of both range tables: IPv4 bounds as numbers (``lo``, ``hi``), IPv6 bounds as 32 hex digits
#: (``lo6``, ``hi6``), the prefix length (``bits``); then each table's facts.
RANGE_COLUMNS = (("lo", "integer"), ("hi", "integer"), ("lo6", "text"), ("hi6", "text"), ("bits", "integer"))
AWS_FACTS = (("aws_service", "service", "text"), ("aws_region", "region", "text"))
GEOIP_FACTS = (("country", "country", "text"), ("city", "city", "text"), ("asn", "asn", "integer"), ("org", "org", "text"))
GENERIC_AWS_SERVICE = "AMAZON"


def enrich_columns(column: str, geoip: bool) -> list[str]:
    """The names the step adds for ``column``."""
    facts = [*AWS_FACTS, *(GEOIP_FACTS if geoip else ())]
    return [f"{column}.class", *(f"{column}.{name}" for name, _, _ in facts)]


def enrich(
    step: ir.Enrich, relation: exp.Expr, schema: Schema, dialect: Dialect, externals: Externals, parts: tuple[str, ...] = ()
) -> tuple[exp.Expr, Schema]:
    target = resolve(step.column, schema)
    name = target.expression.name if not target.json_path else step.column
    geoip = externals.get(GEOIP_RANGES)
    aws = externals.get(AWS_RANGES)
    new = [(f"{name}.class", "text")]
    new += [(f"{name}.{n}", t) for n, _, t in AWS_FACTS]
    new += [(f"{name}.{n}", t) for n, _, t in GEOIP_FACTS] if geoip is not None else []
    for new_name, _ in new:
        taken = name_taken(new_name, schema)
        if taken is not None:
            raise InvalidQuery(f"a column named {taken.name!r} already exists: {step.column!r} is enriched already")
    value = target.expression if target.type in ("text", "json") else to_text(target.expression)
    key = exp.Nullif(this=value, expression=lit(""))  # no TRIM: it costs more than the joins on 10M rows
    distinct = (
        exp.select(aliased("__ea", key))
        .distinct()
        .from_(_sub(relation.copy(), "d"))
        .where(exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())))
    )
    v4 = unmapped(col("__ea"))
    addresses = exp.select(col("__ea"), aliased("__e4", v4), aliased("__en", ipv4_number(v4.copy(), dialect))).from_(
        _sub(distinct, "a0")
    )
    addresses = exp.select(exp.Star(), aliased("__eh", _hex(dialect))).from_(_sub(addresses, "a1"))
    facts = exp.select(_a("__ea"), aliased("__ec", _class(dialect))).from_(_sub(addresses, "a"))
    outputs: list[tuple[str, exp.Expr]] = [(new[0][0], _f("__ec"))]
    for i, (fact, table, source) in enumerate(((AWS_FACTS, aws, "__aw"), (GEOIP_FACTS, geoip, "__ge"))):
        if table is None:
            if fact is AWS_FACTS:
                outputs += [(f"{name}.{n}", cast(exp.Null(), "VARCHAR")) for n, _, _ in fact]
            continue
        best = _best(addresses, table.expression, fact, prefer_specific=fact is AWS_FACTS)
        alias = f"m{i}"
        facts = facts.join(_sub(best, alias), on=exp.EQ(this=_a("__ea"), expression=_q(alias, "__ea")), join_type="left")
        facts = facts.select(*[aliased(f"{source}_{n}", _q(alias, n)) for n, _, _ in fact])
        outputs += [(f"{name}.{n}", _f(f"{source}_{n}")) for n, _, _ in fact]
    projections: list[exp.Expr] = [col(c) for c in (*SYSTEM_COLUMNS, *parts, *schema.names())]  # parts: of row steps
    projections += [aliased(n, e) for n, e in outputs]
    select = (
        exp.select(*projections)
        .from_(_sub(relation, "t"))
        .join(_sub(facts, "f"), on=exp.EQ(this=key.copy(), expression=_f("__ea")), join_type="left")
    )
    return select, Schema([*schema, *(Column(n, t) for n, t in new)])


def _sub(relation: exp.Expr, alias: str) -> exp.Subquery:
    return exp.Subquery(this=relation, alias=exp.TableAlias(this=ident(alias)))


def _q(table: str, name: str) -> exp.Column:
    return exp.Column(this=ident(name), table=ident(table))


def _a(name: str) -> exp.Column:
    return _q("a", name)


def _f(name: str) -> exp.Column:
    return _q("f", name)


def _hex(dialect: Dialect) -> exp.Expr:
    """The IPv6 address as 32 hex digits, NULL for IPv4 (mapped ones included) and for text that is no address."""
    is_v6 = exp.And(
        this=exp.Is(this=col("__en"), expression=exp.Null()),
        expression=exp.GT(this=exp.StrPosition(this=col("__ea"), substr=lit(":")), expression=lit(0)),
    )
    return exp.Case(ifs=[exp.If(this=is_v6, true=dialect.ipv6_hex(col("__ea")))], default=cast(exp.Null(), "VARCHAR"))


def _class(dialect: Dialect) -> exp.Expr:
    ifs = []
    for text, kind in ipclass.SPECIAL_NETWORKS:
        network = ipaddress.ip_network(text)
        if network.version == 4:
            test: exp.Expr = exp.Between(
                this=_a("__en"), low=lit(int(network.network_address)), high=lit(int(network.broadcast_address))
            )
        else:
            low = f"{int(network.network_address):032x}"
            high = f"{int(network.broadcast_address):032x}"
            test = exp.Between(this=_a("__eh"), low=lit(low), high=lit(high))
        ifs.append(exp.If(this=test, true=lit(kind)))
    is_address = exp.Or(
        this=exp.Not(this=exp.Is(this=_a("__en"), expression=exp.Null())),
        expression=exp.Not(this=exp.Is(this=_a("__eh"), expression=exp.Null())),
    )
    ifs.append(exp.If(this=is_address, true=lit("public")))
    return exp.Case(ifs=ifs, default=cast(exp.Null(), "VARCHAR"))


def _best(addresses: exp.Select, ranges: exp.Expr, facts: tuple[tuple[str, str, str], ...], prefer_specific: bool) -> exp.Expr:
    """Per address, the facts of the best range holding it: IPv4 by number, IPv6 by hex digits (two joins,
    each a plain range join, unioned)."""
    branches = []
    for number, low, high in (("__en", "lo", "hi"), ("__eh", "lo6", "hi6")):
        inside = exp.Between(this=_q("x", number), low=_q("w", low), high=_q("w", high))
        projections = [aliased("__ea", _q("x", "__ea")), _q("w", "bits"), _q("w", ROWID)]
        projections += [aliased(n, _q("w", source)) for n, source, _ in facts]
        branches.append(
            exp.select(*projections)
            .from_(_sub(addresses.copy(), "x"))
            .join(_sub(ranges.copy(), "w"), on=inside, join_type="inner")
        )
    union = exp.union(branches[0], branches[1], distinct=False)
    matches = exp.select(exp.Star()).from_(_sub(union, "u"))
    order = []
    if prefer_specific:
        generic = exp.EQ(this=col(facts[0][0]), expression=lit(GENERIC_AWS_SERVICE))
        order.append(exp.Ordered(this=cast(generic, "INT"), desc=False, nulls_first=False))
    order += [
        exp.Ordered(this=col("bits"), desc=True, nulls_first=False),
        exp.Ordered(this=col(ROWID), desc=False, nulls_first=False),
    ]
    return _numbered(matches, [col("__ea")], order)


__all__ = ["AWS_RANGES", "GEOIP_RANGES", "RANGE_COLUMNS", "enrich", "enrich_columns"]
