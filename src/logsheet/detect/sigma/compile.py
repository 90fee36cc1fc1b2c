"""A Sigma rule's detection (pySigma's condition tree, modifiers applied) as one logsheet predicate.

Sigma matches text ignoring case unless a value is ``|cased``; the IR's ``case_sensitive=False`` forms do the
same. Plain values become equality, values with ``*`` only at their ends become ``contains`` /
``starts with`` / ``ends with``, and any other wildcard (``*`` or ``?`` inside, which Sigma's ``\\`` escapes) a
regular expression anchored at both ends. ``|re`` keeps its pattern (with its ``i``/``m``/``s`` flags),
``|cidr`` is the IR's network test, ``|exists`` and ``null`` test for a missing value, ``|fieldref`` (with
``|contains`` / ``|startswith`` / ``|endswith``) compares with another field of the event, and the values
``|base64offset`` and ``|windash`` expand to are alternatives. What the IR cannot say raises
:class:`Unsupported` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SigmaType,
    SpecialChars,
)

from logsheet.compiler.regex import escape
from logsheet.core import ir
from logsheet.detect.sigma.logsources import Mapping

_FLAGS = {
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}
_COMPARE: dict[CompareOperators, ir.CompareOp] = {
    CompareOperators.LT: "<",
    CompareOperators.LTE: "<=",
    CompareOperators.GT: ">",
    CompareOperators.GTE: ">=",
    CompareOperators.NEQ: "!=",
}


class Unsupported(Exception):
    """A part of a rule the IR cannot express; the message says which and why."""


Leaf = Callable[[SigmaType], ir.Predicate]


def compile_condition(tree: object, mapping: Mapping) -> ir.Predicate:
    """One parsed Sigma condition (``rule.detection.parsed_condition[i].parsed``) as a predicate."""
    if isinstance(tree, ConditionAND):
        return _group(ir.And, [compile_condition(a, mapping) for a in tree.args])
    if isinstance(tree, ConditionOR):
        return _group(ir.Or, [compile_condition(a, mapping) for a in tree.args])
    if isinstance(tree, ConditionNOT):
        return ir.Not(compile_condition(tree.args[0], mapping))
    if isinstance(tree, ConditionFieldEqualsValueExpression):
        column = mapping.column(tree.field)
        return field_value(column, tree.value, mapping)
    if isinstance(tree, ConditionValueExpression):
        return keyword(tree.value, mapping)
    raise Unsupported(f"a condition part pySigma gave as {type(tree).__name__}")


def _group(kind: type[ir.And] | type[ir.Or], items: list[ir.Predicate]) -> ir.Predicate:
    flat: list[ir.Predicate] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


# -------------------------------------------------------------------------------------------- field: value
def field_value(column: str, value: SigmaType, mapping: Mapping) -> ir.Predicate:
    """``column`` holds ``value`` (a Sigma value with its modifiers applied; ``mapping`` names the column of a
    field the value refers to)."""
    if isinstance(value, SigmaExpansion):
        return _group(ir.Or, [field_value(column, v, mapping) for v in value.values])
    if isinstance(value, SigmaString):
        return string_match(column, value)
    if isinstance(value, SigmaTimestampPart):  # a SigmaNumber: tested first
        raise Unsupported(f"|{value.timestamp_part.name.lower()} (a part of the time in {column}): the IR has no date parts yet")
    if isinstance(value, SigmaBool):
        return ir.Compare(column, "=", bool(value.boolean))
    if isinstance(value, SigmaNumber):
        return ir.Compare(column, "=", value.number)
    if isinstance(value, SigmaNull):
        return ir.Compare(column, "=", None)
    if isinstance(value, SigmaExists):
        return ir.Compare(column, "!=" if value.exists else "=", None)
    if isinstance(value, SigmaRegularExpression):
        return regex(column, value)
    if isinstance(value, SigmaCIDRExpression):
        return ir.InCidr(column, str(value.network))
    if isinstance(value, SigmaCompareExpression):
        return ir.Compare(column, _COMPARE[value.op], value.number.number)
    if isinstance(value, SigmaFieldReference):
        return field_reference(column, value, mapping)
    raise Unsupported(f"the value type {type(value).__name__} (field {column})")


def field_reference(column: str, value: SigmaFieldReference, mapping: Mapping) -> ir.CompareColumns:
    """``|fieldref``: the value of another field of the event, ignoring case as Sigma strings do (``|cased``
    does not apply to a field reference); ``|startswith`` / ``|endswith`` / ``|contains`` after it test the
    other field's value as a prefix, suffix or substring."""
    starts = bool(getattr(value, "starts_with", False))
    ends = bool(getattr(value, "ends_with", False))
    op: ir.ColumnsOp = "contains" if starts and ends else "starts_with" if starts else "ends_with" if ends else "="
    return ir.CompareColumns(column, op, mapping.column(value.field), case_sensitive=False)


