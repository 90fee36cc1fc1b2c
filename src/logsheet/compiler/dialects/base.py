"""What a dialect answers for the compiler, and the parts two or more dialects share.

The compiler emits sqlglot nodes that transpile to every dialect; the few constructs that do not (how a
sheet's files are read, list slicing, IP networks, timestamp parsing, regex syntax) are asked of the
dialect. One module per engine implements them: :mod:`.duckdb`, :mod:`.spark`, :mod:`.trino`.
"""

from __future__ import annotations

import ipaddress
from abc import ABC, abstractmethod
from typing import ClassVar

from sqlglot import exp

from logsheet.compiler.regex import java_regex
from logsheet.core.errors import InvalidQuery
from logsheet.core.sqlnames import cast, col, ident, lit, render

ELEMENT = "__elem"  # Dialect.unnest's element column
POSITION = "__at"  # ... and its 1-based position
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4_PATTERN = rf"^{OCTET}(\.{OCTET}){{3}}$"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Dialect(ABC):
    """One engine's SQL: what the compiler asks of it, and how a compiled statement becomes text."""

    name: ClassVar[str]  # the sqlglot dialect the statements are rendered in

    def render(self, expression: exp.Expr, pretty: bool = False) -> str:
        """The SQL text of a compiled statement in this dialect."""
        return render(expression, self.name, pretty=pretty)

    def column(self, name: str) -> exp.Expr:
        return col(name)

    @abstractmethod
    def source(self, paths: list[str]) -> exp.Expr:
        """The table expression reading a sheet's Parquet parts (schemas may differ between appends)."""

    def annotations_source(self, path: str) -> exp.Expr:
        """The table expression reading a sheet's annotations (one Parquet file: logsheet.compiler.annotation)."""
        return self.source([path])

    @abstractmethod
    def regex(self, pattern: str) -> str:
        """An RE2 pattern (logsheet's syntax) in this engine's regex syntax."""

    @abstractmethod
    def split(self, value: exp.Expr, delimiter: str, collapse: bool) -> exp.Expr:
        """The list of the parts of ``value`` between ``delimiter``s; ``collapse``: a run of them is one,
        and the value is trimmed first."""

    @abstractmethod
    def element(self, items: exp.Expr, index: int) -> exp.Expr:
        """The 1-based element of a list, NULL past the end."""

    @abstractmethod
    def tail_join(self, items: exp.Expr, start: int, delimiter: str) -> exp.Expr:
        """Elements ``start..end`` (1-based) joined back with the delimiter; NULL when there are none."""

    def json_array(self, value: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        """The elements of the JSON array at ``path`` in the JSON text ``value``, as a list of text: an object or an
        array element as its JSON text, a string as itself, a JSON null as NULL; no elements when there is no
        array there. (Row steps: :mod:`logsheet.compiler.rowsteps`.)"""
        raise InvalidQuery(f"exploding JSON arrays is not supported in the {self.name} dialect")

    def json_field(self, element: exp.Expr, path: exp.JSONPath) -> exp.Expr:
        """A field of an element :meth:`json_array` gave, as text; NULL when the element is no JSON object."""
        return exp.JSONExtractScalar(this=element, expression=path)

    def unnest(self, relation: exp.Expr, keep: list[str], items: exp.Expr, outer: bool) -> exp.Select:
        """One row per element of the list ``items`` of each row of ``relation``: the columns ``keep``, the element
        as ``__elem`` and its 1-based position as ``__at``. A row whose list is NULL or empty gives no row, or one
        row with a NULL element at position 1 with ``outer``."""
        raise InvalidQuery(f"row steps (split to rows, explode) are not supported in the {self.name} dialect")

    @abstractmethod
    def strptime(self, value: exp.Expr, fmt: str) -> exp.Expr:
        """``value`` parsed with a strptime format as a timestamp, NULL when it does not parse."""

    @abstractmethod
    def ip_in_network(self, value: exp.Expr, network: Network) -> exp.Expr:
        """Whether the address in ``value`` (text) lies in ``network``; false for text that is no address."""

    def regex_replace(self, value: exp.Expr, pattern: str, replacement: str) -> exp.Expr:
        """Every match of an RE2 ``pattern`` in ``value`` replaced; ``replacement`` in RE2's syntax (``\\1`` is a
        group, ``\\\\`` a backslash), which :func:`replacement_parts` checks."""
        return exp.RegexpReplace(
            this=value, expression=lit(self.regex(pattern)), replacement=lit(replacement), modifiers=lit("g")
        )

    def _ipv4_in(self, value: exp.Expr, low: int, high: int) -> exp.Expr:
        """An IPv4 address (dotted text) between two addresses, as numbers, in plain SQL."""
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


def replacement_parts(replacement: str) -> list[str]:
    """A regex replacement in RE2's syntax split into groups (``\\1``), backslashes (``\\\\``) and plain text;
    ValueError for any other backslash."""
    parts: list[str] = []
    i = 0
    while i < len(replacement):
        if replacement[i] == "\\":
            nxt = replacement[i + 1 : i + 2]
            if not (nxt.isdigit() or nxt == "\\"):
                raise ValueError("in a replacement, a backslash is followed by a group number (\\1) or another backslash")
            parts.append(replacement[i : i + 2])
            i += 2
            continue
        j = replacement.find("\\", i)
        j = len(replacement) if j < 0 else j
        parts.append(replacement[i:j])
        i = j
    return parts


class TableDialect(Dialect, ABC):
    """Engines that read a sheet as a named table (a view over its dataset) and use Java-style regexes."""

    def __init__(self, relation: str = "sheet", annotations: str | None = None) -> None:
        self.relation = relation
        self.annotations = annotations or f"{relation}__annotations"  # the table of the sheet's annotations

    def source(self, paths: list[str]) -> exp.Expr:
        return exp.Table(this=ident(self.relation))

    def annotations_source(self, path: str) -> exp.Expr:
        return exp.Table(this=ident(self.annotations))

    def regex(self, pattern: str) -> str:
        return java_regex(pattern)

    def regex_replace(self, value: exp.Expr, pattern: str, replacement: str) -> exp.Expr:
        """Java's replacement syntax: ``$1`` for a group, ``\\$`` and ``\\\\`` for the characters themselves."""
        java = "".join(
            f"${part[1]}"
            if part.startswith("\\") and part[1:].isdigit()
            else "\\\\"
            if part == "\\\\"
            else part.replace("$", "\\$")
            for part in replacement_parts(replacement)
        )
        return exp.RegexpReplace(this=value, expression=lit(self.regex(pattern)), replacement=lit(java))
