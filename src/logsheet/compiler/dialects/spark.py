"""Apache Spark SQL: the sheet read from a view, Java regexes and datetime patterns, ANSI mode's errors
turned back into the NULLs DuckDB gives, and IPv6 networks tested in pure SQL (no UDF on the cluster)."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from logsheet.compiler.dialects.base import ELEMENT, OCTET, POSITION, Network, TableDialect
from logsheet.compiler.regex import escape, java_regex
from logsheet.compiler.timeformat import java_datetime_pattern
from logsheet.core.sqlnames import cast, col, func, ident, lit, render


def _sub(relation: exp.Expr) -> exp.Subquery:
    return exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t")))


class SparkDialect(TableDialect):
    """Apache Spark SQL (4.x), run with ANSI mode on, a UTC session time zone and case-sensitive names.

    The sheet is read by the engine into a temporary view named ``relation`` (``SparkEngine.relation``); with
    ``--show-sql`` the view is named after the sheet. Regexes are Java's, translated from RE2
    (:func:`~logsheet.compiler.regex.java_regex`); lists are read with ``try_element_at`` (NULL past the end,
    even in ANSI mode); timestamps are parsed with ``try_to_timestamp`` and a Java pattern
    (:func:`~logsheet.compiler.timeformat.java_datetime_pattern`); IP networks are tested in pure SQL (no
    Python UDF has to be registered on the cluster). What sqlglot's Spark output gets wrong for these
    semantics is rewritten in :meth:`render`.
    """

    name = "spark"

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return func("split", exp.Trim(this=value), lit(java_regex(escape(delimiter) + "+")), lit(-1))
        return func("split", value, lit(escape(delimiter)), lit(-1))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        return func("try_element_at", items, lit(index))

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        remaining = exp.Sub(this=exp.Add(this=func("size", items), expression=lit(1)), expression=lit(start))
        tail = func("slice", items, lit(start), exp.Greatest(this=remaining, expressions=[lit(0)]))
        return exp.Nullif(this=func("array_join", tail, lit(delimiter)), expression=lit(""))

    def json_array(self, value: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        value = cast(value, "VARCHAR")  # a column of only blanks may be stored untyped
        text = value if len(path.expressions) == 1 else exp.JSONExtract(this=value, expression=path)
        return func("from_json", text, lit("array<string>"))

    def unnest(self, relation: exp.Expr, keep: list[str], items: exp.Expr, outer: bool) -> exp.Select:
        names = [col(n) for n in keep]
        inner = exp.select(*names, exp.Alias(this=items, alias=ident("__items"))).from_(_sub(relation))
        generator = func("posexplode_outer" if outer else "posexplode", col("__items"))
        exploded = exp.select(*[col(n) for n in keep], exp.Aliases(this=generator, expressions=[ident("__i"), ident(ELEMENT)]))
        position = exp.Add(this=exp.Coalesce(this=col("__i"), expressions=[lit(0)]), expression=lit(1))
        return exp.select(*[col(n) for n in keep], col(ELEMENT), exp.Alias(this=position, alias=ident(POSITION))).from_(
            _sub(exploded.from_(_sub(inner)))
        )

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return func("try_to_timestamp", value, lit(java_datetime_pattern(fmt)))

    def ip_in_network(self, value: exp.Expr, network: Network) -> exp.Expr:
        if network.version == 4:
            return self._ipv4_in(value, int(network.network_address), int(network.broadcast_address))
        low = f"{int(network.network_address):032x}"
        high = f"{int(network.broadcast_address):032x}"
        return _let(ipv6_hex(value), lambda hexed: exp.Between(this=hexed, low=lit(low), high=lit(high)))

    def render(self, expression: exp.Expr, pretty: bool = False) -> str:
        return render(expression.transform(_spark_deep), self.name, pretty=pretty)


def _spark_deep(node: exp.Expr) -> exp.Expr:
    """:func:`_spark_node`, and the same inside what it rewrote: sqlglot's ``transform`` does not descend into a
    node it replaced, so a TRY_CAST around an epoch (a formula's ``epoch(timestamp(text))``) kept its inner
    nodes in sqlglot's default Spark spelling."""
    new = _spark_node(node)
    if new is not node:
        for child in list(new.iter_expressions()):
            child.replace(child.transform(_spark_deep))
    return new


def _spark_node(node: exp.Expr) -> exp.Expr:
    """Where sqlglot's Spark SQL differs from what the compiler means (it assumes ANSI mode off)."""
    if isinstance(node, exp.TryCast):
        target = node.args["to"]
        if target.this in (exp.DataType.Type.BIGINT, exp.DataType.Type.INT):
            return _spark_integer(node.this)
        # TRY_CAST, not CAST: in ANSI mode CAST fails the query on the first value that does not convert.
        return exp.TryCast(this=node.this, to=target, safe=True)
    if isinstance(node, (exp.RegexpLike, exp.RegexpExtract)) and isinstance(node.expression, exp.Literal):
        return node.__class__(**{**node.args, "expression": lit(java_regex(node.expression.this))})
    if isinstance(node, exp.UnixToTime):
        return func("timestamp_seconds", node.this)  # keeps the fraction; FROM_UNIXTIME drops it
    if isinstance(node, exp.TimeToUnix):
        # Seconds with their fraction, as DuckDB's epoch(); UNIX_TIMESTAMP drops it.
        return exp.Div(this=func("unix_micros", node.this), expression=lit(1_000_000))
    if isinstance(node, (exp.ArgMin, exp.ArgMax)):
        # DuckDB's arg_min/arg_max skip the rows whose value is NULL; Spark's min_by/max_by do not.
        order = exp.If(this=exp.Is(this=node.this, expression=exp.Null()), true=exp.Null(), false=node.expression)
        return type(node)(this=node.this, expression=order)
    return node


def _spark_integer(value: exp.Expr) -> exp.Expr:
    """An integer the way DuckDB casts one: text '2.5' and '1e3' become 3 and 1000 (half away from zero), a
    float 2.5 becomes 2 (half to even); Spark's TRY_CAST would give NULL and 2. The cast step trims text
    before casting it and casts any other column as it is (``steps._cast``), which is how the two are told
    apart here; other integer casts (IPv4 octets, already digits) stay plain."""
    bigint = exp.DataType.build("BIGINT")
    if not isinstance(value, (exp.Trim, exp.Column)):
        return exp.TryCast(this=value, to=bigint, safe=True)
    exact = exp.TryCast(this=value, to=exp.DataType.build("DECIMAL(38, 10)"), safe=True)
    rounded = func("round" if isinstance(value, exp.Trim) else "bround", exact)
    return exp.TryCast(this=rounded, to=bigint, safe=True)


# ----------------------------------------------------------------------------------- IPv6 in pure SQL
def _let(value: exp.Expr, body: Callable[[exp.Expr], exp.Expr], name: str = "__v") -> exp.Expr:
    """``body(value)`` with ``value`` computed once: ``element_at(transform(array(value), v -> body), 1)``."""
    variable = exp.column(name)
    return func(
        "element_at",
        exp.Transform(this=exp.Array(expressions=[value]), expression=exp.Lambda(this=body(variable), expressions=[ident(name)])),
        lit(1),
    )


_HEXTET = "[0-9a-f]{1,4}"
_GROUPS = rf"{_HEXTET}(:{_HEXTET})*"
IPV6_PATTERN = rf"^(({_GROUPS})?::({_GROUPS})?|{_HEXTET}(:{_HEXTET}){{7}})$"
_EMBEDDED_IPV4 = rf"^(.*:)({OCTET})\.({OCTET})\.({OCTET})\.({OCTET})$"


def ipv6_hex(value: exp.Expr) -> exp.Expr:
    """An IPv6 address (text) as 32 lower-case hex digits, or NULL when it is not one, in pure Spark SQL:
    trimmed, the zone (``%eth0``) dropped, a trailing dotted IPv4 (``::ffff:1.2.3.4``) turned into two
    hextets, ``::`` expanded and each hextet padded. Fixed-width hex compares like the 128-bit number, so
    "in network" is a BETWEEN on text."""

    def embedded(address: exp.Expr) -> exp.Expr:
        def octet(i: int) -> exp.Expr:
            return cast(exp.RegexpExtract(this=address, expression=lit(_EMBEDDED_IPV4), group=lit(i)), "BIGINT", safe=True)

        def hextet(a: int, b: int) -> exp.Expr:
            return exp.Lower(this=exp.Hex(this=exp.Add(this=exp.Mul(this=octet(a), expression=lit(256)), expression=octet(b))))

        prefix = exp.RegexpExtract(this=address, expression=lit(_EMBEDDED_IPV4), group=lit(1))
        converted = exp.Concat(expressions=[prefix, hextet(2, 3), lit(":"), hextet(4, 5)])
        return exp.If(this=exp.RegexpLike(this=address, expression=lit(_EMBEDDED_IPV4)), true=converted, false=address)

    def expand(address: exp.Expr) -> exp.Expr:
        halves = func("split", address, lit("::"), lit(-1))

        def groups(half: exp.Expr) -> exp.Expr:
            return exp.ArrayRemove(this=func("split", half, lit(":"), lit(-1)), expression=lit(""))

        left = groups(func("element_at", halves, lit(1)))
        right = groups(exp.Coalesce(this=func("try_element_at", halves, lit(2)), expressions=[lit("")]))
        missing = exp.Sub(this=exp.Sub(this=lit(8), expression=func("size", left)), expression=func("size", right))
        padded = exp.Transform(
            this=func("concat", left, func("array_repeat", lit("0"), missing), right),
            expression=exp.Lambda(
                this=exp.Pad(this=exp.column("__h"), expression=lit(4), fill_pattern=lit("0"), is_left=True),
                expressions=[ident("__h")],
            ),
        )
        # The pattern allows one '::' at most; '::' stands for at least one zero hextet.
        compressed = exp.GT(this=func("size", halves), expression=lit(1))
        well_formed = exp.And(
            this=exp.RegexpLike(this=address, expression=lit(IPV6_PATTERN)),
            expression=exp.Not(this=exp.Paren(this=exp.And(this=compressed, expression=exp.LT(this=missing, expression=lit(1))))),
        )
        return exp.If(this=well_formed, true=func("array_join", padded, lit("")), false=exp.Null())

    address = exp.Lower(this=exp.SubstringIndex(this=exp.Trim(this=value), delimiter=lit("%"), count=lit(1)))
    return _let(_let(address, embedded, "__a"), expand, "__b")
