"""What differs between engines, in one small class per engine.

The compiler emits sqlglot nodes that transpile to every dialect; the few constructs that do not (how a
sheet's files are read, list slicing, IPv6 networks, timestamp parsing) are asked of the dialect.
"""

from __future__ import annotations

import ipaddress

from sqlglot import exp

from logsheet.sqlnames import cast, col, func, lit

IPV6_UDF = "logsheet_ipv6_in_network"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^{_OCTET}(\.{_OCTET}){{3}}$"


class Dialect:
    """DuckDB, the embedded default."""

    name = "duckdb"

    def column(self, name: str) -> exp.Expr:
        return col(name)

    def source(self, paths: list[str]) -> exp.Expr:
        """The table expression reading a sheet's Parquet parts (schemas may differ between appends)."""
        files = exp.Array(expressions=[lit(p) for p in paths])
        return exp.Table(this=func("read_parquet", files, exp.EQ(this=exp.var("union_by_name"), expression=exp.true())))

    def regex(self, pattern: str) -> str:
        return pattern

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return exp.RegexpSplit(this=exp.Trim(this=value), expression=lit(_regex_escape(delimiter) + "+"))
        return exp.Split(this=value, expression=lit(delimiter))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        """The 1-based element of a list, NULL past the end."""
        return exp.Bracket(this=items, expressions=[lit(index)], offset=1, safe=True)

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        """Elements ``start..end`` (1-based) joined back with the delimiter; NULL when there are none."""
        tail = func("list_slice", items, lit(start), lit(-1))
        joined = func("array_to_string", tail, lit(delimiter))
        return exp.Nullif(this=joined, expression=lit(""))

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return cast(func("try_strptime", value, lit(fmt)), "TIMESTAMPTZ")

    def ip_in_network(self, value: exp.Expr, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> exp.Expr:
        if network.version == 4:
            return self._ipv4_in(value, int(network.network_address), int(network.broadcast_address))
        return func(IPV6_UDF, value, lit(str(network)))

    def _ipv4_in(self, value: exp.Expr, low: int, high: int) -> exp.Expr:
        octets = [
            cast(exp.SplitPart(this=value, delimiter=lit("."), part_index=lit(i)), "BIGINT", safe=True) for i in range(1, 5)
        ]
        number: exp.Expr = octets[3]
        for weight, octet in ((256, octets[2]), (65536, octets[1]), (16777216, octets[0])):
            number = exp.Add(this=exp.Mul(this=octet, expression=lit(weight)), expression=number)
        return exp.And(
            this=exp.RegexpLike(this=value, expression=lit(IPV4_PATTERN)),
            expression=exp.Between(this=exp.Paren(this=number), low=lit(low), high=lit(high)),
        )


def _regex_escape(text: str) -> str:
    return "".join("\\" + ch if not ch.isalnum() and ch != " " else ch for ch in text)


def ipv6_in_network(value: str | None, network: str | None) -> bool:
    """The Python side of the IPv6 network test, registered as a scalar function on each connection."""
    if not value or not network:
        return False
    try:
        return ipaddress.ip_address(value.strip().split("%")[0]) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


DUCKDB = Dialect()
