"""Formula columns: a formula's tree (:mod:`logsheet.core.formula`) type-checked against a sheet's schema and
compiled to one sqlglot expression, the same on every engine.

Every node gets a logical type (``text``, ``integer``, ``float``, ``boolean``, ``timestamp``, ``date``,
``json``, or ``null`` for the constant null); a function or operator given the wrong types is refused with a
:class:`~logsheet.core.errors.FilterSyntaxError` placed at the argument's first character. Values stay sqlglot
literals; constants a function needs to know at compile time (a regex, a CIDR, a prefix length, a date_trunc
unit) must be written as constants. The function table :data:`FUNCTIONS` is the reference that
``docs/formulas.md`` documents.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sqlglot import exp

from logsheet.compiler import textsteps
from logsheet.compiler.dialects import DUCKDB, Dialect
from logsheet.compiler.dialects.base import IPV4_PATTERN, replacement_parts
from logsheet.compiler.resolve import coerce, name_taken, resolve
from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.core.formula import OPERATORS, CaseWhen, Expr, Lit, Ref, expr_to_json
from logsheet.core.formula import Call as CallNode
from logsheet.core.ir import URL_PARTS
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import cast, lit
from logsheet.query.formulalang import FUNCTION_SPELLED, Parsed, format_formula, parse_formula

NUMERIC: Final = frozenset({"integer", "float"})
TEXTUAL: Final = frozenset({"text", "json"})
TIMES: Final = frozenset({"timestamp", "date"})
TRUNC_UNITS: Final = ("year", "quarter", "month", "week", "day", "hour", "minute", "second")
PRIVATE_NETWORKS: Final = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
)
"""What ``is_private`` means: RFC 1918, loopback and link-local, IPv4 and IPv6 (unique local included)."""


@dataclass(frozen=True)
class Typed:
    """A compiled node: its SQL, its logical type, where it starts in the text and (for a constant) its value."""

    sql: exp.Expr
    type: str
    pos: int
    node: Expr
    json_path: bool = False

    @property
    def constant(self) -> bool:
        return isinstance(self.node, Lit)

    @property
    def value(self) -> Any:
        return self.node.value if isinstance(self.node, Lit) else None


@dataclass(frozen=True)
class Compiled:
    """A whole formula: its SQL expression and the logical type of the column it makes."""

    sql: exp.Expr
    type: str
    expr: Expr


Handler = Callable[["FormulaCompiler", list[Typed], int], tuple[exp.Expr, str]]


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None  # None: any number
    handler: Handler
    signature: str  # for messages and docs: "lower(text)"


FUNCTIONS: dict[str, Function] = {}


def _function(name: str, min_args: int, max_args: int | None, signature: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        FUNCTIONS[name] = Function(name, min_args, max_args, handler, signature)
        return handler

    return register


def compile_formula(text: str, schema: Schema, dialect: Dialect) -> Compiled:
    """A formula's text compiled against ``schema``: FilterSyntaxError at the character for any problem."""
    parsed = parse_formula(text)
    typed = FormulaCompiler(parsed, schema, dialect).compile(parsed.expr)
    type_ = "text" if typed.type == "null" else typed.type
    return Compiled(typed.sql, type_, parsed.expr)


def describe_formula(text: str, schema: Schema | None, dialect: Dialect | None = None) -> dict[str, Any]:
    """What the check endpoint answers: the canonical text, the tree as JSON and (against a schema) the type."""
    if schema is None:
        expr = parse_formula(text).expr
        return {"expression": format_formula(expr), "tree": expr_to_json(expr), "type": None}
    compiled = compile_formula(text, schema, dialect or DUCKDB)
    return {"expression": format_formula(compiled.expr), "tree": expr_to_json(compiled.expr), "type": compiled.type}


def check_new_name(name: str, schema: Schema) -> None:
    if not name.strip():
        raise InvalidQuery("a formula column needs a name")
    taken = name_taken(name, schema)
    if taken is not None:
        raise InvalidQuery(f"a column named {taken.name!r} already exists; choose another name for the formula")


