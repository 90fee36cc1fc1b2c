"""The filter language: the text an analyst types into ``--where``, the REST API or the web UI's filter box.

::

    eventName = 'RunInstances' and errorMessage is not blank
    src_ip in cidr '10.0.0.0/8' and not (dstport in (22, 3389))
    'Failed password'

:func:`parse_filter` turns the text into a :mod:`logsheet.core.ir` predicate (a hand-written tokenizer and
recursive-descent parser; nothing is ever evaluated), and :func:`format_filter` turns a predicate back into
canonical text, so that ``parse_filter(format_filter(p)) == p``. Values stay values: they are carried in the
IR and bound as parameters by the compiler, never pasted into SQL.

Grammar (keywords are case-insensitive; precedence ``not`` > ``and`` > ``or``)::

    expr      := and ( 'or' and )*
    and       := unary ( 'and' unary )*
    unary     := 'not' unary | '(' expr ')' | STRING | annotation | column condition
    annotation:= 'starred'
               | 'ioc' [('=' | '!=') STRING | ['not'] 'in' '(' STRING (',' STRING)* ')']
               | 'tag' ('=' | '!=') STRING | 'tag' ['not'] 'in' '(' STRING (',' STRING)* ')'
               | 'comment' ['not'] ('contains' | 'starts' 'with' | 'ends' 'with') STRING ['nocase']
    condition := cmp_op value ['nocase']
               | ('=' | '!=') column_ref ['nocase']
               | ['not'] ('contains' | 'starts' 'with' | 'ends' 'with') column_ref ['nocase']
               | ['not'] 'in' '(' value (',' value)* ')' ['nocase']
               | ['not'] 'in' 'cidr' STRING
               | ['not'] 'between' value 'and' value
               | ['not'] ('contains' | 'starts' 'with' | 'ends' 'with') STRING ['nocase']
               | ['not'] 'matches' STRING ['nocase']
               | 'is' ['not'] ('blank' | 'null' | 'empty')
    value     := STRING | NUMBER | 'true' | 'false' | 'null'
    column_ref:= 'column' '(' (NAME | "quoted name") ')'

``starred``, ``tag`` and ``comment`` (bare, in any case) are the row's annotations (:mod:`logsheet.workspace.annotations`),
and ``ioc`` the rows holding an indicator of the workspace's IOC lists (:mod:`logsheet.workspace.iocs`):
a sheet column of one of these names is written double-quoted (``"tag" = 'x'``), as :func:`quote_name` does.

``column(other)`` compares with the value of another column of the same row (:class:`~logsheet.core.ir.CompareColumns`);
a ``not`` in front of a text operator with a column reference is ``not (...)`` around the comparison.

Aliases (Kibana / Splunk habits; :mod:`logsheet.query.filteraliases` says what each value means): ``&&``,
``||`` and ``!`` for ``and``, ``or`` and ``not``, and a condition may also be
``':' ['<' | '<=' | '>' | '>='] (STRING | "double-quoted" | bare) ['nocase']`` (``field:value``, ``field:pre*``,
``field:*``, ``bytes:>1000``). They parse to the same IR as the canonical words; the formatter writes only
the canonical spelling.

See ``docs/filter-language.md`` for the analyst-facing reference.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, NoReturn

from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError
from logsheet.query.filteraliases import RANGE_OPS, SYMBOL_WORDS, WildcardError, bare_end, bare_scalar, wildcard

__all__ = ["ANNOTATION_WORDS", "KEYWORDS", "format_filter", "parse_filter", "quote_name", "quote_string"]

KEYWORDS: frozenset[str] = frozenset(
    {
        "and", "or", "not", "in", "is", "between", "contains", "starts", "ends", "with", "matches",
        "cidr", "nocase", "true", "false", "null", "blank", "empty",
    }
)  # fmt: skip

#: The words that name a row's annotations rather than a column (a column so named is double-quoted).
ANNOTATION_WORDS: frozenset[str] = frozenset({"starred", "tag", "comment", "ioc"})
_STARRED, _TAG, _COMMENT, _IOC = "starred", "tag", "comment", "ioc"

#: How deeply parentheses and ``not`` may nest (keeps the recursive parser far from Python's stack limit).
MAX_DEPTH = 100

_SEGMENT = r"[A-Za-z0-9_@$]+(?:\[[0-9]+\])*"
_BARE_NAME = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$]*(?:\[[0-9]+\])*(?:\." + _SEGMENT + r")*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.@$]+")
_OPERATORS = ("==", "!=", "<>", "<=", ">=", "=", "<", ">")  # longest first
_OP_CANONICAL: dict[str, ir.CompareOp] = {
    "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
}  # fmt: skip
_CHAR_HINTS = {
    "&": "; use 'and' (or '&&')",
    "|": "; use 'or' (or '||')",
    "-": "; a minus sign must be followed by digits",
}
_COLON = ":"
_NAME_PUNCTUATION = frozenset("_@$-:/.[]#")  # characters a column name plausibly contains
_OPERATOR_LIST = (
    "=, !=, <, <=, >, >=, in, not in, between, contains, starts with, ends with, matches, is blank, is not blank, in cidr"
)
_TEXT_OP_WORDS: dict[str, ir.TextOp] = {"contains": "contains", "starts": "starts_with", "ends": "ends_with"}
_TEXT_OP_TEXT: dict[str, str] = {
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
}
_COLUMN_REF = "column"  # column(name): the value of another column (not a keyword: a column may be called so)
_KEYWORD_OPERATORS = frozenset({"in", "between", "contains", "starts", "ends", "matches"})
_CONDITION_WORDS = _KEYWORD_OPERATORS | {"is", "not"}  # words that can follow a column

# "symbol": &&, || and ! (aliases of and, or, not); "bare": an unquoted value after ':' (field:value)
TokenKind = Literal["string", "qname", "name", "number", "op", "symbol", "bare", "lparen", "rparen", "comma", "eof"]
_PUNCTUATION: dict[str, TokenKind] = {"(": "lparen", ")": "rparen", ",": "comma"}
_SNIPPET_CHARS = 40  # how much of a long token an error message quotes


# ------------------------------------------------------------------------------------------------- quoting
def quote_name(name: str) -> str:
    """A column name as filter text: bare when it is a valid bare name and not a keyword, else
    double-quoted with ``""`` for a double quote inside (``"log-status"``, ``"Event Name"``, ``"and"``)."""
    if _BARE_NAME.fullmatch(name) and name.lower() not in KEYWORDS and name.lower() not in ANNOTATION_WORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    """A text value as a single-quoted literal, ``''`` for a quote inside: ``it's`` → ``'it''s'``."""
    return "'" + value.replace("'", "''") + "'"


