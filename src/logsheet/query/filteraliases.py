"""Kibana / Splunk spellings the filter language accepts as aliases of its own words.

The parser (:mod:`logsheet.query.filterlang`) reads them; this module says what they mean. Every alias
parses to exactly the predicate its canonical spelling parses to, and the formatter only ever writes the
canonical spelling:

========================  ======================================
alias                      canonical
========================  ======================================
``a && b``                 ``a and b``
``a || b``                 ``a or b``
``!a``                     ``not a``
``field:value``            ``field = 'value'`` (case-sensitive, as Kibana on a keyword field)
``field:"two words"``      ``field = 'two words'``
``field:pre*``             ``field starts with 'pre'``
``field:*suf``             ``field ends with 'suf'``
``field:*mid*``            ``field contains 'mid'``
``field:*``                ``field is not blank``
``field:>5`` (``>=``, ...)  ``field > 5``
========================  ======================================

After ``:`` a value is read up to the next space or parenthesis (a "bare" value): ``true``, ``false`` and
``null`` are those values, a plain number (``22``, ``-1.5``; no leading zeros, so ``007`` stays text) is a
number, and anything else is text, exactly as written (``1.2.3.4``, ``aws-cli/2.0``, ``C:\\x``).
"""

from __future__ import annotations

import math
import re

from logsheet.core import ir

__all__ = ["RANGE_OPS", "SYMBOL_WORDS", "WildcardError", "bare_end", "bare_scalar", "wildcard"]

#: Symbols that stand for a keyword (longest first where one is a prefix of another).
SYMBOL_WORDS: dict[str, str] = {"&&": "and", "||": "or", "!": "not"}
#: Comparisons that may directly follow ``:`` (``bytes:>1000``), longest first.
RANGE_OPS: tuple[ir.CompareOp, ...] = (">=", "<=", ">", "<")
WILDCARD = "*"

_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_BARE_STOP = frozenset("()")  # besides white space, '&&' and '||'


class WildcardError(ValueError):
    """A ``*`` where no operator can express it; ``offset`` is its index in the value."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def bare_end(text: str, start: int) -> int:
    """Where a bare value that starts at ``start`` ends: at white space, a parenthesis, ``&&`` or ``||``."""
    i = start
    while i < len(text):
        char = text[i]
        if char.isspace() or char in _BARE_STOP or text.startswith(("&&", "||"), i):
            break
        i += 1
    return i


def bare_scalar(text: str) -> ir.Scalar:
    """The value a bare word after ``:`` stands for: ``true``/``false``/``null`` (any case), a plain number,
    or else the text itself."""
    word = text.lower()
    if word in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[word]
    if _PLAIN_NUMBER.fullmatch(text):
        try:
            number = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:  # more digits than Python converts: keep the text
            return text
        if isinstance(number, float) and not math.isfinite(number):
            return text
        return number
    return text


def wildcard(text: str) -> tuple[ir.TextOp, str] | None:
    """``pre*`` -> ("starts_with", "pre"), ``*suf`` -> ends_with, ``*mid*`` -> contains; None when the text has
    no ``*``. Raises :class:`WildcardError` for a ``*`` inside the text, or for ``**`` (nothing to match);
    a lone ``*`` is the caller's (it means "has a value")."""
    if WILDCARD not in text:
        return None
    leading = text.startswith(WILDCARD)
    trailing = len(text) > 1 and text.endswith(WILDCARD)
    core = text[1 if leading else 0 : len(text) - 1 if trailing else len(text)]
    inner = core.find(WILDCARD)
    if inner >= 0:
        raise WildcardError(
            "a '*' wildcard may only start or end a value (for a '*' itself, quote the value; for other patterns use 'matches')",
            inner + (1 if leading else 0),
        )
    if not core:
        raise WildcardError("'**' has no text to match; use field:* for any value", 0)
    if leading and trailing:
        return "contains", core
    return ("ends_with" if leading else "starts_with"), core
