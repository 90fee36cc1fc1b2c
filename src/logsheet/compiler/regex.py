"""Regular expressions between engines: logsheet's patterns are RE2 (what DuckDB runs, and what the docs
describe); Spark and Trino run java.util.regex (Trino's Joni reads the same syntax). :func:`java_regex`
rewrites an RE2 pattern into the Java pattern that matches the same text; :func:`escape` makes a pattern
that matches a piece of text literally in either."""

from __future__ import annotations

import re

_POSIX_CLASSES = {
    "alnum": r"\p{Alnum}",
    "alpha": r"\p{Alpha}",
    "ascii": r"\p{ASCII}",
    "blank": r"\p{Blank}",
    "cntrl": r"\p{Cntrl}",
    "digit": r"\p{Digit}",
    "graph": r"\p{Graph}",
    "lower": r"\p{Lower}",
    "print": r"\p{Print}",
    "punct": r"\p{Punct}",
    "space": r"\p{Space}",
    "upper": r"\p{Upper}",
    "word": r"\w",
    "xdigit": r"\p{XDigit}",
}
_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(-[a-zA-Z]*)?([:)])")
_NAMED_GROUP = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_POSIX = re.compile(r"\[:(\^?)([a-z]+):\]")
TRANSLATED = "(?d)"  # the prefix every translated pattern starts with (and how a translated one is recognised)


def escape(text: str) -> str:
    """A pattern matching ``text`` literally, in RE2 and in Java: every character but letters, digits and
    spaces is escaped with a backslash (both read ``\\.`` or ``\\|`` as the character itself)."""
    return "".join("\\" + ch if not ch.isalnum() and ch != " " else ch for ch in text)


def _negated(java_class: str) -> str:
    """``[:^alpha:]``: the complement of a translated POSIX class (``\\P{Alpha}``, ``\\W``)."""
    if java_class.startswith(r"\p"):
        return r"\P" + java_class[2:]
    if java_class == r"\w":
        return r"\W"
    return java_class  # an unknown class, kept as written


def java_regex(pattern: str) -> str:
    r"""An RE2 pattern as the java.util.regex pattern that matches the same text:

    - named groups ``(?P<name>…)`` become plain groups (Java has no ``?P`` and no ``_`` in group names;
      the compiler extracts groups by number, which does not change);
    - ``[[:alpha:]]`` POSIX classes become ``\p{Alpha}`` (Java would read them as a set of letters);
    - ``(?i)`` also gets ``u``: RE2 folds case in Unicode, Java only in ASCII without it;
    - ``$`` outside multi-line mode becomes ``\z``: in RE2 it is the end of the text, in Java it also
      matches before a final newline; and ``(?d)`` makes ``\n`` the only line end, as in RE2 (Java's ``.``
      would also stop at ``\r``).

    A pattern translated already (it starts with ``(?d)``) is returned as it is.
    """
    if pattern.startswith(TRANSLATED):
        return pattern
    multiline = any("m" in m.group(1) for m in _FLAGS.finditer(pattern))
    out: list[str] = [TRANSLATED]
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith(r"\Q", i):
            end = pattern.find(r"\E", i + 2)
            end = len(pattern) if end < 0 else end + 2
            out.append(pattern[i:end])
            i = end
        elif ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif in_class:
            posix = _POSIX.match(pattern, i)
            if posix:
                java = _POSIX_CLASSES.get(posix.group(2), posix.group(0))
                out.append(_negated(java) if posix.group(1) else java)
                i = posix.end()
                continue
            in_class = ch != "]"
            out.append(ch)
            i += 1
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):  # a ']' first in a class is a literal in RE2
                out.append(r"\]")
                i += 1
        elif (named := _NAMED_GROUP.match(pattern, i)) is not None:
            out.append("(")
            i = named.end()
        elif (flags := _FLAGS.match(pattern, i)) is not None:
            on = flags.group(1)
            if "i" in on and "u" not in on:
                on += "u"
            out.append("(?" + on + (flags.group(2) or "") + flags.group(3))
            i = flags.end()
        elif ch == "$" and not multiline:
            out.append(r"\z")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)
