"""The formula language: the text of a formula column, parsed into :mod:`logsheet.core.formula`'s tree.

::

    errorCode is not blank and userAgent contains 'aws-cli'
    if(bytes > 1000000, 'big', 'small')
    ip_network(srcaddr, 24) & ' -> ' & lower(`Event Name`)

:func:`parse_formula` is a hand-written tokenizer and a precedence-climbing parser (nothing is ever evaluated);
:func:`format_formula` prints a tree back as canonical text, so that ``parse_formula(format_formula(e)) == e``.
Errors are :class:`~logsheet.core.errors.FilterSyntaxError` placed at the character. Which functions exist, their
types and what they compile to is :mod:`logsheet.compiler.formula`'s business; ``docs/formulas.md`` is the
reference for analysts.

Grammar (keywords and function names are case-insensitive; lowest precedence first)::

    expr     := and ( 'or' and )*
    and      := not ( 'and' not )*
    not      := 'not' not | compare
    compare  := concat [ ('=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>=') concat
                       | ['not'] ('contains' | 'starts' 'with' | 'ends' 'with' | 'matches') concat
                       | 'is' ['not'] 'blank' ]
    concat   := sum ( '&' sum )*
    sum      := product ( ('+' | '-') product )*
    product  := unary ( ('*' | '/' | '%') unary )*
    unary    := '-' unary | primary
    primary  := NUMBER | STRING | 'true' | 'false' | 'null' | '(' expr ')'
              | 'case' ( 'when' expr 'then' expr )+ [ 'else' expr ] 'end'
              | 'column' '(' STRING ')' | FUNCTION '(' [ expr ( ',' expr )* ] ')' | NAME | `QUOTED NAME`

Strings are single- or double-quoted (a quote doubled inside: ``'it''s'``); a name is bare
(``requestParameters.instanceType``, ``resources[0].ARN``) or back-quoted (```Event Name```, a back-quote
doubled inside). A minus sign right before a number is part of the number (``-1`` is the constant -1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, NoReturn

from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.core.formula import INT_MAX, INT_MIN, OPERATORS, Call, CaseWhen, Expr, Lit, Ref, When, depth

__all__ = [
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Parsed",
    "format_formula",
    "formula_step",
    "parse_formula",
    "quote_name",
    "split_assignment",
]

KEYWORDS: frozenset[str] = frozenset(
    {
        "and", "or", "not", "is", "blank", "contains", "starts", "ends", "with", "matches",
        "true", "false", "null", "case", "when", "then", "else", "end",
    }
)  # fmt: skip

MAX_DEPTH = 64
"""How deeply a formula's parentheses, function calls and ``case``s may nest; its tree may be twice as deep
(chains of operators), which keeps the recursive parser, printer and compiler far from Python's stack limit."""
MAX_LENGTH = 20_000
"""The longest formula, in characters."""

