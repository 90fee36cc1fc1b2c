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
from typing import Any, ClassVar, Final, Literal, Union

from logsheet.core.errors import InvalidQuery
from logsheet.core.ir_check import Memo, check_fields, decode, encode

IR_VERSION: Final = 1

Scalar = Union[str, int, float, bool, None]

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
TextOp = Literal["contains", "starts_with", "ends_with"]
ColumnsOp = Literal["=", "!=", "contains", "starts_with", "ends_with"]
CaseMode = Literal["upper", "lower"]
AggFn = Literal["count", "count_distinct", "min", "max", "sum", "avg", "first", "last"]
CastType = Literal["text", "integer", "float", "boolean", "timestamp", "date"]
KeepMode = Literal["first", "last"]

COMPARE_OPS: tuple[str, ...] = ("=", "!=", "<", "<=", ">", ">=")
TEXT_OPS: tuple[str, ...] = ("contains", "starts_with", "ends_with")
COLUMNS_OPS: tuple[str, ...] = ("=", "!=", "contains", "starts_with", "ends_with")
AGG_FNS: tuple[str, ...] = ("count", "count_distinct", "min", "max", "sum", "avg", "first", "last")
CAST_TYPES: tuple[str, ...] = ("text", "integer", "float", "boolean", "timestamp", "date")


class Node:
    """What every node shares: it checks its fields against their annotations when it is built
    (:func:`logsheet.core.ir_check.check_fields`), so a value outside a ``Literal`` or of the wrong type is
    refused with :class:`~logsheet.core.errors.InvalidQuery` from Python as from JSON."""

    def __post_init__(self) -> None:
        check_fields(self)


class PredicateNode(Node):
    family: ClassVar[str] = "filter"


class StepNode(Node):
    family: ClassVar[str] = "step"


# --------------------------------------------------------------------------------------------- predicates
@dataclass(frozen=True)
class Compare(PredicateNode):
    """``column <op> value``; with ``case_sensitive=False`` text is compared case-insensitively."""

    kind: ClassVar[str] = "compare"
    column: str
    op: CompareOp
    value: Scalar
    case_sensitive: bool = True


@dataclass(frozen=True)
class InList(PredicateNode):
    """``column in (v1, v2, ...)``, or ``not in`` with ``negate``."""

    kind: ClassVar[str] = "in"
    column: str
    values: tuple[Scalar, ...]
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Between(PredicateNode):
    """``column between low and high`` (inclusive at both ends)."""

    kind: ClassVar[str] = "between"
    column: str
    low: Scalar
    high: Scalar
    negate: bool = False


@dataclass(frozen=True)
class TextMatch(PredicateNode):
    """``contains`` / ``starts with`` / ``ends with`` a literal substring (no wildcards)."""

    kind: ClassVar[str] = "text"
    column: str
    op: TextOp
    value: str
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Regex(PredicateNode):
    """``column matches 'pattern'``: a regular expression found anywhere in the value (RE2 syntax)."""

    kind: ClassVar[str] = "regex"
    column: str
    pattern: str
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class Blank(PredicateNode):
    """``is blank``: NULL or the empty string (or only whitespace); ``is not blank`` with ``negate``."""

    kind: ClassVar[str] = "blank"
    column: str
    negate: bool = False


@dataclass(frozen=True)
class InCidr(PredicateNode):
    """``column in cidr '10.0.0.0/8'``: an IP address (text) inside a network, IPv4 or IPv6."""

    kind: ClassVar[str] = "cidr"
    column: str
    cidr: str
    negate: bool = False


@dataclass(frozen=True)
class CompareColumns(PredicateNode):
    """``column <op> column("other")``: a column's value against another column's value in the same row.
    ``=`` is never true when either side is blank (NULL), and ``!=`` is its exact complement (it keeps rows
    where a side is blank); ``contains`` / ``starts_with`` / ``ends_with`` test the other column's value as a
    substring, as text. With ``case_sensitive=False`` text is compared ignoring case."""

    kind: ClassVar[str] = "columns"
    column: str
    op: ColumnsOp
    other: str
    case_sensitive: bool = True


@dataclass(frozen=True)
class Search(PredicateNode):
    """Full-text search: the text appears, case-insensitively, in any column of the row."""

    kind: ClassVar[str] = "search"
    text: str


@dataclass(frozen=True)
class Starred(PredicateNode):
    """``starred``: the row is starred (an annotation kept in the workspace, never in the sheet's files)."""

    kind: ClassVar[str] = "starred"


@dataclass(frozen=True)
class Tagged(PredicateNode):
    """``tag = 'x'`` / ``tag in ('x', 'y')``: the row carries one of these tags; with ``negate``
    (``tag != 'x'``, ``tag not in (...)``) it carries none of them (an untagged row included)."""

    kind: ClassVar[str] = "tag"
    tags: tuple[str, ...]
    negate: bool = False


