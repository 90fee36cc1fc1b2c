"""Tests for the filter language: parsing, canonical formatting, errors and round trips."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.query.filterlang import (
    KEYWORDS,
    format_filter,
    parse_filter,
    quote_name,
    quote_string,
)

# ------------------------------------------------------------------------------------- required examples
EXAMPLES: list[tuple[str, ir.Predicate]] = [
    (
        "eventName = 'RunInstances' and errorMessage is not blank",
        ir.And((ir.Compare("eventName", "=", "RunInstances"), ir.Blank("errorMessage", negate=True))),
    ),
    ("sourceIPAddress in ('1.2.3.4', '5.6.7.8')", ir.InList("sourceIPAddress", ("1.2.3.4", "5.6.7.8"))),
    ("userAgent contains 'aws-cli'", ir.TextMatch("userAgent", "contains", "aws-cli")),
    (
        "requestParameters.instanceType = 't2.micro'",
        ir.Compare("requestParameters.instanceType", "=", "t2.micro"),
    ),
    ("eventTime >= '2022-03-22T15:00:00Z'", ir.Compare("eventTime", ">=", "2022-03-22T15:00:00Z")),
    (
        r"message matches 'Failed password for (invalid user )?\w+'",
        ir.Regex("message", "Failed password for (invalid user )?\\w+"),
    ),
    ("src_ip in cidr '10.0.0.0/8'", ir.InCidr("src_ip", "10.0.0.0/8")),
    (
        "not (userIdentity.type = 'Root' or readOnly = true)",
        ir.Not(ir.Or((ir.Compare("userIdentity.type", "=", "Root"), ir.Compare("readOnly", "=", True)))),
    ),
    ("\"log-status\" = 'OK'", ir.Compare("log-status", "=", "OK")),
    ("\"Event Name\" = 'x'", ir.Compare("Event Name", "=", "x")),
    ("dstport between 1 and 1024", ir.Between("dstport", 1, 1024)),
    ("dstport not in (22, 3389)", ir.InList("dstport", (22, 3389), negate=True)),
    (
        "userAgent contains 'AWS-CLI' nocase",
        ir.TextMatch("userAgent", "contains", "AWS-CLI", case_sensitive=False),
    ),
    ("'Failed password'", ir.Search("Failed password")),
    ("'it''s'", ir.Search("it's")),
    ("a = -1.5e3", ir.Compare("a", "=", -1500.0)),
    ("user = column(src_user)", ir.CompareColumns("user", "=", "src_user")),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_required_examples(text: str, expected: ir.Predicate) -> None:
    assert parse_filter(text) == expected
    assert parse_filter(format_filter(expected)) == expected


# ------------------------------------------------------------------------------------------ more parsing
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a == 1", ir.Compare("a", "=", 1)),
        ("a <> 1", ir.Compare("a", "!=", 1)),
        ("a != 1", ir.Compare("a", "!=", 1)),
        ("a<1", ir.Compare("a", "<", 1)),
        ("a<=-1", ir.Compare("a", "<=", -1)),
        ("a>1", ir.Compare("a", ">", 1)),
        ("a >= 1.25", ir.Compare("a", ">=", 1.25)),
        ("a = 2E-3", ir.Compare("a", "=", 0.002)),
        ("a = false", ir.Compare("a", "=", False)),
        ("a = NULL", ir.Compare("a", "=", None)),
        ("a = 'x' NoCase", ir.Compare("a", "=", "x", case_sensitive=False)),
        ("a in ('X') nocase", ir.InList("a", ("X",), case_sensitive=False)),
        ("a in (1, 'two', true, null, 2.5)", ir.InList("a", (1, "two", True, None, 2.5))),
        ("a not in cidr '2001:db8::/32'", ir.InCidr("a", "2001:db8::/32", negate=True)),
        (
            "a not between '2022-01-01' and '2022-02-01'",
            ir.Between("a", "2022-01-01", "2022-02-01", negate=True),
        ),
        ("a not contains 'x'", ir.TextMatch("a", "contains", "x", negate=True)),
        ("a starts with 'x'", ir.TextMatch("a", "starts_with", "x")),
        ("a not STARTS WITH 'x' nocase", ir.TextMatch("a", "starts_with", "x", True, False)),
        ("a ends with '.exe'", ir.TextMatch("a", "ends_with", ".exe")),
        ("a not matches '^x' nocase", ir.Regex("a", "^x", negate=True, case_sensitive=False)),
        ("a is blank", ir.Blank("a")),
        ("a is null", ir.Blank("a")),
        ("a IS EMPTY", ir.Blank("a")),
        ("a is not null", ir.Blank("a", negate=True)),
        ("resources[0].ARN = 'x'", ir.Compare("resources[0].ARN", "=", "x")),
        ("a.b[2][3].c = 1", ir.Compare("a.b[2][3].c", "=", 1)),
        ("@timestamp > '2022'", ir.Compare("@timestamp", ">", "2022")),
        ("$x.y1 = 1", ir.Compare("$x.y1", "=", 1)),
        ('"say ""hi""" = 1', ir.Compare('say "hi"', "=", 1)),
        ('"and" = 1', ir.Compare("and", "=", 1)),
        ('"événement" = 1', ir.Compare("événement", "=", 1)),
        ("a = 'multi\nline \\ back'", ir.Compare("a", "=", "multi\nline \\ back")),
        ("a = ''", ir.Compare("a", "=", "")),
        ("''", ir.Search("")),
        ("\t a \n=\r\n1  ", ir.Compare("a", "=", 1)),
    ],
)
def test_parse(text: str, expected: ir.Predicate) -> None:
    assert parse_filter(text) == expected


