"""DuckDB, the embedded engine and the default dialect: the sheet's Parquet parts read by
``read_parquet``, RE2 regexes as they are, ``try_strptime``, and IPv6 networks tested by a Python function
the DuckDB engine registers on each connection (:data:`IPV6_UDF`, :func:`ipv6_in_network`)."""

from __future__ import annotations

import functools
import ipaddress

from sqlglot import exp

from logsheet.compiler.dialects.base import ELEMENT, POSITION, Dialect, Network
from logsheet.compiler.regex import escape
from logsheet.core.sqlnames import cast, col, func, ident, lit

ITEMS = "__items"


def _sub(relation: exp.Expr) -> exp.Subquery:
    return exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t")))


IPV6_UDF = "logsheet_ipv6_in_network"


class DuckDBDialect(Dialect):
    """DuckDB, the embedded default."""

    name = "duckdb"

    def source(self, paths: list[str]) -> exp.Expr:
        files = exp.Array(expressions=[lit(p) for p in paths])
        return exp.Table(this=func("read_parquet", files, exp.EQ(this=exp.var("union_by_name"), expression=exp.true())))

    def regex(self, pattern: str) -> str:
        return pattern

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return exp.RegexpSplit(this=exp.Trim(this=value), expression=lit(escape(delimiter) + "+"))
        return exp.Split(this=value, expression=lit(delimiter))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        return exp.Bracket(this=items, expressions=[lit(index)], offset=1, safe=True)

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        tail = func("list_slice", items, lit(start), lit(-1))
        joined = func("array_to_string", tail, lit(delimiter))
        return exp.Nullif(this=joined, expression=lit(""))

    def json_array(self, value: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        every = exp.JSONPath(expressions=[*path.expressions, exp.JSONPathSubscript(this=exp.JSONPathWildcard())])
        element = exp.column("__e")
        kind = func("json_type", element)
        text = exp.Case(
            ifs=[
                exp.If(this=exp.EQ(this=kind, expression=lit("NULL")), true=exp.Null()),
                exp.If(
                    this=exp.EQ(this=kind.copy(), expression=lit("VARCHAR")),
                    true=exp.JSONExtractScalar(this=element.copy(), expression=exp.JSONPath(expressions=[exp.JSONPathRoot()])),
                ),
            ],
            default=cast(element.copy(), "VARCHAR"),
        )
        # not ->: list_transform does not bind over it; text that is no JSON has no elements (as on Spark); a
        # column of only blanks may be stored untyped: as text, json_extract gives a list
        value = cast(value, "VARCHAR")
        valid = exp.Coalesce(this=func("json_valid", value), expressions=[exp.false()])
        listed = exp.Case(ifs=[exp.If(this=valid, true=func("json_extract", value.copy(), every))])
        return func("list_transform", listed, exp.Lambda(this=text, expressions=[exp.to_identifier("__e")]))

    def json_field(self, element: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        # A string element is text, not JSON: reading a path in it would fail the query.
        valid = exp.Coalesce(this=func("json_valid", element), expressions=[exp.false()])
        return exp.Case(ifs=[exp.If(this=valid, true=exp.JSONExtractScalar(this=element.copy(), expression=path))])

    def unnest(self, relation: exp.Expr, keep: list[str], items: exp.Expr, outer: bool) -> exp.Select:
        listed = col(ITEMS)
        if outer:  # a NULL or empty list: one NULL element
            empty = exp.Coalesce(this=exp.GT(this=func("len", col(ITEMS)), expression=lit(0)), expressions=[exp.false()])
            listed = exp.If(this=empty, true=col(ITEMS), false=cast(exp.Array(expressions=[exp.Null()]), "VARCHAR[]"))  # type: ignore[assignment]
        inner = exp.select(*[col(n) for n in keep], exp.Alias(this=items, alias=ident(ITEMS))).from_(_sub(relation))
        return exp.select(
            *[col(n) for n in keep],
            exp.Alias(this=func("unnest", listed), alias=ident(ELEMENT)),
            exp.Alias(this=func("generate_subscripts", listed.copy(), lit(1)), alias=ident(POSITION)),
        ).from_(_sub(inner))

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return cast(func("try_strptime", value, lit(fmt)), "TIMESTAMPTZ")

    def ip_in_network(self, value: exp.Expr, network: Network) -> exp.Expr:
        if network.version == 4:
            return self._ipv4_in(value, int(network.network_address), int(network.broadcast_address))
        # Only text with a colon can be an IPv6 address: the others never reach the Python function (a CASE,
        # not an AND, since DuckDB computes both sides of an AND outside a WHERE).
        has_colon = exp.GT(this=exp.StrPosition(this=value.copy(), substr=lit(":")), expression=lit(0))
        return exp.Case(ifs=[exp.If(this=has_colon, true=func(IPV6_UDF, value, lit(str(network))))], default=exp.false())


def ipv6_in_network(value: str | None, network: str | None) -> bool:
    """The Python side of the IPv6 network test, registered as a scalar function on each connection."""
    if not value or not network:
        return False
    try:
        return ipaddress.ip_address(value.strip().split("%")[0]) in _network(network)
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)


DUCKDB = DuckDBDialect()
