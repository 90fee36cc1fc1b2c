"""The expressions of the find/replace and URL-parts steps (:class:`~logsheet.core.ir.FindReplace`,
:class:`~logsheet.core.ir.UrlParts`), over a text value; :mod:`.steps` places them in the projection.

URL parts are found by regular expressions that read a URL the way RFC 3986 splits one (``scheme://user@host:port
/path?query#fragment``); a value without ``scheme://`` is read from its host (``www.example.com/login``, a bare
domain in a DNS log). The host is lower-cased, without brackets, port, user or a trailing dot.
"""

from __future__ import annotations

import re

from sqlglot import exp

from logsheet.compiler.dialects import Dialect
from logsheet.compiler.dialects.base import replacement_parts
from logsheet.compiler.publicsuffix import registered_domain
from logsheet.compiler.regex import escape
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.sqlnames import func, lit

_SCHEME = r"^([A-Za-z][A-Za-z0-9+.-]*)://"
_HOST = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^/?#:]*)"
_PATH = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*(/[^?#]*)"
_QUERY = r"\?([^#]*)"
_QUERY_KEY = r"(?:^|&)([^=&]+)"


def find_replace(step: ir.FindReplace, value: exp.Expr, dialect: Dialect) -> exp.Expr:
    """Every occurrence of ``step.find`` in ``value`` (text) replaced."""
    if not step.find:
        raise InvalidQuery("find/replace needs the text (or pattern) to find")
    if step.regex:
        try:
            re.compile(step.find)
        except re.error as exc:
            raise InvalidQuery(f"invalid regular expression {step.find!r}: {exc}") from None
        try:
            replacement_parts(step.replace)
        except ValueError as exc:
            raise InvalidQuery(str(exc)) from None
        pattern = step.find if step.case_sensitive else "(?i)" + step.find
        return dialect.regex_replace(value, pattern, step.replace)
    if step.case_sensitive:
        return func("replace", value, lit(step.find), lit(step.replace))
    literal = step.replace.replace("\\", "\\\\")
    return dialect.regex_replace(value, "(?i)" + escape(step.find), literal)


def url_part(part: str, value: exp.Expr) -> exp.Expr:
    """One part of a URL (text), NULL when the URL has none."""
    if part == "scheme":
        return _extract(exp.Lower(this=value), _SCHEME)
    host = host_of(value)
    if part == "host":
        return host
    if part == "domain":
        return registered_domain(exp.Coalesce(this=host, expressions=[lit("")]))
    if part == "path":
        return _extract(value, _PATH)
    if part == "query_keys":
        query = exp.RegexpExtract(this=value.copy(), expression=lit(_QUERY), group=lit(1))
        keys = exp.RegexpExtractAll(this=query, expression=lit(_QUERY_KEY), group=lit(1))
        return exp.Nullif(this=exp.ArrayToString(this=keys, expression=lit(",")), expression=lit(""))
    raise InvalidQuery(f"unknown URL part {part!r}; parts: {', '.join(ir.URL_PARTS)}")


def host_of(value: exp.Expr) -> exp.Expr:
    raw = exp.RegexpExtract(this=exp.Trim(this=value.copy()), expression=lit(_HOST), group=lit(1))
    unbracketed = exp.RegexpReplace(
        this=exp.Lower(this=raw), expression=lit(r"^\[|\]$|\.$"), replacement=lit(""), modifiers=lit("g")
    )
    return exp.Nullif(this=unbracketed, expression=lit(""))


def _extract(value: exp.Expr, pattern: str) -> exp.Expr:
    return exp.Nullif(this=exp.RegexpExtract(this=value.copy(), expression=lit(pattern), group=lit(1)), expression=lit(""))