# ----------------------------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str  # the source text of the token
    value: ir.Scalar  # the decoded string, quoted name or number; the source text otherwise
    pos: int
    end: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "name" and self.text.lower() in words

    def is_word(self, word: str) -> bool:
        """The keyword itself or the symbol that stands for it (``&&`` for ``and``)."""
        return self.is_keyword(word) or (self.kind == "symbol" and SYMBOL_WORDS[self.text] == word)

    def describe(self) -> str:
        if self.kind == "eof":
            return "end of input"
        snippet = _clip(self.text)
        if self.kind == "string":
            return f"string {snippet}"
        if self.kind == "number":
            return f"number {snippet}"
        if self.kind == "name" and self.text.lower() in KEYWORDS:
            return f"keyword '{snippet}'"
        if self.kind == "qname":
            return f"name {snippet}"
        return f"'{snippet}'"


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        i = 0
        after_colon = False  # the tokens after ':' are read as a value (field:value, field:>5)
        while i < len(self.text):
            if self.text[i].isspace():
                i += 1
            else:
                token = self._colon_value(i) if after_colon else self._next(i)
                self.tokens.append(token)
                i = token.end
                ranged = after_colon and token.text in RANGE_OPS
                after_colon = token.kind == "op" and (token.text == _COLON or ranged)
        self.tokens.append(_Token("eof", "", None, len(self.text), len(self.text)))
        return self.tokens

    def _next(self, i: int) -> _Token:
        char = self.text[i]
        if char == "'":
            return self._quoted(i, "string", "unterminated string")
        if char == '"':
            return self._quoted(i, "qname", "unterminated quoted name")
        if char in _PUNCTUATION:
            return _Token(_PUNCTUATION[char], char, char, i, i + 1)
        for op in _OPERATORS:
            if self.text.startswith(op, i):
                return _Token("op", op, _OP_CANONICAL[op], i, i + len(op))
        for symbol in SYMBOL_WORDS:
            if self.text.startswith(symbol, i):
                return _Token("symbol", symbol, symbol, i, i + len(symbol))
        if char == _COLON:
            return _Token("op", char, char, i, i + 1)
        number = _NUMBER.match(self.text, i)
        if number:
            return self._number(i, number.end())
        name = _BARE_NAME.match(self.text, i)
        if name:
            return _Token("name", name.group(), name.group(), i, name.end())
        self._unexpected(i)

    def _colon_value(self, i: int) -> _Token:
        """A token after ':': a quoted value (either quote), a range operator, or a bare value."""
        char = self.text[i]
        if char in "'\"":
            return self._quoted(i, "string", "unterminated string")
        for op in RANGE_OPS:
            if self.text.startswith(op, i):
                return _Token("op", op, op, i, i + len(op))
        end = bare_end(self.text, i)
        if end == i:  # a parenthesis, '&&' or '||' where the value should be
            return self._next(i)
        return _Token("bare", self.text[i:end], self.text[i:end], i, end)

    def _quoted(self, start: int, kind: TokenKind, unterminated: str) -> _Token:
        quote = self.text[start]
        parts: list[str] = []
        i = start + 1
        while True:
            close = self.text.find(quote, i)
            if close < 0:
                raise FilterSyntaxError(unterminated, self.text, start)
            parts.append(self.text[i:close])
            if not self.text.startswith(quote, close + 1):
                value = "".join(parts)
                if kind == "qname" and not value:
                    raise FilterSyntaxError("empty column name", self.text, start)
                return _Token(kind, self.text[start : close + 1], value, start, close + 1)
            parts.append(quote)
            i = close + 2

    def _number(self, start: int, end: int) -> _Token:
        tail = _NUMBER_TAIL.match(self.text, end)
        source = self.text[start : tail.end() if tail else end]
        if tail:
            raise FilterSyntaxError(f"invalid number {_clip(source)}", self.text, start)
        value: int | float
        try:
            value = float(source) if any(c in source for c in ".eE") else int(source)
        except ValueError:  # more digits than Python converts to int
            raise FilterSyntaxError(f"number {source[:20]}... is too long", self.text, start) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise FilterSyntaxError(f"number {_clip(source)} is out of range", self.text, start)
        return _Token("number", source, value, start, end)

    def _unexpected(self, i: int) -> NoReturn:
        char = self.text[i]
        previous = self.tokens[-1] if self.tokens else None
        if previous is not None and previous.kind == "name" and previous.end == i and _name_like(char):
            end = i
            while end < len(self.text) and _name_like(self.text[end]):
                end += 1
            wanted = self.text[previous.pos : end]
            message = (
                f"unexpected character {char!r} in name {_clip(wanted)}; "
                f"double-quote names that contain it: {_clip(quote_name(wanted))}"
            )
            raise FilterSyntaxError(message, self.text, i)
        hint = _CHAR_HINTS.get(char, "")
        if char == "-" and _starts_term(previous) and self.text[i + 1 : i + 2] not in ("", " "):
            hint = "; to exclude, write 'not' (or '!') in front, as in not a:x"  # Lucene's -field:value
        raise FilterSyntaxError(f"unexpected character {char!r}{hint}", self.text, i)


