"""The sheet-operation IR: small, typed, immutable nodes that describe a view of a sheet.

A :class:`Query` is everything a person has done to a sheet: derived-column steps, a filter, a full-text
search, a sort, a column selection and an optional group-by. It is plain data, serialisable to versioned
JSON (:func:`query_to_json` / :func:`query_from_json`), which makes it the saved view, the undo history and
the replayable recipe all at once. Nothing here knows SQL: :mod:`logsheet.compiler` turns it into a
sqlglot AST for an engine.

Column names are written as the user writes them; a dotted name that is not a column of the sheet is a JSON
path into the longest column prefix that holds JSON (``requestParameters.instanceType``). The compiler
resolves them against the sheet's schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal, Union

IR_VERSION = 1

Scalar = Union[str, int, float, bool, None]

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
TextOp = Literal["contains", "starts_with", "ends_with"]
CaseMode = Literal["upper", "lower"]
AggFn = Literal["count", "count_distinct", "min", "max", "sum", "avg", "first", "last"]
CastType = Literal["text", "integer", "float", "boolean", "timestamp", "date"]

COMPARE_OPS: tuple[str, ...] = ("=", "!=", "<", "<=", ">", ">=")
TEXT_OPS: tuple[str, ...] = ("contains", "starts_with", "ends_with")
AGG_FNS: tuple[str, ...] = ("count", "count_distinct", "min", "max", "sum", "avg", "first", "last")
CAST_TYPES: tuple[str, ...] = ("text", "integer", "float", "boolean", "timestamp", "date")


# --------------------------------------------------------------------------------------------- predicates
@dataclass(frozen=True)
class Compare:
    """``column <op> value``; with ``case_sensitive=False`` text is compared case-insensitively."""

    kind: ClassVar[str] = "compare"
    column: str
    op: CompareOp
    value: Scalar
    case_sensitive: bool = True


@dataclass(frozen=True)
class InList:
    """``column in (v1, v2, ...)``, or ``not in`` with ``negate``."""

    kind: ClassVar[str] = "in"
    column: str
    values: tuple[Scalar, ...]
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Between:
    """``column between low and high`` (inclusive at both ends)."""

    kind: ClassVar[str] = "between"
    column: str
    low: Scalar
    high: Scalar
    negate: bool = False


@dataclass(frozen=True)
class TextMatch:
    """``contains`` / ``starts with`` / ``ends with`` a literal substring (no wildcards)."""

    kind: ClassVar[str] = "text"
    column: str
    op: TextOp
    value: str
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Regex:
    """``column matches 'pattern'``: a regular expression found anywhere in the value (RE2 syntax)."""

    kind: ClassVar[str] = "regex"
    column: str
    pattern: str
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Blank:
    """``is blank``: NULL or the empty string (or only whitespace); ``is not blank`` with ``negate``."""

    kind: ClassVar[str] = "blank"
    column: str
    negate: bool = False


@dataclass(frozen=True)
class InCidr:
    """``column in cidr '10.0.0.0/8'``: an IP address (text) inside a network, IPv4 or IPv6."""

    kind: ClassVar[str] = "cidr"
    column: str
    cidr: str
    negate: bool = False


@dataclass(frozen=True)
class Search:
    """Full-text search: the text appears, case-insensitively, in any column of the row."""

    kind: ClassVar[str] = "search"
    text: str


@dataclass(frozen=True)
class And:
    kind: ClassVar[str] = "and"
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or:
    kind: ClassVar[str] = "or"
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    kind: ClassVar[str] = "not"
    item: Predicate


Predicate = Union[Compare, InList, Between, TextMatch, Regex, Blank, InCidr, Search, And, Or, Not]


# ------------------------------------------------------------------------------------- derived-column steps
@dataclass(frozen=True)
class Split:
    """Split a text column by a literal delimiter into ``parts`` new columns (the last keeps the rest when
    ``keep_rest``). Names default to ``<column>_1 .. <column>_N``."""

    kind: ClassVar[str] = "split"
    column: str
    delimiter: str
    parts: int
    names: tuple[str, ...] = ()
    keep_rest: bool = False
    collapse: bool = False  # treat runs of the delimiter as one (splitting syslog lines on spaces)


@dataclass(frozen=True)
class RegexExtract:
    """Extract the named groups of a regex into new columns (one column per named group)."""

    kind: ClassVar[str] = "regex_extract"
    column: str
    pattern: str


@dataclass(frozen=True)
class Combine:
    """Join several columns into a new text column with a separator (blanks skipped)."""

    kind: ClassVar[str] = "combine"
    columns: tuple[str, ...]
    separator: str
    name: str


@dataclass(frozen=True)
class Rename:
    kind: ClassVar[str] = "rename"
    column: str
    name: str


@dataclass(frozen=True)
class Cast:
    """Change a column's type in place; values that do not convert become blank."""

    kind: ClassVar[str] = "cast"
    column: str
    to: CastType


@dataclass(frozen=True)
class ChangeCase:
    kind: ClassVar[str] = "case"
    column: str
    mode: CaseMode


@dataclass(frozen=True)
class Trim:
    kind: ClassVar[str] = "trim"
    column: str


@dataclass(frozen=True)
class ParseTimestamp:
    """Parse text into a UTC timestamp, with a strptime ``format`` or ISO 8601 / epoch detection when
    ``format`` is empty. The result goes to ``name`` (default: replace the column)."""

    kind: ClassVar[str] = "parse_timestamp"
    column: str
    format: str = ""
    name: str = ""