_SEGMENT = r"[A-Za-z0-9_@$]+(?:\[[0-9]+\])*"
_BARE_NAME = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$]*(?:\[[0-9]+\])*(?:\." + _SEGMENT + r")*")
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_SYMBOLS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", "&", "(", ")", ",")  # longest first
_COMPARE = {"=": "eq", "==": "eq", "!=": "ne", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_SUM = {"+": "add", "-": "sub"}
_PRODUCT = {"*": "mul", "/": "div", "%": "mod"}
_TEXT_WORDS = {"contains": "contains", "starts": "starts_with", "ends": "ends_with", "matches": "matches"}
#: Operators that may also be written as functions: ``contains(a, b)`` is ``a contains b``, ``concat(a, b)`` is ``a & b``.
FUNCTION_SPELLED: frozenset[str] = frozenset({"contains", "starts_with", "ends_with", "matches", "concat"})
_CHAR_HINTS = {"|": "; use 'or'", "!": "; use 'not' (or '!=')", "[": "; a JSON path is written a.b[0].c", '"': ""}

# precedence levels, lowest first (the printer's too)
_OR, _AND, _NOT, _COMPARE_LEVEL, _CONCAT, _SUM_LEVEL, _PRODUCT_LEVEL, _UNARY, _PRIMARY = range(9)
_BINARY_LEVEL = {
    "or": _OR,
    "and": _AND,
    **{fn: _COMPARE_LEVEL for fn in ("eq", "ne", "lt", "le", "gt", "ge", "contains", "starts_with", "ends_with", "matches")},
    "concat": _CONCAT,
    "add": _SUM_LEVEL,
    "sub": _SUM_LEVEL,
    "mul": _PRODUCT_LEVEL,
    "div": _PRODUCT_LEVEL,
    "mod": _PRODUCT_LEVEL,
}

TokenKind = Literal["string", "name", "qname", "number", "symbol", "eof"]


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str
    value: str | int | float
    pos: int
    end: int

    def word(self, *words: str) -> bool:
        return self.kind == "name" and self.text.lower() in words

    def symbol(self, *symbols: str) -> bool:
        return self.kind == "symbol" and self.text in symbols

    def describe(self) -> str:
        if self.kind == "eof":
            return "the end of the formula"
        snippet = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"{snippet!r}"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "'\"":
            value, end = _quoted(text, i, ch, "a string")
            tokens.append(_Token("string", text[i:end], value, i, end))
            i = end
            continue
        if ch == "`":
            value, end = _quoted(text, i, ch, "a quoted name")
            if not value:
                raise FilterSyntaxError("a quoted name cannot be empty", text, i)
            tokens.append(_Token("qname", text[i:end], value, i, end))
            i = end
            continue
        number = _NUMBER.match(text, i)
        if number:
            end = number.end()
            if end < n and (text[end].isalnum() or text[end] in "_."):
                raise FilterSyntaxError("a number must not run into letters or dots", text, end)
            tokens.append(_Token("number", number.group(), _number(number.group(), text, i), i, end))
            i = end
            continue
        name = _BARE_NAME.match(text, i)
        if name:
            tokens.append(_Token("name", name.group(), name.group(), i, name.end()))
            i = name.end()
            continue
        symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
        if symbol is not None:
            tokens.append(_Token("symbol", symbol, symbol, i, i + len(symbol)))
            i += len(symbol)
            continue
        raise FilterSyntaxError(f"unexpected character {ch!r}{_CHAR_HINTS.get(ch, '')}", text, i)
    tokens.append(_Token("eof", "", "", n, n))
    return tokens


def _quoted(text: str, start: int, quote: str, what: str) -> tuple[str, int]:
    """The value of a quoted token starting at ``start`` (a doubled quote stands for one), and where it ends."""
    out: list[str] = []
    i = start + 1
    while True:
        j = text.find(quote, i)
        if j < 0:
            raise FilterSyntaxError(f"{what} is not closed (a {quote} is missing)", text, start)
        out.append(text[i:j])
        if text.startswith(quote * 2, j):
            out.append(quote)
            i = j + 2
            continue
        return "".join(out), j + 1


def _number(token: str, text: str, pos: int) -> int | float:
    if re.fullmatch(r"[0-9]+", token):
        value = int(token)
        if value > INT_MAX + 1:  # -9223372036854775808 is written with a minus sign
            raise FilterSyntaxError("this integer is too large (formulas use 64-bit integers)", text, pos)
        return value
    number = float(token)
    if not math.isfinite(number):
        raise FilterSyntaxError("this number is too large", text, pos)
    return number


# -------------------------------------------------------------------------------------------------- parser
@dataclass(frozen=True)
class Parsed:
    """A parsed formula: its tree, and where each node starts in the text (by the node's ``id``, for errors)."""

    expr: Expr
    text: str
    positions: dict[int, int]
    nodes: tuple[Expr, ...] = ()  # every node the positions name, kept alive so that no id is reused

    def position(self, node: Expr) -> int:
        return self.positions.get(id(node), 0)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.positions: dict[int, int] = {}
        self.keep: list[Expr] = []  # nodes whose ids are in positions stay alive until parsing ends

    # ---------------------------------------------------------------------------------------- helpers
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> _Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    def fail(self, message: str, token: _Token | None = None) -> NoReturn:
        raise FilterSyntaxError(message, self.text, (token or self.tok).pos)

    def expect_symbol(self, symbol: str, what: str) -> _Token:
        if not self.tok.symbol(symbol):
            self.fail(f"expected {what}, found {self.tok.describe()}")
        return self.advance()

    def expect_word(self, word: str, what: str) -> _Token:
        if not self.tok.word(word):
            self.fail(f"expected {what}, found {self.tok.describe()}")
        return self.advance()

    def at(self, node: Expr, pos: int) -> Expr:
        self.positions[id(node)] = pos
        self.keep.append(node)
        return node

    def call(self, fn: str, args: tuple[Expr, ...], pos: int) -> Expr:
        return self.at(Call(fn, args), pos)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"the formula nests deeper than {MAX_DEPTH} levels")

    def leave(self) -> None:
        self.depth -= 1

    def start(self, node: Expr) -> int:
        return self.positions.get(id(node), 0)

    # -------------------------------------------------------------------------------------------- rules
    def parse(self) -> Expr:
        if self.tok.kind == "eof":
            self.fail("the formula is empty")
        expr = self.expr()
        if self.tok.kind != "eof":
            hint = "; join conditions with 'and' or 'or'" if self.tok.kind in ("name", "qname", "string", "number") else ""
            self.fail(f"unexpected {self.tok.describe()} after a complete formula{hint}")
        return expr

    def expr(self) -> Expr:
        self.enter()
        left = self.and_()
        while self.tok.word("or"):
            self.advance()
            left = self.call("or", (left, self.and_()), self.start(left))
        self.leave()
        return left

    def and_(self) -> Expr:
        left = self.not_()
        while self.tok.word("and"):
            self.advance()
            left = self.call("and", (left, self.not_()), self.start(left))
        return left

    def not_(self) -> Expr:
        if self.tok.word("not"):
            token = self.advance()
            self.enter()
            operand = self.not_()
            self.leave()
            return self.call("not", (operand,), token.pos)
        return self.compare()

    def compare(self) -> Expr:
        left = self.concat()
        pos = self.start(left)
        token = self.tok
        result: Expr | None = None
        if token.kind == "symbol" and token.text in _COMPARE:
            self.advance()
            result = self.call(_COMPARE[token.text], (left, self.concat()), pos)
        elif token.word("is"):
            self.advance()
            negate = bool(self.tok.word("not"))
            if negate:
                self.advance()
            self.expect_word("blank", "'blank' after 'is'" + ("" if negate else " or 'is not'"))
            result = self.call("is_not_blank" if negate else "is_blank", (left,), pos)
        elif token.word(*_TEXT_WORDS) or (token.word("not") and self.peek().word(*_TEXT_WORDS)):
            negate = token.word("not")
            if negate:
                self.advance()
            fn = self.text_operator()
            inner = self.call(fn, (left, self.concat()), pos)
            result = self.call("not", (inner,), pos) if negate else inner
        if result is None:
            return left
        following = self.tok
        if (following.kind == "symbol" and following.text in _COMPARE) or following.word("is", *_TEXT_WORDS):
            self.fail("comparisons do not chain; add parentheses", following)
        return result

    def text_operator(self) -> str:
        word = self.advance()
        fn = _TEXT_WORDS[word.text.lower()]
        if fn in ("starts_with", "ends_with"):
            self.expect_word("with", f"'with' after {word.text!r}")
        return fn

    def concat(self) -> Expr:
        left = self.sum()
        while self.tok.symbol("&"):
            self.advance()
            left = self.call("concat", (left, self.sum()), self.start(left))
        return left

    def sum(self) -> Expr:
        left = self.product()
        while self.tok.kind == "symbol" and self.tok.text in _SUM:
            op = self.advance()
            left = self.call(_SUM[op.text], (left, self.product()), self.start(left))
        return left

    def product(self) -> Expr:
        left = self.unary()
        while self.tok.kind == "symbol" and self.tok.text in _PRODUCT:
            op = self.advance()
            left = self.call(_PRODUCT[op.text], (left, self.unary()), self.start(left))
        return left

    def unary(self) -> Expr:
        if self.tok.symbol("-"):
            minus = self.advance()
            if self.tok.kind == "number" and self.tok.pos == minus.end:
                number = self.advance()
                value = -number.value  # type: ignore[operator]
                if isinstance(value, int) and value < INT_MIN:
                    self.fail("this integer is too large (formulas use 64-bit integers)", number)
                return self.at(Lit(value), minus.pos)
            self.enter()
            operand = self.unary()
            self.leave()
            return self.call("neg", (operand,), minus.pos)
        return self.primary()

    def primary(self) -> Expr:
        token = self.tok
        if token.kind == "number":
            self.advance()
            if isinstance(token.value, int) and token.value > INT_MAX:
                self.fail("this integer is too large (formulas use 64-bit integers)", token)
            return self.at(Lit(token.value), token.pos)
        if token.kind == "string":
            self.advance()
            return self.at(Lit(str(token.value)), token.pos)
        if token.kind == "qname":
            self.advance()
            return self.at(Ref(str(token.value)), token.pos)
        if token.symbol("("):
            self.advance()
            inner = self.expr()
            self.expect_symbol(")", "')' to close the '(' opened at position " + str(token.pos + 1))
            return inner
        if token.kind == "name":
            word = token.text.lower()
            if word in ("true", "false"):
                self.advance()
                return self.at(Lit(word == "true"), token.pos)
            if word == "null":
                self.advance()
                return self.at(Lit(None), token.pos)
            if word == "case":
                return self.case()
            if (
                self.peek().symbol("(")
                and _FUNCTION_NAME.fullmatch(token.text)
                and (word not in KEYWORDS or word in FUNCTION_SPELLED)
            ):
                return self.function()
            if word in KEYWORDS:
                self.fail(f"expected a value, a column or a function, found the keyword {token.text!r}")
            self.advance()
            return self.at(Ref(token.text), token.pos)
        if token.kind == "eof":
            self.fail("the formula ends too early: expected a value, a column or a function")
        self.fail(f"expected a value, a column or a function, found {token.describe()}")

    def function(self) -> Expr:
        name = self.advance()
        self.advance()  # (
        self.enter()
        args: list[Expr] = []
        if not self.tok.symbol(")"):
            args.append(self.expr())
            while self.tok.symbol(","):
                self.advance()
                args.append(self.expr())
        self.expect_symbol(")", f"',' or ')' in the arguments of {name.text}()")
        self.leave()
        fn = name.text.lower()
        if fn == "column":
            if len(args) != 1 or not isinstance(args[0], Lit) or not isinstance(args[0].value, str) or not args[0].value:
                self.fail("column() takes one quoted column name, as in column('Event Name')", name)
            return self.at(Ref(args[0].value), name.pos)
        if fn in OPERATORS and fn not in FUNCTION_SPELLED:
            self.fail(f"{name.text!r} is an operator, not a function; write it between its operands", name)
        return self.call(fn, tuple(args), name.pos)

    def case(self) -> Expr:
        start = self.advance()
        self.enter()
        whens: list[When] = []
        while self.tok.word("when"):
            self.advance()
            condition = self.expr()
            self.expect_word("then", "'then' after the condition of 'when'")
            whens.append(When(condition, self.expr()))
        if not whens:
            self.fail("expected 'when' after 'case'")
        default: Expr | None = None
        if self.tok.word("else"):
            self.advance()
            default = self.expr()
        self.expect_word("end", f"'when', 'else' or 'end' to close the 'case' at position {start.pos + 1}")
        self.leave()
        node = CaseWhen(tuple(whens), default)
        return self.at(node, start.pos)