def string_match(column: str, value: SigmaString) -> ir.Predicate:
    """A Sigma string: plain equality, a substring test, or an anchored regular expression."""
    cased = isinstance(value, SigmaCasedString)
    parts = _parts(value, column)
    if all(isinstance(p, str) for p in parts):
        return ir.Compare(column, "=", "".join(str(p) for p in parts), case_sensitive=cased)
    lead = parts[:1] == [SpecialChars.WILDCARD_MULTI]
    trail = len(parts) > int(lead) and parts[-1] == SpecialChars.WILDCARD_MULTI
    middle = parts[int(lead) : len(parts) - int(trail)]
    if all(isinstance(p, str) for p in middle):
        text = "".join(str(p) for p in middle)
        if not text:  # '*': any value at all
            return ir.Compare(column, "!=", None)
        op: ir.TextOp = "contains" if lead and trail else "ends_with" if lead else "starts_with"
        return ir.TextMatch(column, op, text, case_sensitive=cased)
    return ir.Regex(column, "(?s)^" + _pattern(parts) + "$", case_sensitive=cased)


def _parts(value: SigmaString, column: str) -> list[str | SpecialChars]:
    out: list[str | SpecialChars] = []
    for p in value.s:
        if isinstance(p, Placeholder):
            raise Unsupported(f"the placeholder %{p.name}% (field {column}) needs a value list, which logsheet has not")
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return out


def _pattern(parts: list[str | SpecialChars]) -> str:
    pieces = []
    for p in parts:
        if p == SpecialChars.WILDCARD_MULTI:
            pieces.append(".*")
        elif p == SpecialChars.WILDCARD_SINGLE:
            pieces.append(".")
        else:
            pieces.append(escape(str(p)))
    return "".join(pieces)


def regex(column: str, value: SigmaRegularExpression) -> ir.Regex:
    flags = "".join(sorted(_FLAGS[f] for f in value.flags if f in _FLAGS))
    pattern = str(value.regexp)
    _check_re2(pattern, column)
    prefix = f"(?{flags})" if flags else ""
    nocase = SigmaRegularExpressionFlag.IGNORECASE in value.flags
    return ir.Regex(column, prefix + pattern, case_sensitive=not nocase)


def _check_re2(pattern: str, column: str) -> None:
    """Refuse what RE2 (DuckDB's regexes, and logsheet's syntax) cannot run: look-arounds, back-references."""
    try:
        import re2  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - google-re2 comes with pySigma
        return
    try:
        re2.compile(pattern)
    except Exception as exc:  # noqa: BLE001 - re2 raises its own error type
        raise Unsupported(f"the regular expression {pattern!r} (field {column}) is not RE2 syntax: {exc}") from None


# -------------------------------------------------------------------------------------------------- keywords
def keyword(value: SigmaType, mapping: Mapping) -> ir.Predicate:
    """A field-less value: found anywhere in the mapping's keyword columns, or in any column (the search)."""
    if isinstance(value, SigmaExpansion):
        return _group(ir.Or, [keyword(v, mapping) for v in value.values])
    if isinstance(value, SigmaNumber):
        value = SigmaString(str(value.number))
    if mapping.keywords:
        return _group(ir.Or, [_keyword_in(c, value) for c in mapping.keywords])
    if isinstance(value, SigmaString) and not isinstance(value, SigmaCasedString):
        parts = _parts(value, "keyword")
        while parts and parts[0] == SpecialChars.WILDCARD_MULTI:
            parts = parts[1:]
        while parts and parts[-1] == SpecialChars.WILDCARD_MULTI:
            parts = parts[:-1]
        if all(isinstance(p, str) for p in parts):
            return ir.Search("".join(str(p) for p in parts))
    raise Unsupported(
        f"a keyword detection ({value}) other than plain text needs keyword columns for this log source"
        " (a mapping file's 'keywords')"
    )


def _keyword_in(column: str, value: SigmaType) -> ir.Predicate:
    if isinstance(value, SigmaString):
        parts = _parts(value, column)
        wrapped = SigmaCasedString() if isinstance(value, SigmaCasedString) else SigmaString()
        wrapped.s = [SpecialChars.WILDCARD_MULTI, *parts, SpecialChars.WILDCARD_MULTI]
        wrapped.original = value.original
        return string_match(column, wrapped)
    if isinstance(value, SigmaRegularExpression):
        return regex(column, value)
    raise Unsupported(f"a keyword detection of type {type(value).__name__}")