def _starts_term(previous: _Token | None) -> bool:
    """Whether a condition may start after this token (nothing, '(', and, or, not and their symbols)."""
    return previous is None or previous.kind in ("lparen", "symbol") or previous.is_keyword("and", "or", "not")


def _name_like(char: str) -> bool:
    return char.isalnum() or char in _NAME_PUNCTUATION


def _clip(text: str) -> str:
    """Source text short enough, and on one line, for an error message."""
    if len(text) > _SNIPPET_CHARS:
        text = text[: _SNIPPET_CHARS - 3] + "..."
    return text.replace("\n", " ")


# -------------------------------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _Tokenizer(text).run()
        self.index = 0
        self.depth = 0

    # -- helpers
    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def fail(self, message: str, token: _Token | None = None) -> NoReturn:
        raise FilterSyntaxError(message, self.text, (token or self.token).pos)

    def expected(self, what: str) -> NoReturn:
        self.fail(f"expected {what} but found {self.token.describe()}")

    def accept_keyword(self, word: str) -> bool:
        if self.token.is_keyword(word):
            self.advance()
            return True
        return False

    def accept_word(self, word: str) -> _Token | None:
        """The keyword or its symbol (``and`` or ``&&``), consumed, or None."""
        token = self.token
        if token.is_word(word):
            self.advance()
            return token
        return None

    def expect_keyword(self, word: str, after: str) -> None:
        if not self.accept_keyword(word):
            self.expected(f"'{word}' after {after}")

    def nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"filter is nested more than {MAX_DEPTH} levels deep", token)

    # -- expressions
    def parse(self) -> ir.Predicate:
        if self.token.kind == "eof":
            raise FilterSyntaxError("empty filter", self.text, 0)
        predicate = self.parse_or("")
        rest = self.token
        if rest.kind == "rparen":
            self.fail("unexpected ')' with no matching '('")
        if rest.kind != "eof":
            self.expected("'and', 'or' or end of input")
        return predicate

    def parse_or(self, context: str) -> ir.Predicate:
        items = [self.parse_and(context)]
        while joiner := self.accept_word("or"):
            items.append(self.parse_and(f" after '{joiner.text}'"))
        return _group(ir.Or, items)

    def parse_and(self, context: str) -> ir.Predicate:
        items = [self.parse_unary(context)]
        while joiner := self.accept_word("and"):
            items.append(self.parse_unary(f" after '{joiner.text}'"))
        return _group(ir.And, items)

    def parse_unary(self, context: str) -> ir.Predicate:
        token = self.token
        if token.is_word("not"):
            self.advance()
            self.nest(token)
            item = self.parse_unary(f" after '{token.text}'")
            self.depth -= 1
            return ir.Not(item)
        if token.kind == "lparen":
            return self.parse_parenthesised(token)
        if token.kind == "string":
            return self.parse_search(token)
        if token.kind == "name" and token.text.lower() in ANNOTATION_WORDS:
            self.advance()
            return self.parse_annotation(token)
        if token.kind == "qname" or (token.kind == "name" and token.text.lower() not in KEYWORDS):
            self.advance()
            return self.parse_condition(str(token.value))
        if token.kind == "name" and _starts_condition(self.tokens[self.index + 1]):
            self.fail(
                f"expected a condition{context} but found keyword '{token.text}' "
                f'(double-quote a column with that name: "{token.text}")'
            )
        self.expected(f"a condition{context}")

    def parse_parenthesised(self, opening: _Token) -> ir.Predicate:
        self.advance()
        self.nest(opening)
        inner = self.parse_or(" after '('")
        if self.token.kind != "rparen":
            self.expected(f"')' to close '(' opened at position {opening.pos + 1}")
        self.advance()
        self.depth -= 1
        return inner

    def parse_search(self, token: _Token) -> ir.Search:
        self.advance()
        if _starts_condition(self.token):
            self.fail(
                f"a 'single-quoted' string is a value, not a column name; "
                f"write the column as {_clip(quote_name(str(token.value)))}",
                token,
            )
        return ir.Search(str(token.value))

    # -- annotations
    def parse_annotation(self, word: _Token) -> ir.Predicate:
        """``starred``, ``tag = 'x'`` (``!=``, ``in``, ``not in``), ``comment contains 'x'`` (the text operators)."""
        name = word.text.lower()
        if name == _STARRED:
            if _starts_condition(self.token):
                self.fail(f"'{word.text}' takes no operator: write starred, or not starred", self.token)
            return ir.Starred()
        if name == _IOC:
            if not _starts_condition(self.token):
                return ir.IocMatch()
            if self.token.kind == "op" and _OP_CANONICAL.get(self.token.text) in ("=", "!="):
                negate = _OP_CANONICAL[self.advance().text] == "!="
                return ir.IocMatch((self.parse_string(f"after 'ioc {'!=' if negate else '='}' (an IOC list's name)"),), negate)
            negate = self.accept_keyword("not")
            if not self.accept_keyword("in"):
                self.expected("'=', '!=', 'in' or 'not in' after 'ioc', or nothing" if not negate else "'in' after 'ioc not'")
            return ir.IocMatch(self.parse_string_list(), negate)
        if name == _TAG:
            if self.token.kind == "op" and _OP_CANONICAL.get(self.token.text) in ("=", "!="):
                negate = _OP_CANONICAL[self.advance().text] == "!="
                return ir.Tagged((self.parse_string(f"after 'tag {'!=' if negate else '='}'"),), negate)
            negate = self.accept_keyword("not")
            if not self.accept_keyword("in"):
                self.expected("'=', '!=', 'in' or 'not in' after 'tag'" if not negate else "'in' after 'tag not'")
            return ir.Tagged(self.parse_string_list(), negate)
        negate = self.accept_keyword("not")
        op = self.token.text.lower() if self.token.kind == "name" else ""
        if op not in _TEXT_OP_WORDS:
            self.expected("contains, starts with or ends with after 'comment'")
        self.advance()
        if op in ("starts", "ends"):
            self.expect_keyword("with", f"'{op}'")
        text_op = _TEXT_OP_WORDS[op]
        value = self.parse_string(f"after 'comment {_TEXT_OP_TEXT[text_op]}'")
        return ir.Commented(text_op, value, negate, self.parse_case_sensitive())

    def parse_string_list(self) -> tuple[str, ...]:
        opening = self.token
        if opening.kind != "lparen":
            self.expected("'(' after 'in'")
        self.advance()
        values = [self.parse_string("in the list")]
        while self.token.kind == "comma":
            self.advance()
            values.append(self.parse_string("after ','"))
        if self.token.kind != "rparen":
            self.expected(f"',' or ')' to close the list opened at position {opening.pos + 1}")
        self.advance()
        return tuple(values)

    # -- conditions
    def parse_condition(self, column: str) -> ir.Predicate:
        token = self.token
        if token.kind == "op" and token.text == _COLON:
            self.advance()
            return self.parse_colon(column, token)
        if token.kind == "op":
            self.advance()
            return self.parse_compare(column, token)
        if token.is_keyword("is"):
            self.advance()
            return self.parse_blank(column)
        negate = self.accept_keyword("not")
        word = self.token.text.lower() if self.token.kind == "name" else ""
        if word in _KEYWORD_OPERATORS:
            return self.parse_keyword_condition(column, word, negate)
        if negate:
            self.expected("in, between, contains, starts with, ends with or matches after 'not'")
        self.missing_operator(column)

    def missing_operator(self, column: str) -> NoReturn:
        token = self.token
        shown = _clip(quote_name(column))
        if token.kind == "name" and token.text.lower() not in KEYWORDS:
            self.fail(f"unknown operator '{_clip(token.text)}' after column {shown}; expected one of {_OPERATOR_LIST}")
        if token.kind in ("eof", "rparen") or token.is_keyword("and", "or"):
            self.fail(
                f"expected an operator after column {shown} but found {token.describe()}; "
                f"to search every column for text, single-quote it: {_clip(quote_string(column))}"
            )
        self.expected(f"an operator after column {shown} (one of {_OPERATOR_LIST})")

    def parse_keyword_condition(self, column: str, word: str, negate: bool) -> ir.Predicate:
        self.advance()
        if word == "in":
            if self.accept_keyword("cidr"):
                return ir.InCidr(column, self.parse_string("after 'in cidr'"), negate)
            return self.parse_in_list(column, negate)
        if word == "between":
            low = self.parse_value("after 'between'")
            self.expect_keyword("and", "the low value of 'between'")
            return ir.Between(column, low, self.parse_value("after 'between ... and'"), negate)
        if word == "matches":
            pattern = self.parse_string("after 'matches'")
            return ir.Regex(column, pattern, negate, self.parse_case_sensitive())
        if word in ("starts", "ends"):
            self.expect_keyword("with", f"'{word}'")
        text_op = _TEXT_OP_WORDS[word]
        if self.at_column_ref():
            other = self.parse_column_ref()
            compared = ir.CompareColumns(column, text_op, other, self.parse_case_sensitive())
            return ir.Not(compared) if negate else compared
        value = self.parse_string(f"after '{_TEXT_OP_TEXT[text_op]}'")
        return ir.TextMatch(column, text_op, value, negate, self.parse_case_sensitive())

    def parse_compare(self, column: str, op: _Token) -> ir.Compare | ir.CompareColumns:
        canonical = _OP_CANONICAL[op.text]
        if self.at_column_ref():
            if canonical not in ("=", "!="):
                self.fail(f"a column can be compared with another column by = or != only, not {op.text}", op)
            other = self.parse_column_ref()
            return ir.CompareColumns(column, "=" if canonical == "=" else "!=", other, self.parse_case_sensitive())
        value = self.parse_value(f"after '{op.text}'")
        return ir.Compare(column, canonical, value, self.parse_case_sensitive())

    def at_column_ref(self) -> bool:
        """``column(`` where a value would be: a reference to another column."""
        return self.token.is_keyword(_COLUMN_REF) and self.tokens[self.index + 1].kind == "lparen"

    def parse_column_ref(self) -> str:
        self.advance()  # 'column'
        opening = self.advance()  # '('
        name = self.token
        if name.kind == "name" and name.text.lower() in KEYWORDS:
            self.expected(f'a column name in column(...) (double-quote a column with that name: "{name.text}")')
        if name.kind not in ("name", "qname"):
            self.expected("a column name in column(...)")
        self.advance()
        if self.token.kind != "rparen":
            self.expected(f"')' to close column( opened at position {opening.pos + 1}")
        self.advance()
        return str(name.value)

    def parse_colon(self, column: str, colon: _Token) -> ir.Predicate:
        """The Kibana spellings: ``field:value``, ``field:"two words"``, ``field:pre*``, ``field:*``, ``field:>5``."""
        token = self.token
        if token.kind == "op" and token.text in RANGE_OPS:
            self.advance()
            value = self.parse_colon_value(column, colon, f":{token.text}", wildcards=False)
            return ir.Compare(column, _OP_CANONICAL[token.text], value, self.parse_case_sensitive())
        if token.kind == "bare" and "*" in token.text:
            self.advance()
            self.refuse_name_with_colon(column, colon, token)
            if token.text == "*":
                return ir.Blank(column, negate=True)
            try:
                matched = wildcard(token.text)
            except WildcardError as exc:
                raise FilterSyntaxError(str(exc), self.text, token.pos + exc.offset) from None
            assert matched is not None
            op, value = matched
            return ir.TextMatch(column, op, value, False, self.parse_case_sensitive())
        value = self.parse_colon_value(column, colon, ":", wildcards=True)
        return ir.Compare(column, "=", value, self.parse_case_sensitive())

    def parse_colon_value(self, column: str, colon: _Token, after: str, *, wildcards: bool) -> ir.Scalar:
        token = self.token
        context = f"after '{after}'"
        if token.kind == "string":
            self.advance()
            return token.value
        if token.kind == "lparen":
            self.fail(
                f"expected a value {context} but found '('; "
                f"for one of several values write {_clip(quote_name(column))} in ('a', 'b')"
            )
        if token.kind != "bare":
            self.expected(f"a value {context}")
        if token.text.lower() in ("and", "or", "not"):
            self.fail(f"expected a value {context} but found keyword '{token.text}'; to match the text, quote it")
        if not wildcards and "*" in token.text:
            self.fail(f"a '*' wildcard cannot follow '{after}'; to match a '*' itself, quote the value")
        self.advance()
        self.refuse_name_with_colon(column, colon, token)
        return bare_scalar(token.text)

    def refuse_name_with_colon(self, column: str, colon: _Token, value: _Token) -> None:
        """``aws:SourceIp = 'x'`` is a column name with a ':' in it, not ``aws:SourceIp`` then ``= 'x'``."""
        if colon.end == value.pos and _starts_condition(self.token):
            wanted = f"{column}:{value.text}"
            self.fail(
                f"unexpected character ':' in name {_clip(wanted)}; "
                f"double-quote names that contain it: {_clip(quote_name(wanted))}",
                colon,
            )

    def parse_blank(self, column: str) -> ir.Blank:
        negate = self.accept_keyword("not")
        if not self.token.is_keyword("blank", "null", "empty"):
            self.expected(f"blank, null or empty after 'is{' not' if negate else ''}'")
        self.advance()
        return ir.Blank(column, negate)

    def parse_in_list(self, column: str, negate: bool) -> ir.InList:
        opening = self.token
        if opening.kind != "lparen":
            self.expected("'(' or 'cidr' after 'in'")
        self.advance()
        values = [self.parse_value("in the list")]
        while self.token.kind == "comma":
            self.advance()
            values.append(self.parse_value("after ','"))
        if self.token.kind != "rparen":
            self.expected(f"',' or ')' to close the list opened at position {opening.pos + 1}")
        self.advance()
        return ir.InList(column, tuple(values), negate, self.parse_case_sensitive())

    def parse_case_sensitive(self) -> bool:
        return not self.accept_keyword("nocase")

    # -- literals
    def parse_value(self, context: str) -> ir.Scalar:
        token = self.token
        if token.kind in ("string", "number"):
            self.advance()
            return token.value
        if token.is_keyword("true", "false", "null"):
            self.advance()
            return {"true": True, "false": False, "null": None}[token.text.lower()]
        if token.kind in ("name", "qname") and not token.is_keyword(*KEYWORDS):
            self.fail(
                f"expected a value {context} but found {token.describe()}; "
                f"values are 'single-quoted' text, numbers, true, false or null "
                f"(to compare with another column, write column({_clip(quote_name(str(token.value)))}))"
            )
        self.expected(f"a value {context}")

    def parse_string(self, context: str) -> str:
        token = self.token
        if token.kind != "string":
            self.expected(f"a 'single-quoted' string {context}")
        self.advance()
        return str(token.value)


