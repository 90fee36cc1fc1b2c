"""Trino (and Amazon Athena, engine v3): SQL printed for ``--show-sql --dialect trino``, not run here."""

from __future__ import annotations

from sqlglot import exp

from logsheet.compiler.dialects.base import ELEMENT, POSITION, Network, TableDialect
from logsheet.compiler.regex import escape, java_regex
from logsheet.compiler.timeformat import java_datetime_pattern
from logsheet.core.sqlnames import cast, col, func, ident, lit


class TrinoDialect(TableDialect):
    """Trino over a table of the sheet's Parquet dataset (``logsheet export SHEET --to-dataset DIR``).
    Logsheet has no Trino engine, so this SQL is checked by snapshot tests only.

    Trino's regexes are Joni (Java-like): patterns get the same translation as Spark's. Networks use
    Trino's IPADDRESS type; IPv4 addresses are only in IPv4 networks (Trino would also match them in
    ``::ffff:0:0/96``), as Python's ipaddress and the DuckDB engine decide.
    """

    name = "trino"

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return func("regexp_split", exp.Trim(this=value), lit(java_regex(escape(delimiter) + "+")))
        return func("split", value, lit(delimiter))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        return func("element_at", items, lit(index))  # NULL past the end (a subscript would fail)

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        tail = func("slice", items, lit(start), func("cardinality", items))
        return exp.Nullif(this=func("array_join", tail, lit(delimiter)), expression=lit(""))

    def json_array(self, value: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        value = cast(value, "VARCHAR")  # a column of only blanks may be stored untyped
        parsed = func("json_parse", value) if len(path.expressions) == 1 else exp.JSONExtract(this=value, expression=path)
        listed = exp.TryCast(this=parsed, to=exp.DataType.build("ARRAY(JSON)", dialect="trino"))
        element = exp.column("__e")
        scalar = func("json_extract_scalar", element, lit("$"))
        as_text = exp.Case(
            ifs=[exp.If(this=exp.EQ(this=func("json_format", element.copy()), expression=lit("null")), true=exp.Null())],
            default=exp.Coalesce(this=scalar, expressions=[func("json_format", element.copy())]),
        )
        return exp.Transform(this=listed, expression=exp.Lambda(this=as_text, expressions=[exp.to_identifier("__e")]))

    def unnest(self, relation: exp.Expr, keep: list[str], items: exp.Expr, outer: bool) -> exp.Select:
        inner = exp.select(*[col(n) for n in keep], exp.Alias(this=items, alias=ident("__items"))).from_(
            exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t")))
        )
        unnested = exp.Unnest(
            expressions=[exp.Column(this=ident("__items"), table=ident("t"))],
            alias=exp.TableAlias(this=ident("u"), columns=[ident(ELEMENT), ident(POSITION)]),
            offset=True,
        )
        position: exp.Expr = exp.Column(this=ident(POSITION), table=ident("u"))
        if outer:
            position = exp.Coalesce(this=position, expressions=[lit(1)])
        select = exp.select(
            *[exp.Column(this=ident(n), table=ident("t")) for n in keep],
            exp.Alias(this=exp.Column(this=ident(ELEMENT), table=ident("u")), alias=ident(ELEMENT)),
            exp.Alias(this=position, alias=ident(POSITION)),
        ).from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=ident("t"))))
        if outer:
            return select.join(unnested, on=exp.true(), join_type="left")
        return select.join(unnested, join_type="cross")

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return exp.Try(this=func("parse_datetime", value, lit(java_datetime_pattern(fmt))))

    def ip_in_network(self, value: exp.Expr, network: Network) -> exp.Expr:
        address = exp.TryCast(this=exp.Trim(this=value), to=exp.DataType.build("IPADDRESS", dialect="trino"))
        inside = func("contains", lit(str(network)), address)
        has_colon = exp.GT(this=exp.StrPosition(this=value, substr=lit(":")), expression=lit(0))
        family = has_colon if network.version == 6 else exp.Not(this=has_colon)
        return exp.And(this=family, expression=inside)