def parse_formula(text: str) -> Parsed:
    """The tree a formula's text means, with each node's position; :class:`FilterSyntaxError` at the character
    when it does not parse."""
    if len(text) > MAX_LENGTH:
        raise FilterSyntaxError(f"a formula is at most {MAX_LENGTH} characters", text[:MAX_LENGTH], MAX_LENGTH - 1)
    parser = _Parser(text)
    expr = parser.parse()
    if depth(expr) > MAX_DEPTH * 2:
        raise FilterSyntaxError(f"the formula nests deeper than {MAX_DEPTH * 2} operations", text, 0)
    return Parsed(expr, text, parser.positions, tuple(parser.keep))


def split_assignment(text: str) -> tuple[str, str]:
    """``NAME = EXPR`` (the CLI's ``--formula``) as the name and the formula's text; the name bare or
    back-quoted (```new flag` = ...``)."""
    stripped = text.strip()
    if stripped.startswith("`"):
        name, end = _quoted(stripped, 0, "`", "a quoted name")
        rest = stripped[end:].lstrip()
    else:
        name, equals, after = stripped.partition("=")
        name = name.strip()
        rest = "=" + after if equals else ""
    if not name or not rest.startswith("=") or rest.startswith("=="):
        raise InvalidQuery(f'a formula column is written NAME = EXPRESSION, as in "flag = errorCode is not blank", not {text!r}')
    expression = rest[1:].strip()
    if not expression:
        raise InvalidQuery(f"the formula column {name!r} has no expression after '='")
    return name, expression