class FormulaCompiler:
    def __init__(self, parsed: Parsed, schema: Schema, dialect: Dialect) -> None:
        self.parsed = parsed
        self.schema = schema
        self.dialect = dialect

    def fail(self, message: str, pos: int) -> Exception:
        return FilterSyntaxError(message, self.parsed.text, pos)

    def compile(self, node: Expr) -> Typed:
        pos = self.parsed.position(node)
        if isinstance(node, Lit):
            return Typed(_literal(node.value), _literal_type(node.value), pos, node)
        if isinstance(node, Ref):
            try:
                target = resolve(node.name, self.schema)
            except InvalidQuery as exc:
                raise self.fail(str(exc), pos) from None
            return Typed(target.expression, target.type, pos, node, target.json_path)
        if isinstance(node, CaseWhen):
            return self._case(node, pos)
        return self._call(node, pos)

    def _call(self, node: CallNode, pos: int) -> Typed:
        spec = FUNCTIONS.get(node.fn)
        if spec is None:
            raise self.fail(f"unknown function {node.fn!r}{_suggest(node.fn)}", pos)
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise self.fail(f"{spec.signature} takes {_arity(spec)}, not {count}", pos)
        args = [self.compile(a) for a in node.args]
        sql, type_ = spec.handler(self, args, pos)
        return Typed(sql, type_, pos, node)

    def _case(self, node: CaseWhen, pos: int) -> Typed:
        ifs = []
        values = []
        for when in node.whens:
            condition = self.boolean(self.compile(when.condition), "a 'when' condition")
            value = self.compile(when.value)
            values.append(value)
            ifs.append(exp.If(this=condition, true=value.sql))
        default = self.compile(node.default) if node.default is not None else None
        if default is not None:
            values.append(default)
        type_ = self.unify(values, "the values of 'case'")
        return Typed(exp.Case(ifs=ifs, default=default.sql if default else None), type_, pos, node)

    # ------------------------------------------------------------------------------------------- checks
    def boolean(self, arg: Typed, what: str) -> exp.Expr:
        if arg.type not in ("boolean", "null"):
            raise self.fail(f"{what} must be true or false, not {_a(arg.type)} value", arg.pos)
        return arg.sql

    def number(self, arg: Typed, what: str) -> exp.Expr:
        if arg.type in NUMERIC or arg.type == "null":
            return arg.sql
        hint = "; make text a number with number(...)" if arg.type in TEXTUAL else ""
        raise self.fail(f"{what} must be a number, not {_a(arg.type)} value{hint}", arg.pos)

    def text(self, arg: Typed) -> exp.Expr:
        """Any value as text (timestamps as 'YYYY-MM-DD HH:MM:SS', UTC)."""
        if arg.type in TEXTUAL:
            return arg.sql
        if arg.type == "null":
            return cast(arg.sql, "VARCHAR")
        if arg.type == "timestamp":
            return exp.TimeToStr(this=arg.sql, format=lit("%Y-%m-%d %H:%M:%S"))
        return cast(arg.sql, "VARCHAR")

    def time(self, arg: Typed, what: str) -> exp.Expr:
        """A timestamp: a timestamp as it is, a date at midnight, text parsed (ISO 8601 or epoch seconds)."""
        if arg.type == "timestamp" or arg.type == "null":
            return arg.sql
        if arg.type == "date":
            return cast(arg.sql, "TIMESTAMPTZ")
        if arg.type in TEXTUAL:
            return auto_timestamp(exp.Trim(this=arg.sql))
        raise self.fail(f"{what} must be a time, not {_a(arg.type)} value", arg.pos)

    def constant(self, arg: Typed, kind: type, what: str) -> Any:
        value = arg.value
        if not arg.constant or not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            word = "text" if kind is str else "an integer" if kind is int else kind.__name__
            raise self.fail(f"{what} must be written as a constant ({word})", arg.pos)
        return value

    def unify(self, values: list[Typed], what: str) -> str:
        types = {v.type for v in values} - {"null"}
        if not types:
            return "null"
        if types <= NUMERIC:
            return "float" if "float" in types else "integer"
        if types <= TEXTUAL:
            return "text" if "text" in types else "json"
        if len(types) == 1:
            return types.pop()
        first = next(v for v in values if v.type != "null")
        other = next(v for v in values if v.type not in ("null", first.type))
        raise self.fail(
            f"{what} have different types ({first.type} and {other.type}); convert them with text(), number() or timestamp()",
            other.pos,
        )

    def comparable(self, left: Typed, right: Typed) -> tuple[exp.Expr, exp.Expr]:
        """Both sides of a comparison, a constant made the other side's type (``ts > '2022-03-22'``)."""
        if left.constant and right.constant:
            self.unify([left, right], "the two sides of the comparison")
            return left.sql, right.sql
        for value, other in ((right, left), (left, right)):
            if value.constant and not other.constant:
                if value.value is None:
                    raise self.fail("compare with null using 'is blank' or 'is not blank'", value.pos)
                if other.json_path and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
                    as_number = exp.TryCast(this=other.sql, to=exp.DataType.build("DOUBLE"))
                    pair = (as_number, value.sql)
                    return pair if other is left else (pair[1], pair[0])
                try:
                    coerced = coerce(value.value, "text" if other.type == "json" else other.type, _name(other.node))
                except InvalidQuery as exc:
                    raise self.fail(str(exc), value.pos) from None
                return (other.sql, coerced) if other is left else (coerced, other.sql)
        self.unify([left, right], "the two sides of the comparison")
        return left.sql, right.sql