def _starts_condition(token: _Token) -> bool:
    """Whether the token is an operator that follows a column (used to spot a misquoted column)."""
    return token.kind == "op" or (token.kind == "name" and token.text.lower() in _CONDITION_WORDS)


def _group(cls: type[ir.And | ir.Or], items: list[ir.Predicate]) -> ir.Predicate:
    """One item as itself, several as ``cls`` with nested groups of the same kind flattened."""
    if len(items) == 1:
        return items[0]
    flat: list[ir.Predicate] = []
    for item in items:
        flat.extend(item.items if isinstance(item, cls) else (item,))
    return cls(tuple(flat))


def parse_filter(text: str) -> ir.Predicate:
    """Parse filter text into a predicate; raises :class:`FilterSyntaxError` (with the 0-based character
    ``position`` of the problem) for anything that is not a filter, including empty input."""
    return _Parser(text).parse()


# ---------------------------------------------------------------------------------------------- formatter
def format_filter(pred: ir.Predicate) -> str:
    """Canonical filter text for a predicate: lower-case keywords, names and strings quoted only as
    needed, parentheses only where precedence needs them. ``parse_filter(format_filter(p)) == p`` for any
    predicate whose And/Or groups are flat and have two or more items (the parser's normal form).

    Other predicates format too (one-item groups as their item, nested groups with the parentheses their
    meaning needs) and parse back to the normal form of the same predicate. Raises ValueError for
    predicates the language cannot express: empty And/Or/in-lists, empty column names, NaN or infinity.
    """
    pred = _unwrap(pred)
    if isinstance(pred, ir.And):
        return " and ".join(_format_and_item(item) for item in _items(pred))
    if isinstance(pred, ir.Or):
        return " or ".join(format_filter(item) for item in _items(pred))
    if isinstance(pred, ir.Not):
        return f"not ({format_filter(pred.item)})"
    if isinstance(pred, ir.Search):
        return quote_string(pred.text)
    if isinstance(pred, (ir.Starred, ir.Tagged, ir.Commented)):
        return _format_annotation(pred)
    if isinstance(pred, ir.IocMatch):
        return _format_ioc(pred)
    return _format_condition(pred)


