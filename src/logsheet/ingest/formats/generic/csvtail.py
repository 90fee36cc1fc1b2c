"""The tail of a wide CSV file's rows (``csvwide``) as a JSON object ``{header name: value text, ...}``, built
by the engine from the staged text, for all rows at once.

A staged tail is its separator, then its values joined by it, each value as the inside of a JSON string:
a line without quote characters, backslashes or control characters is staged as written (the separator is
the file's delimiter, the values need no escape); any other line's fields are escaped in Python (the C
``encode_basestring``) and joined by U+001F, which an escaped value never holds. The engine splits the
text at its separator, puts each value after its name's JSON text (``"name":"``) and joins them: building
the object in Python took 17.8 ms a row of 10,000 columns, the engine about 1 ms on two threads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from sqlglot import exp

from logsheet.core.columns import SOURCE
from logsheet.core.sqlnames import col, func, lit

SEPARATOR = "\x1f"  # between escaped values (an escaped value holds no control character)
_ESCAPE = re.compile(r"[\\\x00-\x1f]")  # what a JSON string cannot hold as it is (besides the quote)


@dataclass(frozen=True)
class Tail:
    """One wide file's tail: the column it is staged in, the file's delimiter and the tail's header names."""

    column: str
    delimiter: str
    names: tuple[str, ...]


def staged_raw(text: str, delimiter: str) -> str:
    """A tail as written in the file (a line without a quote character), staged."""
    if _ESCAPE.search(text.replace(delimiter, ",") if delimiter < " " else text) is None:
        return delimiter + text
    return staged_fields(text.split(delimiter))


def staged_fields(fields: list[str]) -> str:
    """A tail's parsed fields, staged."""
    quoted = SEPARATOR.join(map(encode_basestring, fields))  # "a"␟"b": a quote is escaped inside a value
    return SEPARATOR + quoted[1:-1].replace(f'"{SEPARATOR}"', SEPARATOR)


def row_bytes(tails: list[Tail]) -> int:
    """The most a JSON object adds to a row's text (its names, quotes and colons)."""
    return max((sum(len(n) + 6 for n in t.names) for t in tails), default=0)


def tail_json(column: str, tails: dict[int, Tail], sources: list[int]) -> exp.Expr:
    """The JSON object of ``column`` for the rows of each source whose tail it is (``tails``: source id → its
    tail); in the rows of any other of ``sources`` a column of that name is an ordinary one, and its text
    becomes a JSON string."""
    by_names: dict[tuple[str, ...], list[int]] = {}
    for source, tail in tails.items():
        if tail.column == column:
            by_names.setdefault(tail.names, []).append(source)
    keys = exp.Case(
        ifs=[
            exp.If(
                this=exp.In(this=col(SOURCE), expressions=[lit(s) for s in sources]),
                true=exp.Array(expressions=[lit(json.dumps(n, ensure_ascii=False) + ':"') for n in names]),
            )
            for names, sources in by_names.items()
        ]
    )
    staged = col(column)
    values = func("string_split", exp.Substring(this=staged, start=lit(2)), exp.Left(this=staged, expression=lit(1)))
    p = exp.to_identifier("p")
    pair = exp.DPipe(
        this=exp.Bracket(this=exp.Column(this=p), expressions=[lit(1)], offset=1),
        expression=exp.Bracket(this=exp.Column(this=p), expressions=[lit(2)], offset=1),
        safe=True,
    )
    members = func("list_transform", func("list_zip", keys, values), exp.Lambda(this=pair, expressions=[p]))
    joined = func("array_to_string", members, lit('",'))
    value: exp.Expr = exp.DPipe(this=exp.DPipe(this=lit("{"), expression=joined, safe=True), expression=lit('"}'), safe=True)
    if any(s not in tails or tails[s].column != column for s in sources):
        covered = exp.In(this=col(SOURCE), expressions=[lit(s) for ss in by_names.values() for s in ss])
        value = exp.If(this=covered, true=value, false=func("to_json", staged))
    return value  # text (the sheet's type says json): a cast to JSON parses every object again, and in 1 GB
    # of engine memory runs out at 10,000 names