def test_numbers_keep_their_type() -> None:
    assert type(_value("a = 3")) is int
    assert type(_value("a = 3.0")) is float
    assert type(_value("a = 3e2")) is float
    assert type(_value("a = true")) is bool
    assert _value("a = 123456789012345678901234567890") == 123456789012345678901234567890


def _value(text: str) -> ir.Scalar:
    pred = parse_filter(text)
    assert isinstance(pred, ir.Compare)
    return pred.value


def test_keywords_are_case_insensitive() -> None:
    expected = parse_filter("a = 1 and b is not blank or not c in (1)")
    assert parse_filter("a = 1 AND b IS NOT BLANK OR NOT c IN (1)") == expected
    assert parse_filter("a = 1 And b Is Not Blank Or Not c In (1)") == expected


def test_precedence_not_over_and_over_or() -> None:
    a, b, c = (ir.Compare(name, "=", 1) for name in "abc")
    assert parse_filter("a = 1 and b = 1 or c = 1") == ir.Or((ir.And((a, b)), c))
    assert parse_filter("a = 1 or b = 1 and c = 1") == ir.Or((a, ir.And((b, c))))
    assert parse_filter("not a = 1 and b = 1") == ir.And((ir.Not(a), b))
    assert parse_filter("a = 1 and (b = 1 or c = 1)") == ir.And((a, ir.Or((b, c))))
    assert parse_filter("not not a = 1") == ir.Not(ir.Not(a))


def test_between_and_is_not_a_conjunction() -> None:
    assert parse_filter("p between 1 and 2 and q = 3") == ir.And((ir.Between("p", 1, 2), ir.Compare("q", "=", 3)))


def test_chains_and_nested_groups_are_flattened() -> None:
    a, b, c, d = (ir.Compare(name, "=", 1) for name in "abcd")
    assert parse_filter("a = 1 and b = 1 and c = 1") == ir.And((a, b, c))
    assert parse_filter("a = 1 and (b = 1 and c = 1)") == ir.And((a, b, c))
    assert parse_filter("(a = 1 and b = 1) and (c = 1 and d = 1)") == ir.And((a, b, c, d))
    assert parse_filter("a = 1 or (b = 1 or (c = 1))") == ir.Or((a, b, c))
    assert parse_filter("((a = 1))") == a
    assert parse_filter("not (a = 1 and b = 1) and c = 1") == ir.And((ir.Not(ir.And((a, b))), c))


def test_search_combines_with_conditions() -> None:
    assert parse_filter("'sshd' and not 'Accepted'") == ir.And((ir.Search("sshd"), ir.Not(ir.Search("Accepted"))))


def test_injection_looking_values_stay_values() -> None:
    assert parse_filter("eventName = 'x'' OR 1=1 --'") == ir.Compare("eventName", "=", "x' OR 1=1 --")
    assert parse_filter("a = 'x''; DROP TABLE t; --'") == ir.Compare("a", "=", "x'; DROP TABLE t; --")
    assert parse_filter('"a"" OR 1=1 --" = 1') == ir.Compare('a" OR 1=1 --', "=", 1)