def _format_ioc(pred: ir.IocMatch) -> str:
    if not pred.lists:
        return f"not {_IOC}" if pred.negate else _IOC
    if len(pred.lists) == 1:
        return f"{_IOC} {'!=' if pred.negate else '='} {quote_string(pred.lists[0])}"
    return f"{_IOC} {'not ' if pred.negate else ''}in ({', '.join(quote_string(x) for x in pred.lists)})"


def _format_annotation(pred: ir.Starred | ir.Tagged | ir.Commented) -> str:
    if isinstance(pred, ir.Starred):
        return _STARRED
    if isinstance(pred, ir.Tagged):
        if not pred.tags:
            raise ValueError("an empty tag list cannot be written as a filter")
        if len(pred.tags) == 1:
            return f"{_TAG} {'!=' if pred.negate else '='} {quote_string(pred.tags[0])}"
        return f"{_TAG} {'not ' if pred.negate else ''}in ({', '.join(quote_string(t) for t in pred.tags)})"
    nocase = "" if pred.case_sensitive else " nocase"
    return f"{_COMMENT} {'not ' if pred.negate else ''}{_TEXT_OP_TEXT[pred.op]} {quote_string(pred.value)}{nocase}"


def _items(group: ir.And | ir.Or) -> tuple[ir.Predicate, ...]:
    if not group.items:
        raise ValueError(f"an empty '{group.kind}' group cannot be written as a filter")
    return group.items


