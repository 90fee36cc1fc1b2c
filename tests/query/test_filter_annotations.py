"""The annotation terms of the filter language: ``starred``, ``tag = 'x'`` (``!=``, ``in``, ``not in``),
``comment contains 'x'`` (``starts with``, ``ends with``, ``not``, ``nocase``); a column of one of those names is
written double-quoted."""

from __future__ import annotations

import pytest

from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError
from logsheet.query.filterlang import format_filter, parse_filter, quote_name

CASES = [
    ("starred", ir.Starred()),
    ("STARRED", ir.Starred()),
    ("not starred", ir.Not(ir.Starred())),
    ("tag = 'ssh-bruteforce'", ir.Tagged(("ssh-bruteforce",))),
    ("tag != 'x'", ir.Tagged(("x",), negate=True)),
    ("tag in ('a', 'b')", ir.Tagged(("a", "b"))),
    ("tag not in ('a', 'b')", ir.Tagged(("a", "b"), negate=True)),
    ("comment contains 'root'", ir.Commented("contains", "root")),
    ("comment not contains 'root' nocase", ir.Commented("contains", "root", negate=True, case_sensitive=False)),
    ("comment starts with 'seen'", ir.Commented("starts_with", "seen")),
    ("comment ends with 'ok'", ir.Commented("ends_with", "ok")),
    ("starred and tag = 'x'", ir.And((ir.Starred(), ir.Tagged(("x",))))),
    ("starred or user = 'root'", ir.Or((ir.Starred(), ir.Compare("user", "=", "root")))),
    ("\"tag\" = 'x'", ir.Compare("tag", "=", "x")),
    ('"starred" = true', ir.Compare("starred", "=", True)),
    ("\"comment\" contains 'x'", ir.TextMatch("comment", "contains", "x")),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[t for t, _ in CASES])
def test_parse_and_format_back(text: str, expected: ir.Predicate) -> None:
    assert parse_filter(text) == expected
    assert parse_filter(format_filter(expected)) == expected


def test_annotation_words_are_quoted_as_column_names() -> None:
    assert [quote_name(n) for n in ("starred", "Tag", "comment", "tags")] == ['"starred"', '"Tag"', '"comment"', "tags"]
    assert format_filter(ir.Compare("tag", "=", "x")) == "\"tag\" = 'x'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("starred = true", "takes no operator"),
        ("tag contains 'x'", "'=', '!=', 'in' or 'not in' after 'tag'"),
        ("tag = 5", "a 'single-quoted' string"),
        ("tag in (1, 2)", "a 'single-quoted' string in the list"),
        ("tag not = 'x'", "'in' after 'tag not'"),
        ("comment = 'x'", "contains, starts with or ends with after 'comment'"),
        ("comment contains", "a 'single-quoted' string after 'comment contains'"),
    ],
)
def test_errors_say_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError, match=message):
        parse_filter(text)


def test_an_empty_tag_list_cannot_be_written() -> None:
    with pytest.raises(ValueError):
        format_filter(ir.Tagged(()))
