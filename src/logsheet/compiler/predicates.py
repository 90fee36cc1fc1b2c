"""Filter predicates (IR) to sqlglot boolean expressions.

Every leaf compiles to an expression that is never NULL (``COALESCE(..., FALSE)``), so that ``not`` and the
negated operators behave as a spreadsheet user expects: "not equal to X" keeps the blank rows, and
``not (a or b)`` is the exact complement of ``a or b``.
"""

from __future__ import annotations

import ipaddress

from sqlglot import exp

from logsheet.compiler import annotation as notes
from logsheet.compiler.dialects import Dialect
from logsheet.compiler.resolve import Resolved, coerce, resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import lit, to_text

_TEXTUAL = ("text", "json")
# The characters a value of each type can show when rendered as text (lower-cased); text and json: any.
_RENDERED = {
    "integer": frozenset("0123456789-"),
    "float": frozenset("0123456789-+.einfa"),
    "timestamp": frozenset("0123456789-:. +"),
    "date": frozenset("0123456789-"),
}


def can_hold(logical: str, needle: str) -> bool:
    """Whether a column of this type can render a value containing ``needle`` (lower-cased)."""
    if logical == "boolean":
        return needle in "true" or needle in "false"
    allowed = _RENDERED.get(logical)
    return allowed is None or set(needle) <= allowed