def _unwrap(pred: ir.Predicate) -> ir.Predicate:
    """A one-item And/Or means its item."""
    while isinstance(pred, (ir.And, ir.Or)) and len(pred.items) == 1:
        pred = pred.items[0]
    return pred


def _format_and_item(item: ir.Predicate) -> str:
    text = format_filter(item)
    return f"({text})" if isinstance(_unwrap(item), ir.Or) else text


def _format_condition(
    pred: ir.Compare | ir.InList | ir.Between | ir.TextMatch | ir.Regex | ir.Blank | ir.InCidr | ir.CompareColumns,
) -> str:
    if not pred.column:
        raise ValueError("a filter condition needs a column name")
    column = quote_name(pred.column)
    negate = "not " if getattr(pred, "negate", False) else ""
    nocase = "" if getattr(pred, "case_sensitive", True) else " nocase"
    if isinstance(pred, ir.Compare):
        return f"{column} {pred.op} {_format_value(pred.value)}{nocase}"
    if isinstance(pred, ir.CompareColumns):
        if not pred.other:
            raise ValueError("a column comparison needs the other column's name")
        op = _TEXT_OP_TEXT.get(pred.op, pred.op)
        return f"{column} {op} {_COLUMN_REF}({quote_name(pred.other)}){nocase}"
    if isinstance(pred, ir.InList):
        if not pred.values:
            raise ValueError("an empty 'in' list cannot be written as a filter")
        values = ", ".join(_format_value(v) for v in pred.values)
        return f"{column} {negate}in ({values}){nocase}"
    if isinstance(pred, ir.Between):
        return f"{column} {negate}between {_format_value(pred.low)} and {_format_value(pred.high)}"
    if isinstance(pred, ir.TextMatch):
        return f"{column} {negate}{_TEXT_OP_TEXT[pred.op]} {quote_string(pred.value)}{nocase}"
    if isinstance(pred, ir.Regex):
        return f"{column} {negate}matches {quote_string(pred.pattern)}{nocase}"
    if isinstance(pred, ir.InCidr):
        return f"{column} {negate}in cidr {quote_string(pred.cidr)}"
    return f"{column} is {negate}blank"


def _format_value(value: ir.Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written as a filter value")
        return repr(value)
    return quote_string(value)
