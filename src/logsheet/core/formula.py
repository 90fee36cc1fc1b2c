"""The formula language's expression IR: the typed tree a formula column's text parses to.

A formula (``errorCode is not blank and userAgent contains 'aws-cli'``) is parsed by
:mod:`logsheet.query.formulalang` into these nodes and compiled by :mod:`logsheet.compiler.formula`. There are
four kinds of node, all plain data with a JSON round trip (:func:`expr_to_json` / :func:`expr_from_json`):

- :class:`Lit`: a constant (text, a number, true / false, or null);
- :class:`Ref`: a column by name, or a JSON path into a JSON column (``requestParameters.instanceType``);
- :class:`Call`: a function applied to arguments. Operators are functions too: ``a + b`` is
  ``Call("add", (a, b))``, ``a & b`` is ``Call("concat", (a, b))``, ``x is blank`` is ``Call("is_blank", (x,))``;
  :data:`OPERATORS` lists them with their text;
- :class:`CaseWhen`: ``case when c1 then v1 ... else d end``.

The step that adds a formula column, :class:`logsheet.core.ir.Formula`, keeps the formula's text (what a person
typed and reads back); the tree is what the text means, rebuilt whenever the step is compiled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Union

from logsheet.core.errors import InvalidQuery
from logsheet.core.ir_check import check_fields, decode, encode

Scalar = Union[str, int, float, bool, None]

INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1

#: Operator functions and how they are written (``not``, ``neg`` and ``is_blank`` / ``is_not_blank`` take one
#: argument; the others two).
OPERATORS: Final[dict[str, str]] = {
    "or": "or",
    "and": "and",
    "not": "not",
    "eq": "=",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "matches": "matches",
    "is_blank": "is blank",
    "is_not_blank": "is not blank",
    "concat": "&",
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "mod": "%",
    "neg": "-",
}


class ExprNode:
    family: ClassVar[str] = "formula expression"

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True)
class Lit(ExprNode):
    """A constant: text, an integer (64-bit), a finite number, true / false, or null."""

    kind: ClassVar[str] = "lit"
    value: Scalar

    def __post_init__(self) -> None:
        super().__post_init__()
        value = self.value
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidQuery("Lit.value: a formula's numbers are finite")
        if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise InvalidQuery(f"Lit.value: {value} is outside the 64-bit integers")


@dataclass(frozen=True)
class Ref(ExprNode):
    """A column (``eventName``, ```Event Name```) or a JSON path into one (``requestParameters.instanceType``)."""

    kind: ClassVar[str] = "ref"
    name: str

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.name:
            raise InvalidQuery("Ref.name: a column reference needs a name")


@dataclass(frozen=True)
class Call(ExprNode):
    """A function (``lower``, ``if``, ``ip_network`` ...) or an operator (:data:`OPERATORS`) applied to its
    arguments."""

    kind: ClassVar[str] = "call"
    fn: str
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class When:
    condition: Expr
    value: Expr

    def __post_init__(self) -> None:
        check_fields(self)


@dataclass(frozen=True)
class CaseWhen(ExprNode):
    """``case when c1 then v1 [when c2 then v2 ...] [else d] end``: the value of the first true condition,
    else ``default`` (null when there is none)."""

    kind: ClassVar[str] = "case"
    whens: tuple[When, ...]
    default: Expr | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.whens:
            raise InvalidQuery("CaseWhen.whens: a case needs at least one 'when ... then ...'")


Expr = Union[Lit, Ref, Call, CaseWhen]


def expr_to_json(expr: Expr) -> Any:
    """The tree as JSON-ready data, each node tagged with its ``kind``."""
    return encode(expr)


def expr_from_json(data: Any, path: str = "expression") -> Expr:
    """A tree from :func:`expr_to_json` output; refuses malformed JSON naming the path of the problem."""
    return decode(Expr, data, path)  # type: ignore[no-any-return]


def walk(expr: Expr) -> list[Expr]:
    """Every node of the tree, parents before children (iteratively: a long chain is deep)."""
    out: list[Expr] = []
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, CaseWhen):
            if node.default is not None:
                stack.append(node.default)
            for when in reversed(node.whens):
                stack.extend((when.value, when.condition))
    return out


def depth(expr: Expr) -> int:
    """How many nodes deep the tree is (iteratively)."""
    deepest = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        children: list[Expr] = []
        if isinstance(node, Call):
            children = list(node.args)
        elif isinstance(node, CaseWhen):
            children = [part for when in node.whens for part in (when.condition, when.value)]
            if node.default is not None:
                children.append(node.default)
        stack.extend((child, level + 1) for child in children)
    return deepest


__all__ = ["OPERATORS", "Call", "CaseWhen", "Expr", "Lit", "Ref", "When", "depth", "expr_from_json", "expr_to_json", "walk"]