# ------------------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("eventName = ", "expected a value after '=' but found end of input", 12),
        (
            "eventName equals 'x'",
            (
                "unknown operator 'equals' after column eventName; expected one of =, !=, <, <=, >, >=, in, "
                "not in, between, contains, starts with, ends with, matches, is blank, is not blank, in cidr"
            ),
            10,
        ),
        ("a = 'abc", "unterminated string", 4),
        ("a = 'it''s", "unterminated string", 4),
        ('"abc = 1', "unterminated quoted name", 0),
        ("(a = 1", "expected ')' to close '(' opened at position 1 but found end of input", 6),
        (
            "x = 1 and (a = 1 or (b = 2)",
            "expected ')' to close '(' opened at position 11 but found end of input",
            27,
        ),
        ("a = 1)", "unexpected ')' with no matching '('", 5),
        ("a = 1 b", "expected 'and', 'or' or end of input but found 'b'", 6),
        ("", "empty filter", 0),
        ("   \n ", "empty filter", 0),
        ("()", "expected a condition after '(' but found ')'", 1),
        ("a = 1 and", "expected a condition after 'and' but found end of input", 9),
        ("a = 1 or or b = 1", "expected a condition after 'or' but found keyword 'or'", 9),
        ("not", "expected a condition after 'not' but found end of input", 3),
        ("a in ()", "expected a value in the list but found ')'", 6),
        ("a in (1,)", "expected a value after ',' but found ')'", 8),
        ("a in (1 2)", "expected ',' or ')' to close the list opened at position 6 but found number 2", 8),
        ("a in 'x'", "expected '(' or 'cidr' after 'in' but found string 'x'", 5),
        ("a in cidr 10", "expected a 'single-quoted' string after 'in cidr' but found number 10", 10),
        ("a between 1 or 2", "expected 'and' after the low value of 'between' but found keyword 'or'", 12),
        ("a starts 'x'", "expected 'with' after 'starts' but found string 'x'", 9),
        ("a contains 1", "expected a 'single-quoted' string after 'contains' but found number 1", 11),
        ("a is 'x'", "expected blank, null or empty after 'is' but found string 'x'", 5),
        ("a is not", "expected blank, null or empty after 'is not' but found end of input", 8),
        (
            "a not = 1",
            "expected in, between, contains, starts with, ends with or matches after 'not' but found '='",
            6,
        ),
        ("a = 1 nocase nocase", "expected 'and', 'or' or end of input but found keyword 'nocase'", 13),
        ("a = 1.", "invalid number 1.", 4),
        ("a = 12abc", "invalid number 12abc", 4),
        ("a = 1e999", "number 1e999 is out of range", 4),
        ('"" = 1', "empty column name", 0),
        ("a = 1 & b = 2", "unexpected character '&'; use 'and' (or '&&')", 6),
        ("a = 1 | b = 2", "unexpected character '|'; use 'or' (or '||')", 6),
        ("a = - 1", "unexpected character '-'; a minus sign must be followed by digits", 4),
        (
            "log-status = 'OK'",
            "unexpected character '-' in name log-status; double-quote names that contain it: \"log-status\"",
            3,
        ),
        (
            "aws:SourceIp = '1.2.3.4'",
            ("unexpected character ':' in name aws:SourceIp; double-quote names that contain it: \"aws:SourceIp\""),
            3,
        ),
        (
            "résumé = 1",
            "unexpected character 'é' in name résumé; double-quote names that contain it: \"résumé\"",
            1,
        ),
        ("a = 1; b = 2", "unexpected character ';'", 5),
        (
            "and = 1",
            "expected a condition but found keyword 'and' (double-quote a column with that name: \"and\")",
            0,
        ),
        (
            "a = b",
            (
                "expected a value after '=' but found 'b'; values are 'single-quoted' text, numbers, "
                "true, false or null (to compare with another column, write column(b))"
            ),
            4,
        ),
        (
            "eventName",
            (
                "expected an operator after column eventName but found end of input; "
                "to search every column for text, single-quote it: 'eventName'"
            ),
            9,
        ),
        (
            "'eventName' = 'x'",
            "a 'single-quoted' string is a value, not a column name; write the column as eventName",
            0,
        ),
        (
            "'Event Name' contains 'x'",
            "a 'single-quoted' string is a value, not a column name; write the column as \"Event Name\"",
            0,
        ),
    ],
)
def test_errors(text: str, message: str, position: int) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter(text)
    assert info.value.detail == message
    assert info.value.position == position
    assert info.value.text == text