@dataclass(frozen=True)
class Commented(PredicateNode):
    """``comment contains 'root'`` (``starts with``, ``ends with``): the row's comments, joined, hold the text;
    with ``negate`` they do not (a row without comments included)."""

    kind: ClassVar[str] = "comment"
    op: TextOp
    value: str
    negate: bool = False
    case_sensitive: bool = True


@dataclass(frozen=True)
class IocMatch(PredicateNode):
    """``ioc`` / ``ioc = 'LIST'`` / ``ioc in ('a', 'b')``: the row holds an indicator of these IOC lists (of every
    list when empty) in a column of the indicator's kind (:mod:`logsheet.workspace.iocs`); ``not ioc`` with
    ``negate``. The workspace resolves it against the lists as they are when the view runs."""

    kind: ClassVar[str] = "ioc"
    lists: tuple[str, ...] = ()
    negate: bool = False


@dataclass(frozen=True)
class And(PredicateNode):
    kind: ClassVar[str] = "and"
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or(PredicateNode):
    kind: ClassVar[str] = "or"
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not(PredicateNode):
    kind: ClassVar[str] = "not"
    item: Predicate


Predicate = Union[
    Compare,
    InList,
    Between,
    TextMatch,
    Regex,
    Blank,
    InCidr,
    CompareColumns,
    Search,
    Starred,
    Tagged,
    Commented,
    IocMatch,
    And,
    Or,
    Not,
]
ANNOTATION_PREDICATES: tuple[type, ...] = (Starred, Tagged, Commented)


# ------------------------------------------------------------------------------------- derived-column steps
@dataclass(frozen=True)
class Split(StepNode):
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
class RegexExtract(StepNode):
    """Extract the named groups of a regex into new columns (one column per named group)."""

    kind: ClassVar[str] = "regex_extract"
    column: str
    pattern: str


@dataclass(frozen=True)
class Combine(StepNode):
    """Join several columns into a new text column with a separator (blanks skipped)."""

    kind: ClassVar[str] = "combine"
    columns: tuple[str, ...]
    separator: str
    name: str


@dataclass(frozen=True)
class Rename(StepNode):
    kind: ClassVar[str] = "rename"
    column: str
    name: str


@dataclass(frozen=True)
class Cast(StepNode):
    """Change a column's type in place; values that do not convert become blank."""

    kind: ClassVar[str] = "cast"
    column: str
    to: CastType


@dataclass(frozen=True)
class ChangeCase(StepNode):
    kind: ClassVar[str] = "case"
    column: str
    mode: CaseMode


@dataclass(frozen=True)
class Trim(StepNode):
    kind: ClassVar[str] = "trim"
    column: str


@dataclass(frozen=True)
class ParseTimestamp(StepNode):
    """Parse text into a UTC timestamp, with a strptime ``format`` or ISO 8601 / epoch detection when
    ``format`` is empty. The result goes to ``name`` (default: replace the column)."""

    kind: ClassVar[str] = "parse_timestamp"
    column: str
    format: str = ""
    name: str = ""


@dataclass(frozen=True)
class ExtractJson(StepNode):
    """Extract a JSON path (``requestParameters.instanceType``) into a new text column."""

    kind: ClassVar[str] = "extract_json"
    path: str
    name: str = ""


@dataclass(frozen=True)
class Label(Node):
    """One label of a :class:`Labels` step and the rows it is given to."""

    text: str
    when: Predicate


@dataclass(frozen=True)
class Labels(StepNode):
    """Add a text column holding the labels whose condition the row meets, in order, joined by ``, `` (blank
    when none does)."""

    kind: ClassVar[str] = "labels"
    name: str
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class MarkIoc(StepNode):
    """Add a text column (``ioc_lists`` by default) naming the IOC lists (of ``lists``, or every list when empty) an
    indicator of which the row holds, as :class:`IocMatch` finds them; the workspace resolves it into a
    :class:`Labels` step when the view runs."""

    kind: ClassVar[str] = "mark_ioc"
    lists: tuple[str, ...] = ()
    name: str = "ioc_lists"


@dataclass(frozen=True)
class Formula(StepNode):
    """A new column computed by a formula (``errorCode is not blank and userAgent contains 'aws-cli'``): the
    formula's text, in the language of :mod:`logsheet.query.formulalang` (reference: docs/formulas.md). Its type
    is inferred when the step is compiled."""

    kind: ClassVar[str] = "formula"
    name: str
    expression: str


@dataclass(frozen=True)
class FindReplace(StepNode):
    """Replace every occurrence of ``find`` in a column (literal text, or an RE2 regex with ``regex``; the
    replacement may then use ``\\1`` for a group), in place or into a new column ``name``."""

    kind: ClassVar[str] = "find_replace"
    column: str
    find: str
    replace: str = ""
    regex: bool = False
    case_sensitive: bool = True
    name: str = ""


URL_PARTS: tuple[str, ...] = ("scheme", "host", "domain", "path", "query_keys")