@dataclass(frozen=True)
class ExtractJson:
    """Extract a JSON path (``requestParameters.instanceType``) into a new text column."""

    kind: ClassVar[str] = "extract_json"
    path: str
    name: str = ""


Step = Union[Split, RegexExtract, Combine, Rename, Cast, ChangeCase, Trim, ParseTimestamp, ExtractJson]


# --------------------------------------------------------------------------------------- sort, group, query
@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Agg:
    """An aggregate: ``count`` takes no column; ``first``/``last`` are the earliest / latest value of the
    column (on a timestamp column: first seen / last seen)."""

    fn: AggFn
    column: str = ""
    name: str = ""

    def output_name(self) -> str:
        if self.name:
            return self.name
        return self.fn if self.fn == "count" else f"{self.fn}_{self.column}"


@dataclass(frozen=True)
class GroupBy:
    keys: tuple[str, ...]
    aggs: tuple[Agg, ...] = (Agg("count"),)


@dataclass(frozen=True)
class Query:
    """A view of a sheet. Steps run first (they define columns), then the filter and search, then either
    the group-by or the column selection, then the sort."""

    steps: tuple[Step, ...] = ()
    where: Predicate | None = None
    search: str = ""
    columns: tuple[str, ...] = ()
    sort: tuple[SortKey, ...] = ()
    group: GroupBy | None = None
    version: int = field(default=IR_VERSION)

    def with_(self, **changes: Any) -> Query:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Query(**values)


# -------------------------------------------------------------------------------------------- JSON codec
_PREDICATES: dict[str, type] = {
    c.kind: c for c in (Compare, InList, Between, TextMatch, Regex, Blank, InCidr, Search, And, Or, Not)
}
_STEPS: dict[str, type] = {
    c.kind: c for c in (Split, RegexExtract, Combine, Rename, Cast, ChangeCase, Trim, ParseTimestamp, ExtractJson)
}


def node_to_json(node: Any) -> Any:
    """A predicate or step as a JSON-ready dict, tagged with its ``kind``."""
    if isinstance(node, (And, Or)):
        return {"kind": node.kind, "items": [node_to_json(i) for i in node.items]}
    if isinstance(node, Not):
        return {"kind": "not", "item": node_to_json(node.item)}
    out: dict[str, Any] = {"kind": node.kind}
    for f in fields(node):
        value = getattr(node, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def predicate_from_json(data: Any) -> Predicate:
    cls = _lookup(_PREDICATES, data, "filter")
    if cls in (And, Or):
        return cls(tuple(predicate_from_json(i) for i in _list(data, "items")))  # type: ignore[no-any-return]
    if cls is Not:
        return Not(predicate_from_json(data.get("item")))
    return _build(cls, data)  # type: ignore[no-any-return]


def step_from_json(data: Any) -> Step:
    return _build(_lookup(_STEPS, data, "step"), data)  # type: ignore[no-any-return]


def query_to_json(query: Query) -> dict[str, Any]:
    return {
        "version": query.version,
        "steps": [node_to_json(s) for s in query.steps],
        "where": node_to_json(query.where) if query.where is not None else None,
        "search": query.search,
        "columns": list(query.columns),
        "sort": [{"column": k.column, "descending": k.descending} for k in query.sort],
        "group": None
        if query.group is None
        else {
            "keys": list(query.group.keys),
            "aggs": [{"fn": a.fn, "column": a.column, "name": a.name} for a in query.group.aggs],
        },
    }


def query_from_json(data: Any) -> Query:
    """Rebuild a Query from :func:`query_to_json` output; rejects unknown versions and malformed input."""
    from logsheet.core.errors import InvalidQuery

    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidQuery(f"query JSON does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidQuery("a query must be a JSON object")
    version = data.get("version", IR_VERSION)
    if version != IR_VERSION:
        raise InvalidQuery(f"query version {version!r} is not supported (this logsheet reads {IR_VERSION})")
    group = data.get("group")
    try:
        return Query(
            steps=tuple(step_from_json(s) for s in data.get("steps") or ()),
            where=predicate_from_json(data["where"]) if data.get("where") is not None else None,
            search=str(data.get("search") or ""),
            columns=tuple(str(c) for c in data.get("columns") or ()),
            sort=tuple(SortKey(str(k["column"]), bool(k.get("descending", False))) for k in data.get("sort") or ()),
            group=None
            if not group
            else GroupBy(
                keys=tuple(str(k) for k in group.get("keys") or ()),
                aggs=tuple(
                    Agg(a["fn"], str(a.get("column", "")), str(a.get("name", "")))  # type: ignore[arg-type]
                    for a in group.get("aggs") or ({"fn": "count"},)
                ),
            ),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidQuery(f"malformed query JSON: {exc}") from None


def _lookup(table: dict[str, type], data: Any, what: str) -> type:
    from logsheet.core.errors import InvalidQuery

    if not isinstance(data, dict) or data.get("kind") not in table:
        kind = data.get("kind") if isinstance(data, dict) else data
        raise InvalidQuery(f"unknown {what} kind {kind!r}; known: {', '.join(sorted(table))}")
    return table[data["kind"]]


def _list(data: dict[str, Any], key: str) -> list[Any]:
    from logsheet.core.errors import InvalidQuery

    value = data.get(key)
    if not isinstance(value, list):
        raise InvalidQuery(f"{data.get('kind')!r} needs a list {key!r}")
    return value


def _build(cls: type, data: dict[str, Any]) -> Any:
    from logsheet.core.errors import InvalidQuery

    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise InvalidQuery(f"malformed {getattr(cls, 'kind', cls.__name__)!r}: {exc}") from None