def test_error_is_an_invalid_query_with_a_readable_message() -> None:
    with pytest.raises(InvalidQuery) as info:
        parse_filter("eventName = ")
    assert str(info.value).startswith("expected a value after '=' but found end of input at position 13")


def test_too_deep_nesting_is_a_syntax_error() -> None:
    with pytest.raises(FilterSyntaxError, match="nested more than"):
        parse_filter("(" * 5000 + "a = 1" + ")" * 5000)
    with pytest.raises(FilterSyntaxError, match="nested more than"):
        parse_filter("not " * 5000 + "a = 1")
    assert parse_filter("(" * 50 + "a = 1" + ")" * 50) == ir.Compare("a", "=", 1)


def test_huge_integer_is_a_syntax_error() -> None:
    with pytest.raises(FilterSyntaxError, match="too long"):
        parse_filter("a = " + "9" * 5000)


# ------------------------------------------------------------------------------------- quoting/formatting
@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("eventName", "eventName"),
        ("requestParameters.instanceType", "requestParameters.instanceType"),
        ("resources[0].ARN", "resources[0].ARN"),
        ("@timestamp", "@timestamp"),
        ("_x$1", "_x$1"),
        ("log-status", '"log-status"'),
        ("Event Name", '"Event Name"'),
        ('say "hi"', '"say ""hi"""'),
        ("and", '"and"'),
        ("NOCASE", '"NOCASE"'),
        ("1st", '"1st"'),
        ("a.", '"a."'),
        ("a..b", '"a..b"'),
        ("a[x]", '"a[x]"'),
        ("événement", '"événement"'),
        ("", '""'),
    ],
)
def test_quote_name(name: str, quoted: str) -> None:
    assert quote_name(name) == quoted


def test_quote_string() -> None:
    assert quote_string("it's") == "'it''s'"
    assert quote_string("a\\w+\n") == "'a\\w+\n'"
    assert quote_string("") == "''"


@pytest.mark.parametrize(
    ("pred", "text"),
    [
        (ir.Compare("a", "=", "x", case_sensitive=False), "a = 'x' nocase"),
        (ir.Compare("a", "<=", 1.5), "a <= 1.5"),
        (ir.Compare("a", "=", None), "a = null"),
        (ir.Compare("a", "!=", True), "a != true"),
        (ir.InList("port", (22, 3389), negate=True), "port not in (22, 3389)"),
        (ir.Between("t", "2022-01-01", "2022-02-01"), "t between '2022-01-01' and '2022-02-01'"),
        (ir.TextMatch("ua", "contains", "cli", negate=True), "ua not contains 'cli'"),
        (ir.TextMatch("ua", "ends_with", "cli", case_sensitive=False), "ua ends with 'cli' nocase"),
        (ir.Regex("m", r"\d+", negate=True), r"m not matches '\d+'"),
        (ir.Blank("e", negate=True), "e is not blank"),
        (ir.InCidr("ip", "::1/128"), "ip in cidr '::1/128'"),
        (ir.CompareColumns("a", "=", "b"), "a = column(b)"),
        (ir.CompareColumns("a", "!=", "Event Name", case_sensitive=False), 'a != column("Event Name") nocase'),
        (ir.CompareColumns("a", "starts_with", "and"), 'a starts with column("and")'),
        (ir.CompareColumns("column", "contains", "column"), "column contains column(column)"),
        (ir.CompareColumns("p", "ends_with", "q.r[0]", False), "p ends with column(q.r[0]) nocase"),
        (ir.Not(ir.CompareColumns("a", "contains", "b")), "not (a contains column(b))"),
        (ir.Search("Failed password"), "'Failed password'"),
        (ir.Not(ir.Compare("a", "=", 1)), "not (a = 1)"),
        (ir.Not(ir.Not(ir.Blank("a"))), "not (not (a is blank))"),
        (
            ir.And((ir.Compare("a", "=", 1), ir.Or((ir.Compare("b", "=", 1), ir.Compare("c", "=", 1))))),
            "a = 1 and (b = 1 or c = 1)",
        ),
        (
            ir.Or((ir.And((ir.Compare("a", "=", 1), ir.Compare("b", "=", 1))), ir.Compare("c", "=", 1))),
            "a = 1 and b = 1 or c = 1",
        ),
        (
            ir.And((ir.Compare("and", "=", 1), ir.Compare("Event Name", "=", "it's"))),
            "\"and\" = 1 and \"Event Name\" = 'it''s'",
        ),
    ],
)
def test_format_filter(pred: ir.Predicate, text: str) -> None:
    assert format_filter(pred) == text
    assert parse_filter(text) == pred