def formula_step(text: str) -> ir.Formula:
    """The step ``NAME = EXPR`` spells, its formula checked for syntax (its columns and types are checked
    when the view is compiled against a sheet)."""
    name, expression = split_assignment(text)
    parse_formula(expression)
    return ir.Formula(name, expression)


# ------------------------------------------------------------------------------------------------- printer
def quote_name(name: str) -> str:
    """A column name as formula text: bare when it is a valid bare name and not a keyword, else back-quoted."""
    if _BARE_NAME.fullmatch(name) and name.lower() not in KEYWORDS:
        return name
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def format_formula(expr: Expr) -> str:
    """Canonical text for a tree: ``parse_formula(format_formula(e)).expr == e``. ValueError for a tree no text
    spells (an operator with the wrong number of arguments, a function named like a keyword)."""
    return _format(expr, _OR)


def _format(expr: Expr, level: int) -> str:
    text, own = _format_node(expr)
    return f"({text})" if own < level else text


def _format_node(expr: Expr) -> tuple[str, int]:
    """The node's text and its precedence level."""
    if isinstance(expr, Lit):
        return _format_literal(expr.value), _PRIMARY
    if isinstance(expr, Ref):
        return quote_name(expr.name), _PRIMARY
    if isinstance(expr, CaseWhen):
        parts = ["case"]
        for when in expr.whens:
            parts += ["when", _format(when.condition, _OR), "then", _format(when.value, _OR)]
        if expr.default is not None:
            parts += ["else", _format(expr.default, _OR)]
        parts.append("end")
        return " ".join(parts), _PRIMARY
    fn, args = expr.fn, expr.args
    if fn in _BINARY_LEVEL and len(args) == 2:
        own = _BINARY_LEVEL[fn]
        if own == _COMPARE_LEVEL:  # not associative: both sides bind tighter
            left, right = _format(args[0], own + 1), _format(args[1], own + 1)
        else:  # left-associative
            left, right = _format(args[0], own), _format(args[1], own + 1)
        return f"{left} {OPERATORS[fn]} {right}", own
    if fn == "not" and len(args) == 1:
        return f"not {_format(args[0], _NOT)}", _NOT
    if fn in ("is_blank", "is_not_blank") and len(args) == 1:
        return f"{_format(args[0], _COMPARE_LEVEL + 1)} {OPERATORS[fn]}", _COMPARE_LEVEL
    if fn == "neg" and len(args) == 1:
        operand = args[0]
        if isinstance(operand, Lit) and _is_number(operand.value):
            return f"-({_format_literal(operand.value)})", _UNARY
        inner = _format(operand, _UNARY)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}", _UNARY
    if (
        (fn in OPERATORS and fn not in FUNCTION_SPELLED)
        or fn == "column"
        or fn.lower() != fn
        or not _FUNCTION_NAME.fullmatch(fn)
        or (fn in KEYWORDS and fn not in FUNCTION_SPELLED)
    ):
        raise ValueError(f"no formula text spells the call {fn!r} with {len(args)} arguments")
    return f"{fn}({', '.join(_format(a, _OR) for a in args)})", _PRIMARY


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _format_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    assert isinstance(value, str)
    return quote_string(value)