# ------------------------------------------------------------------------------------------------ helpers
def _literal(value: object) -> exp.Expr:
    return lit(value)


def _literal_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "text"


def _a(type_: str) -> str:
    return "an integer" if type_ == "integer" else f"a {type_}"


def _name(node: Expr) -> str:
    return node.name if isinstance(node, Ref) else "the formula"


def _arity(spec: Function) -> str:
    if spec.max_args is None:
        return f"at least {spec.min_args} argument{'s' if spec.min_args != 1 else ''}"
    if spec.min_args == spec.max_args:
        return f"{spec.min_args} argument{'s' if spec.min_args != 1 else ''}"
    return f"{spec.min_args} to {spec.max_args} arguments"


def _suggest(name: str) -> str:
    import difflib

    callable_ = [n for n in FUNCTIONS if n not in OPERATORS or n in FUNCTION_SPELLED]
    close = difflib.get_close_matches(name, callable_, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else "; see docs/formulas.md for the functions"


def _paren(expression: exp.Expr) -> exp.Expr:
    if isinstance(expression, (exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Func)):
        return expression
    return exp.Paren(this=expression)


def _false_if_null(expression: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=expression, expressions=[exp.false()])


def auto_timestamp(value: exp.Expr) -> exp.Expr:
    """ISO 8601 text, or epoch seconds (9-10 digits, optional fraction) or milliseconds (13 digits)."""
    seconds = exp.RegexpLike(this=value, expression=lit(r"^[0-9]{9,10}(\.[0-9]+)?$"))
    millis = exp.RegexpLike(this=value, expression=lit(r"^[0-9]{13}$"))
    as_double = cast(value, "DOUBLE", safe=True)
    return exp.Case(
        ifs=[
            exp.If(this=seconds, true=exp.UnixToTime(this=as_double)),
            exp.If(this=millis, true=exp.UnixToTime(this=exp.Div(this=as_double, expression=lit(1000.0)))),
        ],
        default=cast(value, "TIMESTAMPTZ", safe=True),
    )


# ------------------------------------------------------------------------------------ logic and comparison
@_function("or", 2, 2, "a or b")
def _or(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    left, right = (c.boolean(a, "each side of 'or'") for a in args)
    return exp.Or(this=_paren(left), expression=_paren(right)), "boolean"


@_function("and", 2, 2, "a and b")
def _and(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    left, right = (c.boolean(a, "each side of 'and'") for a in args)
    return exp.And(this=_paren(left), expression=_paren(right)), "boolean"


@_function("not", 1, 1, "not a")
def _not(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return exp.Not(this=_paren(c.boolean(args[0], "the operand of 'not'"))), "boolean"


def _comparison(kind: type[exp.Expr]) -> Handler:
    def handler(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
        left, right = c.comparable(args[0], args[1])
        return kind(this=_paren(left), expression=_paren(right)), "boolean"

    return handler


for _fn, _kind, _op in (
    ("eq", exp.EQ, "="),
    ("ne", exp.NEQ, "!="),
    ("lt", exp.LT, "<"),
    ("le", exp.LTE, "<="),
    ("gt", exp.GT, ">"),
    ("ge", exp.GTE, ">="),
):
    _function(_fn, 2, 2, f"a {_op} b")(_comparison(_kind))


@_function("is_blank", 1, 1, "a is blank")
def _is_blank(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return _blank(args[0]), "boolean"


@_function("is_not_blank", 1, 1, "a is not blank")
def _is_not_blank(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return exp.Not(this=exp.Paren(this=_blank(args[0]))), "boolean"


def _blank(arg: Typed) -> exp.Expr:
    is_null = exp.Is(this=_paren(arg.sql), expression=exp.Null())
    if arg.type not in TEXTUAL:
        return is_null
    return exp.Or(this=is_null, expression=exp.EQ(this=exp.Trim(this=arg.sql), expression=lit("")))


# ----------------------------------------------------------------------------------------------- text
def _text_test(fn: str) -> Handler:
    def handler(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
        value, needle = c.text(args[0]), c.text(args[1])
        test: exp.Expr
        if fn == "contains":
            test = exp.GT(this=exp.StrPosition(this=value, substr=needle), expression=lit(0))
        elif fn == "starts_with":
            test = exp.StartsWith(this=value, expression=needle)
        else:
            test = exp.EndsWith(this=value, expression=needle)
        return _false_if_null(test), "boolean"

    return handler


for _fn in ("contains", "starts_with", "ends_with"):
    _function(_fn, 2, 2, f"{_fn}(text, text)")(_text_test(_fn))


@_function("matches", 2, 2, "matches(text, 'regex')")
def _matches(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    pattern = c.constant(args[1], str, "the regular expression of 'matches'")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise c.fail(f"invalid regular expression {pattern!r}: {exc}", args[1].pos) from None
    test = exp.RegexpLike(this=c.text(args[0]), expression=lit(c.dialect.regex(pattern)))
    return _false_if_null(test), "boolean"


@_function("concat", 1, None, "concat(a, b, ...)")
def _concat(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    parts = [exp.Coalesce(this=c.text(a), expressions=[lit("")]) for a in args]
    if len(parts) == 1:
        return parts[0], "text"
    return exp.Concat(expressions=parts), "text"


def _text_function(kind: type[exp.Expr], result: str = "text") -> Handler:
    def handler(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
        return kind(this=c.text(args[0])), result

    return handler


_function("lower", 1, 1, "lower(text)")(_text_function(exp.Lower))
_function("upper", 1, 1, "upper(text)")(_text_function(exp.Upper))
_function("trim", 1, 1, "trim(text)")(_text_function(exp.Trim))
_function("length", 1, 1, "length(text)")(_text_function(exp.Length, "integer"))


@_function("substr", 2, 3, "substr(text, start[, length])")
def _substr(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    start = exp.Greatest(this=c.number(args[1], "the start of substr"), expressions=[lit(1)])
    if args[1].type == "float" or (len(args) > 2 and args[2].type == "float"):
        raise c.fail("substr counts characters: its start and length are integers", args[1].pos)
    length = None
    if len(args) > 2:
        length = exp.Greatest(this=c.number(args[2], "the length of substr"), expressions=[lit(0)])
    return exp.Substring(this=c.text(args[0]), start=start, length=length), "text"


@_function("replace", 3, 3, "replace(text, find, replacement)")
def _replace(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value, find, replacement = (c.text(a) for a in args)
    return exp.Anonymous(this="replace", expressions=[value, find, replacement]), "text"


@_function("split_part", 3, 3, "split_part(text, 'delimiter', n)")
def _split_part(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    delimiter = c.constant(args[1], str, "the delimiter of split_part")
    if not delimiter:
        raise c.fail("the delimiter of split_part cannot be empty", args[1].pos)
    index = c.constant(args[2], int, "the part number of split_part")
    if index < 1:
        raise c.fail("split_part counts parts from 1", args[2].pos)
    part = exp.SplitPart(this=c.text(args[0]), delimiter=lit(delimiter), part_index=lit(index))
    return exp.Nullif(this=part, expression=lit("")), "text"


@_function("json_get", 2, 2, "json_get(column, 'path')")
def _json_get(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    column, path = args
    if not isinstance(column.node, Ref) or column.json_path or column.type != "json":
        raise c.fail("json_get reads a path inside a JSON column: json_get(column, 'a.b[0]')", column.pos)
    text = c.constant(path, str, "the path of json_get").strip()
    text = text[1:] if text.startswith("$") else text
    text = text[1:] if text.startswith(".") else text
    if not text:
        raise c.fail("json_get needs a path such as 'instanceType' or 'items[0].imageId'", path.pos)
    joined = f"{column.node.name}{'' if text.startswith('[') else '.'}{text}"
    try:
        target = resolve(joined, c.schema)
    except InvalidQuery as exc:
        raise c.fail(str(exc), path.pos) from None
    return target.expression, "text"


# ----------------------------------------------------------------------------------------- arithmetic
def _arithmetic(kind: type[exp.Expr], word: str) -> Handler:
    def handler(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
        left, right = (c.number(a, f"each side of '{word}'") for a in args)
        type_ = "integer" if {args[0].type, args[1].type} <= {"integer", "null"} else "float"
        if kind is exp.Mod:
            right = exp.Nullif(this=right, expression=lit(0))
        return kind(this=_paren(left), expression=_paren(right)), type_

    return handler


_function("add", 2, 2, "a + b")(_arithmetic(exp.Add, "+"))
_function("sub", 2, 2, "a - b")(_arithmetic(exp.Sub, "-"))
_function("mul", 2, 2, "a * b")(_arithmetic(exp.Mul, "*"))
_function("mod", 2, 2, "a % b")(_arithmetic(exp.Mod, "%"))


@_function("div", 2, 2, "a / b")
def _div(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    left, right = (cast(c.number(a, "each side of '/'"), "DOUBLE") for a in args)
    return exp.Div(this=left, expression=exp.Nullif(this=right, expression=lit(0.0))), "float"


@_function("neg", 1, 1, "-a")
def _neg(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value = c.number(args[0], "the operand of '-'")
    return exp.Neg(this=_paren(value)), "float" if args[0].type == "float" else "integer"


@_function("abs", 1, 1, "abs(number)")
def _abs(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value = c.number(args[0], "the argument of abs")
    return exp.Abs(this=value), "float" if args[0].type == "float" else "integer"


@_function("round", 1, 2, "round(number[, digits])")
def _round(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value = cast(c.number(args[0], "the argument of round"), "DOUBLE")
    digits = c.constant(args[1], int, "the digits of round") if len(args) > 1 else 0
    if not 0 <= digits <= 15:
        raise c.fail("round keeps 0 to 15 digits", args[1].pos)
    return exp.Round(this=value, decimals=lit(digits)), "float"


# ----------------------------------------------------------------------------------------- conversion
@_function("number", 1, 1, "number(value)")
def _to_number(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    arg = args[0]
    if arg.type in NUMERIC or arg.type == "null":
        return cast(arg.sql, "DOUBLE"), "float"
    if arg.type not in TEXTUAL:
        raise c.fail(f"number() converts text, not {_a(arg.type)} value", arg.pos)
    return cast(exp.Trim(this=arg.sql), "DOUBLE", safe=True), "float"


@_function("int", 1, 1, "int(value)")
def _to_int(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    arg = args[0]
    if arg.type == "integer" or arg.type == "null":
        return arg.sql, "integer"
    if arg.type == "float":
        return cast(exp.Round(this=arg.sql), "BIGINT", safe=True), "integer"
    if arg.type not in TEXTUAL:
        raise c.fail(f"int() converts text or a number, not {_a(arg.type)} value", arg.pos)
    return cast(exp.Trim(this=arg.sql), "BIGINT", safe=True), "integer"


@_function("text", 1, 1, "text(value)")
def _to_text(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return c.text(args[0]), "text"


@_function("timestamp", 1, 1, "timestamp(value)")
def _to_timestamp(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return c.time(args[0], "the argument of timestamp"), "timestamp"


# -------------------------------------------------------------------------------------------- date/time
@_function("date", 1, 1, "date(time)")
def _date(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    if args[0].type == "date":
        return args[0].sql, "date"
    return cast(c.time(args[0], "the argument of date"), "DATE"), "date"


@_function("hour", 1, 1, "hour(time)")
def _hour(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return cast(exp.Hour(this=c.time(args[0], "the argument of hour")), "BIGINT"), "integer"


@_function("weekday", 1, 1, "weekday(time)")
def _weekday(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    """ISO: Monday 1 .. Sunday 7, from the days since 1970-01-01 (a Thursday), the same on every engine."""
    seconds = exp.TimeToUnix(this=c.time(args[0], "the argument of weekday"))
    days = cast(exp.Floor(this=exp.Div(this=seconds, expression=lit(86400.0))), "BIGINT")
    shifted = exp.Mod(
        this=exp.Paren(this=exp.Add(this=exp.Mod(this=days, expression=lit(7)), expression=lit(10))), expression=lit(7)
    )
    return exp.Add(this=exp.Paren(this=shifted), expression=lit(1)), "integer"


@_function("date_trunc", 2, 2, "date_trunc('unit', time)")
def _date_trunc(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    unit = c.constant(args[0], str, "the unit of date_trunc").strip().lower()
    if unit not in TRUNC_UNITS:
        raise c.fail(f"date_trunc's unit is one of {', '.join(TRUNC_UNITS)}, not {unit!r}", args[0].pos)
    value = c.time(args[1], "the time of date_trunc")
    truncated = exp.TimestampTrunc(this=value, unit=exp.var(unit.upper()))
    return cast(truncated, "TIMESTAMPTZ"), "timestamp"


@_function("epoch", 1, 1, "epoch(time)")
def _epoch(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return cast(exp.TimeToUnix(this=c.time(args[0], "the argument of epoch")), "DOUBLE"), "float"


# ------------------------------------------------------------------------------------------------- IP
def _address(c: FormulaCompiler, arg: Typed) -> exp.Expr:
    if arg.type not in TEXTUAL and arg.type != "null":
        raise c.fail(f"an IP address is text, not {_a(arg.type)} value", arg.pos)
    return exp.Trim(this=arg.sql)


def _ipv4(c: FormulaCompiler, value: exp.Expr) -> exp.Expr:
    return exp.RegexpLike(this=value, expression=lit(c.dialect.regex(IPV4_PATTERN)))


def _ipv6(c: FormulaCompiler, value: exp.Expr) -> exp.Expr:
    return c.dialect.ip_in_network(value, ipaddress.ip_network("::/0"))


@_function("ip_version", 1, 1, "ip_version(text)")
def _ip_version(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value = _address(c, args[0])
    return (
        exp.Case(ifs=[exp.If(this=_ipv4(c, value), true=lit(4)), exp.If(this=_ipv6(c, value.copy()), true=lit(6))]),
        "integer",
    )


@_function("in_cidr", 2, 2, "in_cidr(text, 'network')")
def _in_cidr(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    text = c.constant(args[1], str, "the network of in_cidr")
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise c.fail(f"{text!r} is not a network such as '10.0.0.0/8' or '2001:db8::/32'", args[1].pos) from None
    return _false_if_null(c.dialect.ip_in_network(_address(c, args[0]), network)), "boolean"


def _private(c: FormulaCompiler, value: exp.Expr) -> exp.Expr:
    tests = [c.dialect.ip_in_network(value.copy(), ipaddress.ip_network(n)) for n in PRIVATE_NETWORKS]
    combined = tests[0]
    for test in tests[1:]:
        combined = exp.Or(this=_paren(combined), expression=_paren(test))
    return _false_if_null(combined)


@_function("is_private", 1, 1, "is_private(text)")
def _is_private(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    return _private(c, _address(c, args[0])), "boolean"


@_function("is_public", 1, 1, "is_public(text)")
def _is_public(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    value = _address(c, args[0])
    is_ip = exp.Or(this=_paren(_ipv4(c, value)), expression=_paren(_ipv6(c, value.copy())))
    test = exp.And(this=_paren(_false_if_null(is_ip)), expression=exp.Not(this=_paren(_private(c, value.copy()))))
    return test, "boolean"


@_function("ip_network", 2, 2, "ip_network(text, prefix)")
def _ip_network(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    """The IPv4 network of a prefix length as CIDR text: ip_network('10.1.2.3', 24) is '10.1.2.0/24'."""
    prefix = c.constant(args[1], int, "the prefix length of ip_network")
    if not 0 <= prefix <= 32:
        raise c.fail("ip_network's prefix length is 0 to 32 (IPv4)", args[1].pos)
    value = _address(c, args[0])
    octets = [
        cast(exp.SplitPart(this=value.copy(), delimiter=lit("."), part_index=lit(i)), "BIGINT", safe=True) for i in range(1, 5)
    ]
    number: exp.Expr = octets[3]
    for weight, octet in ((256, octets[2]), (65536, octets[1]), (16777216, octets[0])):
        number = exp.Add(this=exp.Mul(this=octet, expression=lit(weight)), expression=number)
    size = 2 ** (32 - prefix)
    network = exp.Sub(
        this=exp.Paren(this=number), expression=exp.Paren(this=exp.Mod(this=exp.Paren(this=number.copy()), expression=lit(size)))
    )
    parts: list[exp.Expr] = []
    for i, weight in enumerate((16777216, 65536, 256, 1)):
        quotient = cast(
            exp.Floor(this=exp.Div(this=cast(exp.Paren(this=network.copy()), "DOUBLE"), expression=lit(float(weight)))), "BIGINT"
        )
        octet = exp.Mod(this=quotient, expression=lit(256))
        parts.append(cast(octet, "VARCHAR"))
        parts.append(lit("." if i < 3 else f"/{prefix}"))
    text = exp.Concat(expressions=parts)
    return exp.Case(ifs=[exp.If(this=_ipv4(c, value.copy()), true=text)]), "text"


# --------------------------------------------------------------------------------------- URLs and regex
def _url_function(part: str) -> Handler:
    def handler(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
        return textsteps.url_part(part, c.text(args[0])), "text"

    return handler


for _part in URL_PARTS:
    _function(f"url_{_part}", 1, 1, f"url_{_part}(text)")(_url_function(_part))


@_function("regex_replace", 3, 3, "regex_replace(text, 'regex', 'replacement')")
def _regex_replace(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    pattern = c.constant(args[1], str, "the regular expression of regex_replace")
    replacement = c.constant(args[2], str, "the replacement of regex_replace")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise c.fail(f"invalid regular expression {pattern!r}: {exc}", args[1].pos) from None
    try:
        replacement_parts(replacement)
    except ValueError as exc:
        raise c.fail(str(exc), args[2].pos) from None
    return c.dialect.regex_replace(c.text(args[0]), pattern, replacement), "text"


# ------------------------------------------------------------------------------------------ conditionals
@_function("if", 2, 3, "if(condition, then[, else])")
def _if(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    condition = c.boolean(args[0], "the condition of if")
    values = args[1:]
    type_ = c.unify(values, "the values of if")
    default = values[1].sql if len(values) > 1 else None
    return exp.Case(ifs=[exp.If(this=condition, true=values[0].sql)], default=default), type_


@_function("coalesce", 1, None, "coalesce(a, b, ...)")
def _coalesce(c: FormulaCompiler, args: list[Typed], pos: int) -> tuple[exp.Expr, str]:
    type_ = c.unify(args, "the values of coalesce")
    if len(args) == 1:
        return args[0].sql, type_
    return exp.Coalesce(this=args[0].sql, expressions=[a.sql for a in args[1:]]), type_


__all__ = ["FUNCTIONS", "PRIVATE_NETWORKS", "Compiled", "check_new_name", "compile_formula"]
