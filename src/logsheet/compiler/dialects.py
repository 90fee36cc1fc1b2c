"""What differs between engines, in one small class per engine.

The compiler emits sqlglot nodes that transpile to every dialect; the few constructs that do not (how a
sheet's files are read, list slicing, IPv6 networks, timestamp parsing) are asked of the dialect.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from sqlglot import exp

from logsheet.core.sqlnames import cast, col, func, ident, lit, render

IPV6_UDF = "logsheet_ipv6_in_network"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^{_OCTET}(\.{_OCTET}){{3}}$"


class Dialect:
    """DuckDB, the embedded default."""

    name = "duckdb"

    def render(self, expression: exp.Expr, pretty: bool = False) -> str:
        """The SQL text of a compiled statement in this dialect."""
        return render(expression, self.name, pretty=pretty)

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
            this=exp.RegexpLike(this=value, expression=lit(self.regex(IPV4_PATTERN))),
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


# ------------------------------------------------------------------------------------------------ Spark
class _TableDialect(Dialect):
    """Engines that read a sheet as a named table (a view over its dataset) and use Java-style regexes."""

    def __init__(self, relation: str = "sheet") -> None:
        self.relation = relation

    def source(self, paths: list[str]) -> exp.Expr:
        return exp.Table(this=ident(self.relation))

    def regex(self, pattern: str) -> str:
        return java_regex(pattern)


class SparkDialect(_TableDialect):
    """Apache Spark SQL (4.x), run with ANSI mode on, a UTC session time zone and case-sensitive names.

    The sheet is read by the engine into a temporary view named ``relation`` (``SparkEngine.relation``); with
    ``--show-sql`` the view is named after the sheet. Regexes are Java's, translated from RE2
    (:func:`java_regex`); lists are read with ``try_element_at`` (NULL past the end, even in ANSI mode);
    timestamps are parsed with ``try_to_timestamp`` and a Java pattern (:func:`java_datetime_pattern`); IP
    networks are tested in pure SQL (no Python UDF has to be registered on the cluster). What sqlglot's
    Spark output gets wrong for these semantics is rewritten in :meth:`render`.
    """

    name = "spark"

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return func("split", exp.Trim(this=value), lit(java_regex(_regex_escape(delimiter) + "+")), lit(-1))
        return func("split", value, lit(_regex_escape(delimiter)), lit(-1))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        return func("try_element_at", items, lit(index))

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        remaining = exp.Sub(this=exp.Add(this=func("size", items), expression=lit(1)), expression=lit(start))
        tail = func("slice", items, lit(start), exp.Greatest(this=remaining, expressions=[lit(0)]))
        return exp.Nullif(this=func("array_join", tail, lit(delimiter)), expression=lit(""))

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return func("try_to_timestamp", value, lit(java_datetime_pattern(fmt)))

    def ip_in_network(self, value: exp.Expr, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> exp.Expr:
        if network.version == 4:
            return self._ipv4_in(value, int(network.network_address), int(network.broadcast_address))
        low = f"{int(network.network_address):032x}"
        high = f"{int(network.broadcast_address):032x}"
        return _let(ipv6_hex(value), lambda hexed: exp.Between(this=hexed, low=lit(low), high=lit(high)))

    def render(self, expression: exp.Expr, pretty: bool = False) -> str:
        return expression.transform(_spark_node).sql(dialect=self.name, pretty=pretty)


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
_EMBEDDED_IPV4 = rf"^(.*:)({_OCTET})\.({_OCTET})\.({_OCTET})\.({_OCTET})$"


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


# -------------------------------------------------------------------------------- RE2 and strptime for Java
_POSIX_CLASSES = {
    "alnum": r"\p{Alnum}",
    "alpha": r"\p{Alpha}",
    "ascii": r"\p{ASCII}",
    "blank": r"\p{Blank}",
    "cntrl": r"\p{Cntrl}",
    "digit": r"\p{Digit}",
    "graph": r"\p{Graph}",
    "lower": r"\p{Lower}",
    "print": r"\p{Print}",
    "punct": r"\p{Punct}",
    "space": r"\p{Space}",
    "upper": r"\p{Upper}",
    "word": r"\w",
    "xdigit": r"\p{XDigit}",
}
_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(-[a-zA-Z]*)?([:)])")
_NAMED_GROUP = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")


def java_regex(pattern: str) -> str:
    r"""An RE2 pattern (what DuckDB runs, and what logsheet documents) as the java.util.regex pattern that
    matches the same text:

    - named groups ``(?P<name>…)`` become plain groups (Java has no ``?P`` and no ``_`` in group names;
      the compiler extracts groups by number, which does not change);
    - ``[[:alpha:]]`` POSIX classes become ``\p{Alpha}`` (Java would read them as a set of letters);
    - ``(?i)`` also gets ``u``: RE2 folds case in Unicode, Java only in ASCII without it;
    - ``$`` outside multi-line mode becomes ``\z``: in RE2 it is the end of the text, in Java it also
      matches before a final newline; and ``(?d)`` makes ``\n`` the only line end, as in RE2 (Java's ``.``
      would also stop at ``\r``).
    """
    if pattern.startswith("(?d)"):
        return pattern  # translated already
    multiline = any("m" in m.group(1) for m in _FLAGS.finditer(pattern))
    out: list[str] = ["(?d)"]
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith(r"\Q", i):
            end = pattern.find(r"\E", i + 2)
            end = len(pattern) if end < 0 else end + 2
            out.append(pattern[i:end])
            i = end
        elif ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif in_class:
            posix = _POSIX.match(pattern, i)
            if posix:
                java = _POSIX_CLASSES.get(posix.group(2), posix.group(0))
                out.append(java.replace(r"\p", r"\P") if posix.group(1) and java.startswith(r"\p") else java)
                i = posix.end()
                continue
            in_class = ch != "]"
            out.append(ch)
            i += 1
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):  # a ']' first in a class is a literal in RE2
                out.append(r"\]")
                i += 1
        elif (named := _NAMED_GROUP.match(pattern, i)) is not None:
            out.append("(")
            i = named.end()
        elif (flags := _FLAGS.match(pattern, i)) is not None:
            on = flags.group(1)
            if "i" in on and "u" not in on:
                on += "u"
            out.append("(?" + on + (flags.group(2) or "") + flags.group(3))
            i = flags.end()
        elif ch == "$" and not multiline:
            out.append(r"\z")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# strptime directive -> (Java DateTimeFormatter pattern, whether it is a number that may be 1 or 2 digits)
_STRPTIME_TO_JAVA: dict[str, tuple[str, bool]] = {
    "Y": ("yyyy", False),
    "y": ("yy", False),
    "m": ("M", True),
    "d": ("d", True),
    "e": ("d", True),
    "H": ("H", True),
    "I": ("h", True),
    "M": ("m", True),
    "S": ("s", True),
    "f": ("SSSSSS", False),
    "p": ("a", False),
    "b": ("MMM", False),
    "h": ("MMM", False),
    "B": ("MMMM", False),
    "a": ("EEE", False),
    "A": ("EEEE", False),
    "j": ("DDD", False),
    "z": ("Z", False),
    "Z": ("z", False),
}
_STRPTIME_SHORTHANDS = {"T": "%H:%M:%S", "D": "%m/%d/%y", "F": "%Y-%m-%d", "R": "%H:%M"}
_JAVA_SAFE_LITERALS = set(" -/:.,_")


def java_datetime_pattern(fmt: str) -> str:
    """A strptime format (``%d/%m/%Y %H:%M:%S``) as a Spark datetime pattern (``d/M/yyyy H:m:s``).

    DuckDB's ``%d`` also reads a single digit; a one-letter Java field does the same, except where two
    numbers are written with nothing between them (``%Y%m%d``), which needs fixed widths (``yyyyMMdd``).
    Literal text is quoted; an unknown directive is kept as literal text (it will not parse, as in DuckDB)."""
    for short, full in _STRPTIME_SHORTHANDS.items():
        fmt = fmt.replace("%" + short, full)
    tokens: list[tuple[str, bool] | str] = []  # (java field, variable width) or literal text
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code == "%":
                tokens.append("%")
            elif code in _STRPTIME_TO_JAVA:
                tokens.append(_STRPTIME_TO_JAVA[code])
            else:
                tokens.append(fmt[i : i + 2])
            i += 2
        else:
            tokens.append(fmt[i])
            i += 1
    out: list[str] = []
    literal = ""
    for index, token in enumerate(tokens):
        if isinstance(token, str):
            literal += token
            continue
        if literal:
            out.append(_java_literal(literal))
            literal = ""
        field, variable = token
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if variable and isinstance(following, tuple):
            field = field * 2
        out.append(field)
    if literal:
        out.append(_java_literal(literal))
    return "".join(out)


def _java_literal(text: str) -> str:
    if all(ch in _JAVA_SAFE_LITERALS for ch in text):
        return text
    return "'" + text.replace("'", "''") + "'"


# ------------------------------------------------------------------------------------------------ Trino
class TrinoDialect(_TableDialect):
    """Trino (and Amazon Athena, engine v3) over a table of the sheet's Parquet dataset
    (``logsheet export SHEET --to-dataset DIR``), for ``--show-sql --dialect trino``. Printed, not run here:
    logsheet has no Trino engine, so this SQL is checked by snapshot tests only.

    Trino's regexes are Joni (Java-like): patterns get the same translation as Spark's. Networks use
    Trino's IPADDRESS type; IPv4 addresses are only in IPv4 networks (Trino would also match them in
    ``::ffff:0:0/96``), as Python's ipaddress and the DuckDB engine decide.
    """

    name = "trino"

    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        if collapse:
            return func("regexp_split", exp.Trim(this=value), lit(java_regex(_regex_escape(delimiter) + "+")))
        return func("split", value, lit(delimiter))

    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        return func("element_at", items, lit(index))  # NULL past the end (a subscript would fail)

    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        tail = func("slice", items, lit(start), func("cardinality", items))
        return exp.Nullif(this=func("array_join", tail, lit(delimiter)), expression=lit(""))

    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        return exp.Try(this=func("parse_datetime", value, lit(java_datetime_pattern(fmt))))

    def ip_in_network(self, value: exp.Expr, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> exp.Expr:
        address = exp.TryCast(this=exp.Trim(this=value), to=exp.DataType.build("IPADDRESS", dialect="trino"))
        inside = func("contains", lit(str(network)), address)
        has_colon = exp.GT(this=exp.StrPosition(this=value, substr=lit(":")), expression=lit(0))
        family = has_colon if network.version == 6 else exp.Not(this=has_colon)
        return exp.And(this=family, expression=inside)


DIALECTS = ("duckdb", "spark", "trino")


def dialect_for(name: str, relation: str = "sheet") -> Dialect:
    """The dialect called ``name``; Spark and Trino read the sheet from a table or view called ``relation``."""
    if name == "duckdb":
        return DUCKDB
    if name == "spark":
        return SparkDialect(relation)
    if name == "trino":
        return TrinoDialect(relation)
    raise ValueError(f"unknown SQL dialect {name!r}; use one of {', '.join(DIALECTS)}")