def test_format_keeps_meaning_of_unnormalised_groups() -> None:
    a, b, c = (ir.Compare(name, "=", 1) for name in "abc")
    assert format_filter(ir.And((a, ir.And((ir.Or((b, c)),))))) == "a = 1 and (b = 1 or c = 1)"
    assert format_filter(ir.Or((ir.And((a,)),))) == "a = 1"
    assert parse_filter(format_filter(ir.And((ir.And((a, b)), c)))) == ir.And((a, b, c))


def test_negation_forms_stay_distinct() -> None:
    negated = ir.Not(ir.Compare("a", "=", 1))
    assert parse_filter(format_filter(negated)) == negated
    assert parse_filter(format_filter(negated)) != ir.Compare("a", "!=", 1)
    assert parse_filter("not a in (1)") == ir.Not(ir.InList("a", (1,)))
    assert parse_filter("a not in (1)") == ir.InList("a", (1,), negate=True)


@pytest.mark.parametrize(
    "pred",
    [
        ir.And(()),
        ir.Or(()),
        ir.InList("a", ()),
        ir.Compare("", "=", 1),
        ir.Compare("a", "=", float("nan")),
        ir.Compare("a", "=", float("inf")),
        ir.CompareColumns("a", "=", ""),
        ir.CompareColumns("", "=", "b"),
    ],
)
def test_format_rejects_what_the_language_cannot_express(pred: ir.Predicate) -> None:
    with pytest.raises(ValueError):
        format_filter(pred)


# ------------------------------------------------------------------------------------------- hypothesis
KEYWORD_NAMES = sorted(KEYWORDS) + [k.upper() for k in KEYWORDS] + [k.title() for k in KEYWORDS]
columns = st.one_of(
    st.text(min_size=1),
    st.from_regex(r"[A-Za-z_@$][A-Za-z0-9_@$]{0,8}(\[[0-9]{1,2}\])?(\.[A-Za-z0-9_@$]{1,6}){0,3}", fullmatch=True),
    st.sampled_from(KEYWORD_NAMES),
    st.sampled_from(["starred", "Tag", "comment"]),  # columns named like the annotation words
    st.sampled_from(["log-status", "Event Name", 'say "hi"', "a..b", "x.", "a.and", "résumé", "a'b", "1x", " "]),
)
texts = st.one_of(st.text(), st.text(alphabet="'\"\\\n\t ()=,ab"), st.sampled_from(["", "'", "''", "\\", "\n"]))
scalars = st.one_of(
    texts,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
text_ops = st.sampled_from(["contains", "starts_with", "ends_with"])
compare_ops = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])

