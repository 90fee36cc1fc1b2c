"""The lookup step: columns of another sheet joined onto a view's rows, without ever changing their number.

The other sheet reaches the compiler as an *external* relation (:data:`Externals`, keyed by
:func:`sheet_external`), built by the workspace from that sheet's Parquet parts for the engine that runs the
view (a temporary view on Spark), so the step compiles the same on DuckDB and Spark.

Exact mode (``ir.Lookup(mode="exact")``)::

    SELECT t.*, r.__lc0 AS "users.team", ..., r.__lm IS NOT NULL AS "users.matched"
    FROM (view) AS t LEFT JOIN (
        one row per key of the other sheet: the lowest __rowid, ROW_NUMBER() over its keys
    ) AS r ON key0 = r.__lk0 AND ...

Keys of the same type compare as they are; otherwise as text. Blank keys (NULL, empty text) never match;
``case_sensitive=False`` compares lower-cased text. Since the right side holds at most one row per key, the
left join keeps every row exactly once.

CIDR mode (``mode="cidr"``) joins the view's *distinct* addresses (IPv4) to the other sheet's networks by
numeric bounds (:mod:`.ipnum`), keeps the most specific network per address (then the lowest row id), and joins
that back on the address text: the range join runs once per distinct address, never once per row.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from logsheet.compiler.dialects import Dialect
from logsheet.compiler.ipnum import address_hex, cidr_parts, has_colon, ipv4_number, is_ipv4, network_hex_bounds, unmapped
from logsheet.compiler.relation import Relation, aliased
from logsheet.compiler.resolve import Resolved, name_taken, resolve
from logsheet.core import ir
from logsheet.core.columns import ROWID, SYSTEM_COLUMNS
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import cast, col, ident, lit, to_text

Externals = Mapping[str, Relation]

MAX_KEYS = 8
TEXT_TYPES = ("text", "json")


def sheet_external(sheet: str) -> str:
    """The key of another sheet in :data:`Externals`."""
    return f"sheet:{sheet}"


def prefix_of(step: ir.Lookup) -> str:
    return step.prefix or f"{step.sheet}."


def matched_column(step: ir.Lookup) -> str:
    """The boolean column saying whether a row found a match."""
    return f"{prefix_of(step)}matched"


def lookup_sheets(query: ir.Query) -> list[str]:
    """The other sheets a query's steps look up, in order, once each."""
    return list(dict.fromkeys(s.sheet for s in query.steps if isinstance(s, ir.Lookup)))


def lookup(
    step: ir.Lookup, relation: exp.Expr, schema: Schema, dialect: Dialect, externals: Externals, parts: tuple[str, ...] = ()
) -> tuple[exp.Expr, Schema]:
    """The view's relation with the step's columns added, and its schema; ``parts``: the hidden part columns of
    earlier row steps (:mod:`.rowsteps`), carried through."""
    other = externals.get(sheet_external(step.sheet))
    if other is None:
        raise InvalidQuery(f"lookup in sheet {step.sheet!r}: that sheet is not available to this view")
    keys, right_keys = _keys(step)
    if step.mode == "cidr" and len(keys) != 1:
        raise InvalidQuery("a CIDR lookup matches one IP column against one column of networks")
    left = [resolve(k, schema) for k in keys]
    right = [resolve(k, other.schema) for k in right_keys]
    names = list(step.columns) or [c.name for c in other.schema if c.name not in right_keys]
    if not names:
        raise InvalidQuery(f"lookup in sheet {step.sheet!r}: choose the columns to add")
    added = [(f"{prefix_of(step)}{name}", resolve(name, other.schema)) for name in names]
    _check_new_names([n for n, _ in added] + [matched_column(step)], schema)
    if step.mode == "cidr":
        matches = _cidr_matches(left[0], right[0], added, relation, other, dialect)
        conditions = [exp.EQ(this=_text_key(left[0].expression, left[0].type), expression=_r("__lk0"))]
    else:
        matches = _exact_matches(step, left, right, added, other)
        conditions = [
            exp.EQ(this=_key(lk, rk.type, lk.type, step.case_sensitive), expression=_r(f"__lk{i}"))
            for i, (lk, rk) in enumerate(zip(left, right, strict=True))
        ]
    projections: list[exp.Expr] = [col(name) for name in (*SYSTEM_COLUMNS, *parts, *schema.names())]
    projections += [aliased(name, _r(f"__lc{i}")) for i, (name, _) in enumerate(added)]
    matched = exp.Not(this=exp.Is(this=_r("__lm"), expression=exp.Null()))
    projections.append(aliased(matched_column(step), matched))
    select = (
        exp.select(*projections)
        .from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t"))))
        .join(exp.Subquery(this=matches, alias=exp.TableAlias(this=ident("r"))), on=exp.and_(*conditions), join_type="left")
    )
    columns = [*schema, *(Column(name, target.type) for name, target in added), Column(matched_column(step), "boolean")]
    return select, Schema(columns)