@dataclass(frozen=True)
class UrlParts(StepNode):
    """Columns of a URL's (or a bare host name's) parts: ``<column>.scheme``, ``.host``, ``.domain`` (the
    registered domain, by the Public Suffix List), ``.path`` and ``.query_keys`` (the query's keys, comma-separated)."""

    kind: ClassVar[str] = "url_parts"
    column: str
    parts: tuple[str, ...] = URL_PARTS  # any of URL_PARTS, in the order of the new columns


# ------------------------------------------------------------------ row steps (they change the number of rows)
@dataclass(frozen=True)
class Dedupe(StepNode):
    """Keep one row per distinct compound key (``keys``: columns or JSON paths; blanks count as a value): the
    ``first`` or ``last`` row by ``by`` (default: the sheet's time column, else row order; ties by row id). The
    kept row keeps its row id; ``count`` names a new column holding how many rows share its key (1: unique).
    The duplicates are those among the rows the view's filter keeps (its terms on columns that exist before
    the step: :func:`logsheet.compiler.rowsteps.filter_before`)."""

    kind: ClassVar[str] = "dedupe"
    keys: tuple[str, ...]
    keep: KeepMode = "first"
    by: str = ""
    count: str = "duplicates"


@dataclass(frozen=True)
class SplitRows(StepNode):
    """Split a text column on a literal delimiter into one row per part (a blank part, or a blank value, is
    one row with a blank). The part replaces the column, or goes to ``name``. Every part keeps its row's id."""

    kind: ClassVar[str] = "split_rows"
    column: str
    delimiter: str
    name: str = ""


@dataclass(frozen=True)
class Explode(StepNode):
    """One row per element of a JSON array (``path``: a JSON column or a path inside one, such as
    ``responseElements.instancesSet.items``). The element replaces the array when ``path`` is a column (and
    ``name`` is empty), else goes to a new JSON column ``name`` (default: the path's last key, ``items``); its
    ``fields`` go to text columns ``name.field``. Rows whose array is missing or empty are
    dropped, or kept once with blank elements with ``keep_empty``. Every element keeps its row's id."""

    kind: ClassVar[str] = "explode"
    path: str
    name: str = ""
    fields: tuple[str, ...] = ()
    keep_empty: bool = False


Step = Union[
    Split,
    RegexExtract,
    Combine,
    Rename,
    Cast,
    ChangeCase,
    Trim,
    ParseTimestamp,
    ExtractJson,
    Labels,
    MarkIoc,
    Formula,
    FindReplace,
    UrlParts,
    Dedupe,
    SplitRows,
    Explode,
]
ROW_STEPS: tuple[type, ...] = (Dedupe, SplitRows, Explode)


# --------------------------------------------------------------------------------------- sort, group, query
@dataclass(frozen=True)
class SortKey(Node):
    column: str
    descending: bool = False


@dataclass(frozen=True)
class Agg(Node):
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
class GroupBy(Node):
    keys: tuple[str, ...]
    aggs: tuple[Agg, ...] = (Agg("count"),)


@dataclass(frozen=True)
class Query(Node):
    """A view of a sheet. Steps run first (they define columns), then the filter and search, then either
    the group-by or the column selection, then the sort."""

    steps: tuple[Step, ...] = ()
    where: Predicate | None = None
    search: str = ""
    columns: tuple[str, ...] = ()
    sort: tuple[SortKey, ...] = ()
    group: GroupBy | None = None
    version: Literal[1] = field(default=IR_VERSION)

    def with_(self, **changes: Any) -> Query:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Query(**values)


# -------------------------------------------------------------------------------------------- JSON codec
def node_to_json(node: Node, memo: Memo | None = None) -> Any:
    """A node as a JSON-ready dict (predicates and steps tagged with their ``kind``; tuples as lists); ``memo``
    (a dict kept across calls) encodes a subtree met again once, sharing its JSON."""
    return encode(node, memo)


def predicate_from_json(data: Any, path: str = "where") -> Predicate:
    """A predicate from its JSON; refuses a malformed one naming the JSON path below ``path``."""
    return decode(Predicate, data, path)  # type: ignore[no-any-return]


def step_from_json(data: Any, path: str = "step") -> Step:
    return decode(Step, data, path)  # type: ignore[no-any-return]


def query_to_json(query: Query) -> dict[str, Any]:
    return encode(query)  # type: ignore[no-any-return]


def query_from_json(data: Any) -> Query:
    """Rebuild a Query from :func:`query_to_json` output (a dict or its JSON text); refuses unknown versions and
    malformed input (unknown keys, missing ones, wrong types) naming the JSON path, e.g. ``steps[2].kind``."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InvalidQuery(f"query JSON does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidQuery("a query must be a JSON object")
    version = data.get("version", IR_VERSION)
    if version != IR_VERSION or isinstance(version, bool):
        raise InvalidQuery(f"query version {version!r} is not supported (this logsheet reads {IR_VERSION})")
    return decode(Query, data)  # type: ignore[no-any-return]
