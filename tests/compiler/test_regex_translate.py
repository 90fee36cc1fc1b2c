"""RE2 patterns (logsheet's syntax) as Java patterns (Spark, Trino), and literal text as a pattern.

The cases beside the ones in tests/engines/spark/test_dialect_sql.py: scoped and negated flags, classes that hold
brackets and escapes, and that every escaped delimiter matches itself and only itself."""

from __future__ import annotations

import re

import pytest

from logsheet.compiler.regex import TRANSLATED, escape, java_regex


@pytest.mark.parametrize(
    ("pattern", "java"),
    [
        ("", TRANSLATED),
        ("(?i:root)|admin", "(?d)(?iu:root)|admin"),  # a scoped flag gets Unicode folding too
        ("(?iu)x", "(?d)(?iu)x"),  # 'u' already there: not doubled
        ("(?s-i:a.b)", "(?d)(?s-i:a.b)"),  # turning flags off is left alone
        ("(?m)^x$|y$", "(?d)(?m)^x$|y$"),  # one multi-line flag anywhere keeps every '$'
        ("a$|b$", r"(?d)a\z|b\z"),
        ("[$]x", r"(?d)[$]x"),  # '$' in a class is the character
        (r"[\]$]", r"(?d)[\]$]"),  # an escaped ']' does not end the class
        ("[^]x]$", r"(?d)[^\]x]\z"),  # ']' first after '^' is a literal too
        ("[[:upper:][:digit:]_]", r"(?d)[\p{Upper}\p{Digit}_]"),
        ("[[:word:]]+", r"(?d)[\w]+"),
        ("[[:^word:]]", r"(?d)[\W]"),
        ("[[:^nosuch:]]", "(?d)[[:^nosuch:]]"),
        ("[[:nosuch:]]", "(?d)[[:nosuch:]]"),  # an unknown class is left for the engine to refuse
        (r"(?P<a_b>x)(?P<c>y)", "(?d)(x)(y)"),
        (r"\$(?P<x>\d)", r"(?d)\$(\d)"),
        (r"\Qa.b", r"(?d)\Qa.b"),  # \Q without \E quotes to the end
    ],
)
def test_java_regex(pattern: str, java: str) -> None:
    assert java_regex(pattern) == java


def test_translating_is_idempotent() -> None:
    for pattern in ("(?i)^failed$", "[[:alpha:]]+", "(?P<user>\\w+)@"):
        once = java_regex(pattern)
        assert java_regex(once) == once


def test_named_groups_keep_their_numbers() -> None:
    """The compiler extracts groups by the index Python's re gives them; the Java pattern has the same groups."""
    pattern = r"(?P<user>\w+) from (?P<ip>[\d.]+)(?: port (?P<port>\d+))?"
    java = java_regex(pattern)
    plain = re.compile(java.removeprefix(TRANSLATED))
    assert plain.groups == re.compile(pattern).groups == 3
    match = plain.fullmatch("root from 10.0.0.1 port 22")
    assert match is not None and match.groups() == ("root", "10.0.0.1", "22")


@pytest.mark.parametrize(
    "delimiter", [".", "|", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$", "\\", "::", " - ", "a.b", ","]
)
def test_escape_matches_the_text_itself(delimiter: str) -> None:
    pattern = re.compile(escape(delimiter))
    assert pattern.fullmatch(delimiter)
    assert not pattern.fullmatch("x" * len(delimiter))
    assert not pattern.search("".join(chr(ord(c) + 1) for c in delimiter))


def test_escape_leaves_letters_digits_and_spaces() -> None:
    assert escape("ab 12") == "ab 12"
    assert escape("a.b") == r"a\.b"
