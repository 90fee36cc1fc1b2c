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


# --------------------------------------------------------------------------- one key for both families
#: IPv4 addresses as their IPv4-mapped IPv6 form (``::ffff:a.b.c.d``), so that one range join on 32 hex digits
#: matches both families.
MAPPED_HEX = "00000000000000000000ffff"
HEX_DIGITS = "0123456789abcdef"


def ipv4_hex(number: exp.Expr) -> exp.Expr:
    """An IPv4 address (a number) as the 32 hex digits of its IPv4-mapped IPv6 address."""
    digits = exp.Pad(this=exp.Lower(this=exp.Hex(this=number)), expression=lit(8), fill_pattern=lit("0"), is_left=True)
    return exp.Concat(expressions=[lit(MAPPED_HEX), digits])


def has_colon(value: exp.Expr) -> exp.Expr:
    return exp.GT(this=exp.StrPosition(this=value.copy(), substr=lit(":")), expression=lit(0))


def address_hex(value: exp.Expr, number: exp.Expr, dialect: Dialect) -> exp.Expr:
    """An address (text ``value``, its IPv4 ``number`` or NULL) as 32 hex digits, NULL when it is none."""
    return exp.Case(
        ifs=[
            exp.If(this=exp.Not(this=exp.Is(this=number.copy(), expression=exp.Null())), true=ipv4_hex(number.copy())),
            exp.If(this=has_colon(value), true=dialect.ipv6_hex(value.copy())),
        ],
        default=exp.Null(),
    )


def _int(expression: exp.Expr) -> exp.Expr:
    return cast(expression, "BIGINT")


def masked_hex(digits: exp.Expr, length: exp.Expr, fill: str) -> exp.Expr:
    """32 hex ``digits`` with the bits past the first ``length`` set to 0 (``fill="0"``) or 1 (``"f"``)."""
    whole = _int(exp.Floor(this=exp.Div(this=length.copy(), expression=lit(4))))
    rest = exp.Sub(this=length.copy(), expression=exp.Mul(this=whole.copy(), expression=lit(4)))
    step = _int(exp.Pow(this=lit(2), expression=exp.Sub(this=lit(4), expression=exp.Paren(this=rest.copy()))))
    digit = exp.Substring(this=digits.copy(), start=exp.Add(this=whole.copy(), expression=lit(1)), length=lit(1))
    value = exp.Sub(this=exp.StrPosition(this=lit(HEX_DIGITS), substr=digit), expression=lit(1))
    low = exp.Mul(this=_int(exp.Floor(this=exp.Div(this=exp.Paren(this=value), expression=step.copy()))), expression=step.copy())
    kept = low if fill == "0" else exp.Sub(this=exp.Add(this=low, expression=step.copy()), expression=lit(1))
    partial = exp.Substring(this=lit(HEX_DIGITS), start=exp.Add(this=kept, expression=lit(1)), length=lit(1))
    head = exp.Substring(this=digits.copy(), start=lit(1), length=whole.copy())
    full = exp.Concat(expressions=[head.copy(), exp.Repeat(this=lit(fill), times=exp.Sub(this=lit(32), expression=whole.copy()))])
    # (sqlglot prints nested arithmetic as written: every compound operand above is a Paren or a function call)
    cut = exp.Concat(
        expressions=[head, partial, exp.Repeat(this=lit(fill), times=exp.Sub(this=lit(31), expression=whole.copy()))]
    )
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=rest, expression=lit(0)), true=full)], default=cut)


def network_hex_bounds(number: exp.Expr, digits: exp.Expr, length: exp.Expr) -> tuple[exp.Expr, exp.Expr, exp.Expr]:
    """(lowest, highest address as 32 hex digits, prefix length in the IPv6 space) of a network given by its
    address as an IPv4 ``number`` (else NULL) or IPv6 hex ``digits``, and its prefix ``length``; NULLs for a
    length out of range. An IPv4 /n is the IPv6 /(96+n) of its mapped addresses."""
    is_v4 = exp.Not(this=exp.Is(this=number.copy(), expression=exp.Null()))
    v4_ok = exp.And(this=is_v4.copy(), expression=exp.Between(this=length.copy(), low=lit(0), high=lit(32)))
    v6_ok = exp.And(
        this=exp.Not(this=exp.Is(this=digits.copy(), expression=exp.Null())),
        expression=exp.Between(this=length.copy(), low=lit(0), high=lit(128)),
    )
    size = _int(exp.Pow(this=lit(2), expression=exp.Sub(this=lit(32), expression=length.copy())))
    low4 = exp.Sub(this=number.copy(), expression=exp.Paren(this=exp.Mod(this=number.copy(), expression=size.copy())))
    high4 = exp.Sub(this=exp.Add(this=low4.copy(), expression=size.copy()), expression=lit(1))

    def pick(v4: exp.Expr, v6: exp.Expr) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=v4_ok.copy(), true=v4), exp.If(this=v6_ok.copy(), true=v6)], default=exp.Null())

    return (
        pick(ipv4_hex(low4), masked_hex(digits, length, "0")),
        pick(ipv4_hex(high4), masked_hex(digits, length, "f")),
        pick(exp.Add(this=length.copy(), expression=lit(96)), length.copy()),
    )


__all__ = [
    "MAPPED_PREFIX",
    "address_hex",
    "cidr_parts",
    "has_colon",
    "ipv4_bounds",
    "ipv4_hex",
    "ipv4_number",
    "is_ipv4",
    "masked_hex",
    "network_hex_bounds",
    "unmapped",
]