leaves = st.one_of(
    st.builds(ir.Compare, columns, compare_ops, scalars, st.booleans()),
    st.builds(ir.InList, columns, st.lists(scalars, min_size=1, max_size=4).map(tuple), st.booleans(), st.booleans()),
    st.builds(ir.Between, columns, scalars, scalars, st.booleans()),
    st.builds(ir.TextMatch, columns, text_ops, texts, st.booleans(), st.booleans()),
    st.builds(ir.Regex, columns, texts, st.booleans(), st.booleans()),
    st.builds(ir.Blank, columns, st.booleans()),
    st.builds(ir.InCidr, columns, texts, st.booleans()),
    st.builds(ir.CompareColumns, columns, st.sampled_from(ir.COLUMNS_OPS), columns, st.booleans()),
    st.builds(ir.Search, texts),
    st.builds(ir.Starred),
    st.builds(ir.Tagged, st.lists(texts, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(ir.Commented, text_ops, texts, st.booleans(), st.booleans()),
)


def _extend(children: st.SearchStrategy[ir.Predicate]) -> st.SearchStrategy[ir.Predicate]:
    groups = st.lists(children, min_size=1, max_size=4).map(tuple)
    return st.one_of(st.builds(ir.And, groups), st.builds(ir.Or, groups), st.builds(ir.Not, children))


def _nested(depth: int) -> st.SearchStrategy[ir.Predicate]:
    """Predicates with And/Or/Not nested at most ``depth`` deep."""
    strategy: st.SearchStrategy[ir.Predicate] = leaves
    for _ in range(depth):
        strategy = st.one_of(leaves, _extend(strategy))
    return strategy


predicates = _nested(3)


def normalise(pred: ir.Predicate) -> ir.Predicate:
    """The parser's normal form: And/Or flattened into their own kind, no one-item groups."""
    if isinstance(pred, ir.Not):
        return ir.Not(normalise(pred.item))
    if isinstance(pred, (ir.And, ir.Or)):
        flat: list[ir.Predicate] = []
        for item in (normalise(i) for i in pred.items):
            flat.extend(item.items if type(item) is type(pred) else (item,))
        return flat[0] if len(flat) == 1 else type(pred)(tuple(flat))
    return pred


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(predicates)
def test_round_trip(pred: ir.Predicate) -> None:
    expected = normalise(pred)
    text = format_filter(expected)
    assert parse_filter(text) == expected
    assert format_filter(parse_filter(text)) == text  # canonical text is a fixed point
    assert parse_filter(format_filter(pred)) == expected  # un-normalised input keeps its meaning


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(predicates)
def test_round_trip_keeps_value_types(pred: ir.Predicate) -> None:
    expected = normalise(pred)
    assert repr(parse_filter(format_filter(expected))) == repr(expected)


FRAGMENTS = [
    "a", "b.c", "x[0].y", '"q q"', "'s'", "'it''s'", "'", '"', "1", "-2.5e3", "=", "==", "!=", "<>", "<",
    "<=", ">", ">=", "(", ")", ",", "and", "OR", "not", "in", "cidr", "is", "blank", "null", "empty",
    "between", "contains", "starts", "ends", "with", "matches", "nocase", "true", "false", "-", ".", "&",
    "@", "$", "\n",
]  # fmt: skip


@settings(max_examples=1500)
@given(st.one_of(st.text(), st.text(alphabet=string.printable), st.lists(st.sampled_from(FRAGMENTS)).map(" ".join)))
def test_parse_never_raises_anything_else(text: str) -> None:
    try:
        result = parse_filter(text)
    except FilterSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.detail
    else:
        assert parse_filter(format_filter(result)) == result


# --------------------------------------------------------------------------------------- column references
def test_column_reference_spellings() -> None:
    assert parse_filter("a NOT Starts With column(b) NOCASE") == ir.Not(ir.CompareColumns("a", "starts_with", "b", False))
    assert parse_filter('a == column("x""y")') == ir.CompareColumns("a", "=", 'x"y')
    assert parse_filter("a <> column(b)") == ir.CompareColumns("a", "!=", "b")
    assert parse_filter("column = 'x'") == ir.Compare("column", "=", "x")  # still a column name on the left
    assert parse_filter("a = 'column(b)'") == ir.Compare("a", "=", "column(b)")  # quoted: a value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a < column(b)", "by = or != only"),
        ("a = column()", "a column name in column(...)"),
        ("a = column(and)", 'double-quote a column with that name: "and"'),
        ("a = column(b", "')' to close column("),
        ("a = b", "write column(b)"),
        ("a = column", "expected a value"),
    ],
)
def test_column_reference_errors(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError, match=re.escape(message)):
        parse_filter(text)


def test_the_documented_column_comparisons_parse_and_format_back() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "filter-language.md").read_text(encoding="utf-8")
    section = doc.split("### Comparing two columns", 1)[1].split("\n### ", 1)[0]
    examples = re.findall(r"^- `([^`]+)`", section, flags=re.M)
    assert len(examples) == 4
    for text in examples:
        pred = parse_filter(text)
        assert isinstance(pred, ir.CompareColumns) and format_filter(pred) == text