def _keys(step: ir.Lookup) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not step.sheet:
        raise InvalidQuery("lookup needs the name of another sheet")
    if not step.keys:
        raise InvalidQuery("lookup needs at least one key column")
    if len(step.keys) > MAX_KEYS:
        raise InvalidQuery(f"lookup on up to {MAX_KEYS} key columns, not {len(step.keys)}")
    right = step.right_keys or step.keys
    if len(right) != len(step.keys):
        raise InvalidQuery(f"lookup needs as many keys in {step.sheet!r} as here: {len(step.keys)}, not {len(right)}")
    return step.keys, right


def _check_new_names(names: list[str], schema: Schema) -> None:
    for name in names:
        taken = name_taken(name, schema)
        if taken is not None:
            raise InvalidQuery(f"a column named {taken.name!r} already exists; give the lookup another prefix")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidQuery(f"the lookup would add two columns of the same name: {', '.join(names)}")


def _r(name: str) -> exp.Column:
    return exp.Column(this=ident(name), table=ident("r"))


def _text_key(value: exp.Expr, type_: str) -> exp.Expr:
    text = value.copy() if type_ in TEXT_TYPES else to_text(value.copy())
    return exp.Nullif(this=text, expression=lit(""))


def _key(target: Resolved, other_type: str, type_: str, case_sensitive: bool) -> exp.Expr:
    """A key as it is compared: as it is when both sides have one non-text type, else as text (lower-cased
    ignoring case); blank text is NULL so that it never matches."""
    if type_ == other_type and type_ not in TEXT_TYPES:
        return target.expression.copy()
    text = _text_key(target.expression, target.type)
    return text if case_sensitive else exp.Lower(this=text)


def _numbered(select: exp.Select, partition: list[exp.Expr], order: list[exp.Ordered]) -> exp.Select:
    """``select`` keeping its first row per ``partition`` in ``order``."""
    window = exp.Window(this=exp.RowNumber(), partition_by=partition, order=exp.Order(expressions=order))
    numbered = select.select(aliased("__lrn", window))
    first = exp.select(exp.Star()).from_(exp.Subquery(this=numbered, alias=exp.TableAlias(this=ident("n"))))
    return first.where(exp.EQ(this=col("__lrn"), expression=lit(1)))


def _exact_matches(
    step: ir.Lookup, left: list[Resolved], right: list[Resolved], added: list[tuple[str, Resolved]], other: Relation
) -> exp.Select:
    keys = [_key(rk, lk.type, rk.type, step.case_sensitive) for lk, rk in zip(left, right, strict=True)]
    projections = [aliased(f"__lk{i}", k) for i, k in enumerate(keys)]
    projections += [aliased(f"__lc{i}", target.expression.copy()) for i, (_, target) in enumerate(added)]
    projections.append(aliased("__lm", lit(True)))
    rows = exp.select(*projections).from_(exp.Subquery(this=other.expression, alias=exp.TableAlias(this=ident("o"))))
    rows = rows.where(exp.and_(*[exp.Not(this=exp.Is(this=k.copy(), expression=exp.Null())) for k in keys]))
    order = [exp.Ordered(this=col(ROWID), desc=False, nulls_first=False)]
    return _numbered(rows, [k.copy() for k in keys], order)