class PredicateCompiler:
    def __init__(self, schema: Schema, dialect: Dialect, annotated: bool = False, searched: Schema | None = None) -> None:
        """``annotated``: the rows carry their annotations (:mod:`logsheet.compiler.annotation`); ``searched``:
        the columns a full-text search reads (default: all; a view leaves the annotation columns out)."""
        self.schema = schema
        self.dialect = dialect
        self.annotated = annotated
        self.searched = schema if searched is None else searched

    def compile(self, node: ir.Predicate) -> exp.Expr:
        if isinstance(node, ir.And):
            return self._chain(exp.And, node.items, "and")
        if isinstance(node, ir.Or):
            return self._chain(exp.Or, node.items, "or")
        if isinstance(node, ir.Not):
            return exp.Not(this=exp.Paren(this=self.compile(node.item)))
        if isinstance(node, ir.Search):
            return self.search(node.text)
        if isinstance(node, ir.CompareColumns):
            return self._columns(node)
        if isinstance(node, (ir.Starred, ir.Tagged, ir.Commented)):
            return notes.predicate(node, self.annotated)
        if isinstance(node, ir.IocMatch):
            raise InvalidQuery("an IOC filter is resolved against the workspace's IOC lists; it works on a sheet's views")
        method = getattr(self, "_" + node.kind, None)
        if method is None:
            raise InvalidQuery(f"unsupported filter {node.kind!r}")
        positive: exp.Expr = method(node, resolve(node.column, self.schema))
        safe = exp.Coalesce(this=positive, expressions=[exp.false()])
        return exp.Not(this=safe) if getattr(node, "negate", False) else safe

    def search(self, text: str) -> exp.Expr:
        """Case-insensitive substring in any column (values rendered as text).

        Two shortcuts keep it a plain substring scan (see bench/README.md, "search"): a needle without
        letters (an IP address, a port, an id of digits) needs no lower-casing of the values, and a column
        whose rendered values cannot hold the needle (an integer column for ``admin``) is not read at all."""
        if not text:
            return exp.true()
        needle = text.lower()
        caseless = needle.upper() == needle  # no letter in it
        hits = []
        for c in self.searched:
            if not can_hold(c.type, needle):
                continue
            value = to_text(self.dialect.column(c.name))
            haystack = value if caseless else exp.Lower(this=value)
            hits.append(exp.GT(this=exp.StrPosition(this=haystack, substr=lit(needle)), expression=lit(0)))
        if not hits:
            return exp.false()
        return exp.Coalesce(this=exp.Paren(this=exp.or_(*hits)), expressions=[exp.false()])

    # ---------------------------------------------------------------------------------------- composites
    def _chain(self, kind: type, items: tuple[ir.Predicate, ...], word: str) -> exp.Expr:
        if not items:
            raise InvalidQuery(f"an empty '{word}' group")
        compiled = [exp.Paren(this=self.compile(i)) for i in items]
        result = compiled[0]
        for item in compiled[1:]:
            result = kind(this=result, expression=item)
        return result

    # ----------------------------------------------------------------------------------------------- leaves
    def _compare(self, node: ir.Compare, target: Resolved) -> exp.Expr:
        if node.op not in ir.COMPARE_OPS:
            raise InvalidQuery(f"unknown comparison {node.op!r}")
        if node.value is None:
            if node.op not in ("=", "!="):
                raise InvalidQuery(f"null can only be compared with = or !=, not {node.op}")
            is_null = exp.Is(this=target.expression, expression=exp.Null())
            return is_null if node.op == "=" else exp.Not(this=is_null)
        left, right = self._operands(node, target)
        if node.op == "!=":
            # "not equal" keeps blanks: NULL is distinct from any value.
            return exp.NullSafeNEQ(this=left, expression=right)
        kind = {"=": exp.EQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}[node.op]
        return kind(this=left, expression=right)

    def _in(self, node: ir.InList, target: Resolved) -> exp.Expr:
        if not node.values:
            raise InvalidQuery(f"'in' needs at least one value for column {node.column!r}")
        left = self._fold(target.expression, target.type, node.case_sensitive)
        values = [
            self._fold(coerce(v, target.type, node.column), target.type, node.case_sensitive)
            for v in node.values
            if v is not None
        ]
        checks: list[exp.Expr] = []
        if values:
            checks.append(exp.In(this=left, expressions=values))
        if any(v is None for v in node.values):
            checks.append(exp.Is(this=target.expression, expression=exp.Null()))
        return exp.or_(*checks) if len(checks) > 1 else checks[0]

    def _between(self, node: ir.Between, target: Resolved) -> exp.Expr:
        low = coerce(node.low, target.type, node.column)
        high = coerce(node.high, target.type, node.column)
        value = self._comparable(target, node.low)
        return exp.Between(
            this=value,
            low=low if value is target.expression else _num(low),
            high=high if value is target.expression else _num(high),
        )

    def _text(self, node: ir.TextMatch, target: Resolved) -> exp.Expr:
        if node.op not in ir.TEXT_OPS:
            raise InvalidQuery(f"unknown text operator {node.op!r}")
        value = self._fold(
            to_text(target.expression) if target.type not in _TEXTUAL else target.expression, "text", node.case_sensitive
        )
        needle = self._fold(lit(node.value), "text", node.case_sensitive)
        if node.op == "contains":
            return exp.GT(this=exp.StrPosition(this=value, substr=needle), expression=lit(0))
        if node.op == "starts_with":
            return exp.StartsWith(this=value, expression=needle)
        return exp.EndsWith(this=value, expression=needle)

    def _regex(self, node: ir.Regex, target: Resolved) -> exp.Expr:
        pattern = node.pattern if node.case_sensitive else "(?i)" + node.pattern
        value = target.expression if target.type in _TEXTUAL else to_text(target.expression)
        return exp.RegexpLike(this=value, expression=lit(self.dialect.regex(pattern)))

    def _blank(self, node: ir.Blank, target: Resolved) -> exp.Expr:
        is_null = exp.Is(this=target.expression, expression=exp.Null())
        if target.type not in _TEXTUAL:
            return is_null
        empty = exp.EQ(this=exp.Trim(this=target.expression), expression=lit(""))
        return exp.Or(this=is_null, expression=empty)

    def _cidr(self, node: ir.InCidr, target: Resolved) -> exp.Expr:
        try:
            network = ipaddress.ip_network(node.cidr.strip(), strict=False)
        except ValueError:
            raise InvalidQuery(f"{node.cidr!r} is not a network such as '10.0.0.0/8' or '2001:db8::/32'") from None
        value = target.expression if target.type in _TEXTUAL else to_text(target.expression)
        return self.dialect.ip_in_network(value, network)

    def _columns(self, node: ir.CompareColumns) -> exp.Expr:
        """Two columns of the row: as their type when both have the same non-text type (or are both numbers),
        else as text; ``!=`` is the exact complement of ``=`` (NULL on either side is not equal)."""
        if node.op not in ir.COLUMNS_OPS:
            raise InvalidQuery(f"unknown column comparison {node.op!r}")
        left_side = resolve(node.column, self.schema)
        right_side = resolve(node.other, self.schema)
        left, right = left_side.expression, right_side.expression
        types = {left_side.type, right_side.type}
        as_text = node.op not in ("=", "!=") or not (len(types) == 1 or types == {"integer", "float"})
        if as_text or types & set(_TEXTUAL):
            left = left if left_side.type in _TEXTUAL else to_text(left)
            right = right if right_side.type in _TEXTUAL else to_text(right)
            left, right = self._fold(left, "text", node.case_sensitive), self._fold(right, "text", node.case_sensitive)
        test: exp.Expr
        if node.op in ("=", "!="):
            test = exp.EQ(this=left, expression=right)
        elif node.op == "contains":
            test = exp.GT(this=exp.StrPosition(this=left, substr=right), expression=lit(0))
        elif node.op == "starts_with":
            test = exp.StartsWith(this=left, expression=right)
        else:
            test = exp.EndsWith(this=left, expression=right)
        safe = exp.Coalesce(this=test, expressions=[exp.false()])
        return exp.Not(this=safe) if node.op == "!=" else safe

    # --------------------------------------------------------------------------------------------- helpers
    def _operands(self, node: ir.Compare, target: Resolved) -> tuple[exp.Expr, exp.Expr]:
        right = coerce(node.value, target.type, node.column)
        left = self._comparable(target, node.value)
        if left is not target.expression:
            right = _num(right)
        if node.op in ("=", "!=") and not node.case_sensitive:
            return self._fold(left, target.type, False), self._fold(right, target.type, False)
        return left, right

    def _comparable(self, target: Resolved, value: object) -> exp.Expr:
        """JSON-path values are text; compare them as numbers when the literal is a number."""
        if target.json_path and isinstance(value, (int, float)) and not isinstance(value, bool):
            return exp.TryCast(this=target.expression, to=exp.DataType.build("DOUBLE"))
        return target.expression

    @staticmethod
    def _fold(expression: exp.Expr, type_: str, case_sensitive: bool) -> exp.Expr:
        if case_sensitive or type_ not in _TEXTUAL:
            return expression
        return exp.Lower(this=expression)


def _num(literal: exp.Expr) -> exp.Expr:
    """A text literal made from a number (JSON-path comparisons) back to a number literal."""
    if isinstance(literal, exp.Literal) and literal.is_string:
        try:
            return lit(float(literal.this))
        except ValueError:
            return literal
    return literal
