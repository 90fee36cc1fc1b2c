"""IP addresses and networks as numbers, in SQL every engine runs: what range joins compare.

An IPv4 address (dotted text) becomes a BIGINT; a network (``10.0.0.0/8``, a bare address meaning ``/32``) its
lowest and highest address. Text that is not one becomes NULL, so it never matches a range. IPv6 is asked of the
dialect (:meth:`~logsheet.compiler.dialects.base.Dialect.ipv6_hex`: 32 hex digits, which compare as text like
the 128-bit number). The lookup step (:mod:`.lookup`) and IP enrichment (:mod:`.enrich`) join on these.
"""

from __future__ import annotations

from sqlglot import exp

from logsheet.compiler.dialects.base import IPV4_PATTERN, Dialect
from logsheet.core.sqlnames import cast, lit

#: An IPv4 address written as IPv6 (``::ffff:10.0.0.9``): classified and matched as the IPv4 address it is.
MAPPED_PREFIX = "::ffff:"


def is_ipv4(value: exp.Expr, dialect: Dialect) -> exp.Expr:
    return exp.RegexpLike(this=value, expression=lit(dialect.regex(IPV4_PATTERN)))


def ipv4_number(value: exp.Expr, dialect: Dialect) -> exp.Expr:
    """The address as a number (``a*2^24 + b*2^16 + c*2^8 + d``), NULL for text that is no dotted quad."""
    octets = [
        cast(exp.SplitPart(this=value.copy(), delimiter=lit("."), part_index=lit(i)), "BIGINT", safe=True) for i in range(1, 5)
    ]
    number: exp.Expr = octets[3]
    for weight, octet in ((256, octets[2]), (65536, octets[1]), (16777216, octets[0])):
        number = exp.Add(this=exp.Mul(this=octet, expression=lit(weight)), expression=number)
    return exp.Case(ifs=[exp.If(this=is_ipv4(value.copy(), dialect), true=exp.Paren(this=number))], default=exp.Null())


def unmapped(value: exp.Expr) -> exp.Expr:
    """``::ffff:1.2.3.4`` as ``1.2.3.4`` (any case of the prefix); other text unchanged."""
    prefix = exp.Substring(this=exp.Lower(this=value.copy()), start=lit(1), length=lit(len(MAPPED_PREFIX)))
    rest = exp.Substring(this=value.copy(), start=lit(len(MAPPED_PREFIX) + 1))
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=prefix, expression=lit(MAPPED_PREFIX)), true=rest)], default=value.copy())


def cidr_parts(value: exp.Expr) -> tuple[exp.Expr, exp.Expr, exp.Expr]:
    """A network's text as (address text, prefix length or NULL when absent, has a slash)."""
    text = exp.Trim(this=value.copy())
    address = exp.SplitPart(this=text.copy(), delimiter=lit("/"), part_index=lit(1))
    has_slash = exp.GT(this=exp.StrPosition(this=text.copy(), substr=lit("/")), expression=lit(0))
    bits = cast(exp.SplitPart(this=text.copy(), delimiter=lit("/"), part_index=lit(2)), "BIGINT", safe=True)
    return address, bits, has_slash


def ipv4_bounds(value: exp.Expr, dialect: Dialect) -> tuple[exp.Expr, exp.Expr, exp.Expr]:
    """(lowest address, highest address, prefix length) of an IPv4 network's text; NULLs when it is not one
    (a prefix length outside 0..32, an address that is not a dotted quad). Host bits are ignored, as
    ``ipaddress.ip_network(strict=False)`` does."""
    address, bits, has_slash = cidr_parts(value)
    length = exp.Case(ifs=[exp.If(this=has_slash, true=bits)], default=lit(32))
    valid = exp.Between(this=length.copy(), low=lit(0), high=lit(32))
    size = cast(exp.Pow(this=lit(2), expression=exp.Sub(this=lit(32), expression=length.copy())), "BIGINT")
    number = ipv4_number(address, dialect)
    low = exp.Sub(this=number.copy(), expression=exp.Paren(this=exp.Mod(this=number.copy(), expression=size.copy())))
    high = exp.Sub(this=exp.Add(this=low.copy(), expression=size.copy()), expression=lit(1))

    def when_valid(expression: exp.Expr) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=valid.copy(), true=expression)], default=exp.Null())

    return when_valid(low), when_valid(high), when_valid(length)


__all__ = ["MAPPED_PREFIX", "cidr_parts", "ipv4_bounds", "ipv4_number", "is_ipv4", "unmapped"]