def _cidr_matches(
    left: Resolved, right: Resolved, added: list[tuple[str, Resolved]], relation: exp.Expr, other: Relation, dialect: Dialect
) -> exp.Select:
    """Per distinct address of the view, the best network of the other sheet holding it. Addresses and networks
    of both families are compared as 32 hex digits (IPv4 as its IPv4-mapped IPv6 form, :mod:`.ipnum`), so one
    range join matches both; each step of the conversion is its own layer, computed once per value."""
    address = _text_key(left.expression, left.type)
    distinct = (
        exp.select(aliased("__la", address))
        .distinct()
        .from_(exp.Subquery(this=relation.copy(), alias=exp.TableAlias(this=ident("d"))))
        .where(exp.Not(this=exp.Is(this=address.copy(), expression=exp.Null())))
    )
    numbered = exp.select(col("__la"), aliased("__ln", ipv4_number(unmapped(col("__la")), dialect))).from_(_sub(distinct, "a0"))
    keyed = exp.select(col("__la"), aliased("__lx", address_hex(col("__la"), col("__ln"), dialect))).from_(_sub(numbered, "a1"))
    network = right.expression if right.type in TEXT_TYPES else to_text(right.expression)
    text, bits, slash = cidr_parts(network)
    carried = [col(ROWID), *(aliased(f"__lc{i}", target.expression.copy()) for i, (_, target) in enumerate(added))]
    kept = [col(ROWID), *(col(f"__lc{i}") for i in range(len(added)))]
    parts = exp.select(*carried, aliased("__na", text), aliased("__nb", bits), aliased("__ns", slash)).from_(
        _sub(other.expression, "o")
    )
    v4 = unmapped(col("__na"))
    number = ipv4_number(v4, dialect)
    digits = exp.Case(
        ifs=[
            exp.If(
                this=exp.And(this=exp.Not(this=is_ipv4(v4.copy(), dialect)), expression=has_colon(col("__na"))),
                true=dialect.ipv6_hex(col("__na")),
            )
        ],
        default=cast(exp.Null(), "VARCHAR"),
    )
    full = exp.Case(ifs=[exp.If(this=is_ipv4(v4.copy(), dialect), true=lit(32))], default=lit(128))
    length = exp.Case(ifs=[exp.If(this=col("__ns"), true=col("__nb"))], default=full)
    forms = exp.select(*kept, aliased("__n4", number), aliased("__n6", digits), aliased("__nl", length)).from_(_sub(parts, "p"))
    low, high, prefix = network_hex_bounds(col("__n4"), col("__n6"), col("__nl"))
    networks = exp.select(*kept, aliased("__lo", low), aliased("__hi", high), aliased("__lb", prefix)).from_(_sub(forms, "q"))
    inside = exp.Between(
        this=exp.Column(this=ident("__lx"), table=ident("a")),
        low=exp.Column(this=ident("__lo"), table=ident("w")),
        high=exp.Column(this=ident("__hi"), table=ident("w")),
    )
    projections = [aliased("__lk0", exp.Column(this=ident("__la"), table=ident("a")))]
    projections += [aliased(f"__lc{i}", exp.Column(this=ident(f"__lc{i}"), table=ident("w"))) for i in range(len(added))]
    projections.append(aliased("__lm", lit(True)))
    joined = exp.select(*projections).from_(_sub(keyed, "a")).join(_sub(networks, "w"), on=inside, join_type="inner")
    order = [
        exp.Ordered(this=exp.Column(this=ident("__lb"), table=ident("w")), desc=True, nulls_first=False),
        exp.Ordered(this=exp.Column(this=ident(ROWID), table=ident("w")), desc=False, nulls_first=False),
    ]
    return _numbered(joined, [exp.Column(this=ident("__la"), table=ident("a"))], order)


def _sub(relation: exp.Expr, alias: str) -> exp.Subquery:
    return exp.Subquery(this=relation, alias=exp.TableAlias(this=ident(alias)))


__all__ = ["Externals", "lookup", "lookup_sheets", "matched_column", "prefix_of", "sheet_external"]
