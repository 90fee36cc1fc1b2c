"""The formula language: parsing into the expression IR, canonical printing, errors at the character, and the
round trips (text -> IR -> text, IR -> JSON -> IR) as Hypothesis properties."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.core.formula import OPERATORS, Call, CaseWhen, Expr, Lit, Ref, When, expr_from_json, expr_to_json
from logsheet.query.formulalang import (
    FUNCTION_SPELLED,
    KEYWORDS,
    MAX_DEPTH,
    format_formula,
    formula_step,
    parse_formula,
    split_assignment,
)


def parse(text: str) -> Expr:
    return parse_formula(text).expr


# ------------------------------------------------------------------------------------------- examples
EXAMPLES: list[tuple[str, Expr, str]] = [
    (
        "errorCode is not blank and userAgent contains 'aws-cli'",
        Call("and", (Call("is_not_blank", (Ref("errorCode"),)), Call("contains", (Ref("userAgent"), Lit("aws-cli"))))),
        "errorCode is not blank and userAgent contains 'aws-cli'",
    ),
    ("1 + 2 * 3", Call("add", (Lit(1), Call("mul", (Lit(2), Lit(3))))), "1 + 2 * 3"),
    ("(1 + 2) * 3", Call("mul", (Call("add", (Lit(1), Lit(2))), Lit(3))), "(1 + 2) * 3"),
    ("a - b - c", Call("sub", (Call("sub", (Ref("a"), Ref("b"))), Ref("c"))), "a - b - c"),
    ("a - (b - c)", Call("sub", (Ref("a"), Call("sub", (Ref("b"), Ref("c"))))), "a - (b - c)"),
    ("-1", Lit(-1), "-1"),
    ("- 1", Call("neg", (Lit(1),)), "-(1)"),
    ("-x * 2", Call("mul", (Call("neg", (Ref("x"),)), Lit(2))), "-x * 2"),
    ("x%2=0", Call("eq", (Call("mod", (Ref("x"), Lit(2))), Lit(0))), "x % 2 = 0"),
    ("a <> b", Call("ne", (Ref("a"), Ref("b"))), "a != b"),
    ("a == 'it''s'", Call("eq", (Ref("a"), Lit("it's"))), "a = 'it''s'"),
    ('a = "double"', Call("eq", (Ref("a"), Lit("double"))), "a = 'double'"),
    ("a & b & 'c'", Call("concat", (Call("concat", (Ref("a"), Ref("b"))), Lit("c"))), "a & b & 'c'"),
    ("concat(a, b, c)", Call("concat", (Ref("a"), Ref("b"), Ref("c"))), "concat(a, b, c)"),
    ("contains(a, 'x')", Call("contains", (Ref("a"), Lit("x"))), "a contains 'x'"),
    ("a NOT Starts With 'x'", Call("not", (Call("starts_with", (Ref("a"), Lit("x"))),)), "not a starts with 'x'"),
    ("not a or b", Call("or", (Call("not", (Ref("a"),)), Ref("b"))), "not a or b"),
    ("not (a or b)", Call("not", (Call("or", (Ref("a"), Ref("b"))),)), "not (a or b)"),
    ("a or b and c", Call("or", (Ref("a"), Call("and", (Ref("b"), Ref("c"))))), "a or b and c"),
    ("(a or b) and c", Call("and", (Call("or", (Ref("a"), Ref("b"))), Ref("c"))), "(a or b) and c"),
    ("x is blank", Call("is_blank", (Ref("x"),)), "x is blank"),
    ("`Event Name` = 'x'", Call("eq", (Ref("Event Name"), Lit("x"))), "`Event Name` = 'x'"),
    ("column('Event Name')", Ref("Event Name"), "`Event Name`"),
    ('column("and")', Ref("and"), "`and`"),
    ("`a``b`", Ref("a`b"), "`a``b`"),
    ("requestParameters.instanceType", Ref("requestParameters.instanceType"), "requestParameters.instanceType"),
    ("resources[0].ARN", Ref("resources[0].ARN"), "resources[0].ARN"),
    ("LOWER(x)", Call("lower", (Ref("x"),)), "lower(x)"),
    (
        "if(a > 1, 'big', 'small')",
        Call("if", (Call("gt", (Ref("a"), Lit(1))), Lit("big"), Lit("small"))),
        "if(a > 1, 'big', 'small')",
    ),
    (
        "case when a then 1 when b then 2 else 3 end",
        CaseWhen((When(Ref("a"), Lit(1)), When(Ref("b"), Lit(2))), Lit(3)),
        "case when a then 1 when b then 2 else 3 end",
    ),
    ("CASE WHEN a THEN null END", CaseWhen((When(Ref("a"), Lit(None)),)), "case when a then null end"),
    ("true and false", Call("and", (Lit(True), Lit(False))), "true and false"),
    ("2.5e3", Lit(2500.0), "2500.0"),
    ("1.0", Lit(1.0), "1.0"),
    ("now()", Call("now", ()), "now()"),
    ("(a = b) = c", Call("eq", (Call("eq", (Ref("a"), Ref("b"))), Ref("c"))), "(a = b) = c"),
    ("-9223372036854775808", Lit(-(2**63)), "-9223372036854775808"),
]


@pytest.mark.parametrize(("text", "tree", "canonical"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_parses_to_the_tree_and_prints_canonically(text: str, tree: Expr, canonical: str) -> None:
    assert parse(text) == tree
    assert format_formula(tree) == canonical
    assert parse(canonical) == tree


# -------------------------------------------------------------------------------------------- errors
ERRORS: list[tuple[str, int, str]] = [
    ("", 0, "empty"),
    ("a = = b", 4, "expected a value"),
    ("lower(a", 7, "',' or ')'"),
    ("a b", 2, "join conditions"),
    ("'abc", 0, "not closed"),
    ("`abc", 0, "not closed"),
    ("a = b = c", 6, "do not chain"),
    ("a is b", 5, "'blank'"),
    ("x starts 'a'", 9, "'with'"),
    ("1abc", 1, "run into letters"),
    ("a | b", 2, "use 'or'"),
    ("(a + 1", 6, "')' to close"),
    ("case a then 1 end", 5, "'when'"),
    ("case when a then 1", 18, "'end'"),
    ("column(a)", 0, "column() takes one quoted column name"),
    ("add(1, 2)", 0, "operator, not a function"),
    ("9223372036854775808", 0, "too large"),
    ("x and", 5, "ends too early"),
    ("and x", 0, "keyword"),
    ("``", 0, "cannot be empty"),
]


@pytest.mark.parametrize(("text", "position", "words"), ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_are_placed_at_the_character(text: str, position: int, words: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_formula(text)
    assert caught.value.position == position, caught.value
    assert words in str(caught.value)
    assert f"at position {position + 1}" in str(caught.value)


def test_nesting_is_bounded_with_a_clear_error() -> None:
    parse_formula("(" * 50 + "1" + ")" * 50)
    with pytest.raises(FilterSyntaxError, match="nests deeper"):
        parse_formula("(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5))
    with pytest.raises(FilterSyntaxError, match="nests deeper"):
        parse_formula(" + ".join(["1"] * 500))
    with pytest.raises(FilterSyntaxError, match="nests deeper"):
        parse_formula("-" * 500 + "x")


def test_assignment_spelling_of_the_cli() -> None:
    assert split_assignment("flag = a = b") == ("flag", "a = b")
    assert split_assignment("`new flag` = a") == ("new flag", "a")
    step = formula_step(" hr=hour(eventTime) ")
    assert (step.name, step.expression) == ("hr", "hour(eventTime)")
    for bad in ("no equals", "= x", "x =", "x == y"):
        with pytest.raises(InvalidQuery):
            split_assignment(bad)
    with pytest.raises(FilterSyntaxError):
        formula_step("x = lower(")


def test_printer_refuses_trees_no_text_spells() -> None:
    for tree in (Call("add", (Lit(1),)), Call("column", (Lit("x"),)), Call("Lower", (Lit("x"),)), Call("case", ())):
        with pytest.raises(ValueError):
            format_formula(tree)


def test_the_ir_checks_its_fields() -> None:
    with pytest.raises(InvalidQuery):
        Lit(float("nan"))
    with pytest.raises(InvalidQuery):
        Lit(2**64)
    with pytest.raises(InvalidQuery):
        Ref("")
    with pytest.raises(InvalidQuery):
        CaseWhen(())
    with pytest.raises(InvalidQuery):
        Call("lower", ("x",))  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery, match="kind"):
        expr_from_json({"kind": "eval", "code": "1"})
    with pytest.raises(InvalidQuery, match="expression.args"):
        expr_from_json({"kind": "call", "fn": "lower", "args": "x"})


# --------------------------------------------------------------------------------------- hypothesis
_NAME_CHARS = string.ascii_letters + string.digits + "_ .-`'\"()é"
names = st.one_of(
    st.sampled_from(["a", "eventName", "requestParameters.instanceType", "resources[0].ARN", "Event Name", "and", "x`y"]),
    st.text(alphabet=_NAME_CHARS, min_size=1, max_size=12),
)
literals = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
).map(Lit)
leaves = st.one_of(literals, names.map(Ref))
FUNCTIONS = ["lower", "if", "coalesce", "ip_network", "substr", "json_get", "contains", "concat", "matches", "now"]
BINARY = [fn for fn in OPERATORS if fn not in ("not", "neg", "is_blank", "is_not_blank")]
UNARY = ["not", "neg", "is_blank", "is_not_blank"]


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(lambda fn, a, b: Call(fn, (a, b)), st.sampled_from(BINARY), children, children),
        st.builds(lambda fn, a: Call(fn, (a,)), st.sampled_from(UNARY), children),
        st.builds(lambda fn, args: Call(fn, tuple(args)), st.sampled_from(FUNCTIONS), st.lists(children, max_size=3)),
        st.builds(
            lambda whens, default: CaseWhen(tuple(When(c, v) for c, v in whens), default),
            st.lists(st.tuples(children, children), min_size=1, max_size=2),
            st.none() | children,
        ),
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_ir_to_text_to_ir(tree: Expr) -> None:
    text = format_formula(tree)
    assert parse(text) == tree, text
    assert format_formula(parse(text)) == text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_ir_to_json_to_ir(tree: Expr) -> None:
    data = json.loads(json.dumps(expr_to_json(tree)))
    assert expr_from_json(data) == tree


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_text_to_ir_to_text(tree: Expr) -> None:
    """Any text that parses prints as canonical text with the same meaning: text -> IR -> text -> IR."""
    text = format_formula(tree).replace(" and ", " AND ").replace(" = ", " == ")
    first = parse(text)
    canonical = format_formula(first)
    assert parse(canonical) == first
    assert format_formula(parse(canonical)) == canonical


FRAGMENTS = [
    "a",
    "'x'",
    "1",
    "-",
    "(",
    ")",
    ",",
    "and",
    "not",
    "is",
    "blank",
    "contains",
    "starts",
    "with",
    "&",
    "=",
    "case",
    "when",
    "then",
    "end",
    "lower(",
    "`q`",
    "2.5",
]


@settings(max_examples=1500)
@given(st.one_of(st.text(), st.text(alphabet=string.printable), st.lists(st.sampled_from(FRAGMENTS)).map(" ".join)))
def test_any_text_parses_or_fails_with_a_position(text: str) -> None:
    try:
        parsed = parse_formula(text)
    except FilterSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        return
    assert parse(format_formula(parsed.expr)) == parsed.expr


def test_keywords_and_function_spellings_are_consistent() -> None:
    assert set(OPERATORS) >= FUNCTION_SPELLED
    assert "column" not in KEYWORDS
