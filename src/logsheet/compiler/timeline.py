"""A case's timeline as a relation: one projection per sheet onto the same columns, put together by UNION ALL.

Every branch reads one sheet and gives the hidden columns (``__rowid`` is unique across the workspace: it is
made from the catalog's source id) and :data:`COLUMNS`: ``time`` (the sheet's normalised time column),
``sheet``, a one-line ``summary`` of the row (per known format, :func:`summary`), one column per entity kind
(:data:`logsheet.ingest.formats.ENTITY_KINDS`: the first non-blank of the format's columns of that kind, NULL
when the sheet has none) and the link back to the row (``source_sheet``, ``source_rowid``). A
:class:`~logsheet.compiler.ViewPlan` over :func:`timeline_relation` filters, searches, sorts, groups and
counts it like a sheet. :func:`top_rowids_sql` reads the first page of a time-sorted timeline as a top-N per
sheet, then merges them, instead of sorting the whole union.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _page, _wrap
from logsheet.compiler import annotation as notes
from logsheet.compiler.relation import Relation, aliased
from logsheet.core.columns import ANNOTATION_DISPLAY, COMMENTS, ROWID, SOURCE, STARRED, TAGSET
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import cast, col, ident, lit

TIME, SHEET, SUMMARY, SOURCE_SHEET, SOURCE_ROWID = "time", "sheet", "summary", "source_sheet", "source_rowid"
ENTITY_KINDS: tuple[str, ...] = ("ip", "user", "access_key", "account", "instance", "host")
GENERIC_SUMMARY_COLUMNS = 3  # a sheet of no known format is summarised by its first text columns

COLUMNS: tuple[Column, ...] = (
    Column(TIME, "timestamp"),
    Column(SHEET, "text"),
    Column(SUMMARY, "text"),
    *(Column(kind, "text") for kind in ENTITY_KINDS),
    Column(SOURCE_SHEET, "text"),
    Column(SOURCE_ROWID, "integer"),
)
SCHEMA = Schema(COLUMNS)
#: The timeline's columns when a sheet of it has annotations: the grid's ``starred``, ``tags`` and ``comment``.
ANNOTATED_SCHEMA = Schema([*COLUMNS, *(Column(name, type_) for _, name, type_ in ANNOTATION_DISPLAY)])


@dataclass(frozen=True)
class TimelineSheet:
    """One sheet of a timeline: its name, format, schema, time column, the columns holding each entity kind
    and the table expression its rows are read from (the engine's: read_parquet, or a Spark view)."""

    name: str
    format: str
    schema: Schema
    time_column: str
    entities: dict[str, tuple[str, ...]]
    source: exp.Expr
    annotations: exp.Expr | None = None  # the table expression of its annotations, None when it has none


def branch(sheet: TimelineSheet, annotated: bool = False) -> exp.Select:
    """One sheet's rows as the timeline's columns; ``annotated`` (some sheet of the timeline has annotations):
    with each row's annotations from its own sheet, joined on its row id (:func:`notes.join`), or none."""
    rows = _branch(sheet)
    if not annotated:
        return rows
    if sheet.annotations is not None:
        return notes.join(rows, sheet.annotations, SCHEMA)[0]
    hidden = [exp.Alias(this=exp.Cast(this=exp.Null(), to=exp.DataType.build("BOOLEAN")), alias=ident(STARRED))]
    hidden += [exp.Alias(this=_null(), alias=ident(name)) for name in (TAGSET, COMMENTS)]
    shown = [aliased(name, exp.false() if hidden_name == STARRED else _null()) for hidden_name, name, _ in ANNOTATION_DISPLAY]
    return exp.select(exp.Star(), *hidden, *shown).from_(exp.Subquery(this=rows, alias=exp.TableAlias(this=ident("t"))))


def _branch(sheet: TimelineSheet) -> exp.Select:
    entity_columns = []
    for kind in ENTITY_KINDS:
        names = sheet.entities.get(kind, ())
        values = [_text(col(n)) for n in names]
        value = values[0] if len(values) == 1 else exp.Coalesce(this=values[0], expressions=values[1:]) if values else _null()
        entity_columns.append(aliased(kind, value))
    return exp.select(
        col(ROWID),
        col(SOURCE),
        aliased(TIME, col(sheet.time_column)),
        aliased(SHEET, lit(sheet.name)),
        aliased(SUMMARY, summary(sheet)),
        *entity_columns,
        aliased(SOURCE_SHEET, lit(sheet.name)),
        aliased(SOURCE_ROWID, col(ROWID)),
    ).from_(sheet.source)


def annotated(sheets: Sequence[TimelineSheet]) -> bool:
    """Whether the timeline shows annotations (some sheet of it has any)."""
    return any(s.annotations is not None for s in sheets)


def timeline_relation(sheets: Sequence[TimelineSheet]) -> Relation:
    """The union of every sheet's branch (at least one sheet), with the annotations when a sheet has any."""
    if not sheets:
        raise ValueError("a timeline needs at least one sheet with a time column")
    notes_on = annotated(sheets)
    statement: exp.Expr = branch(sheets[0], notes_on)
    for sheet in sheets[1:]:
        statement = exp.Union(this=statement, expression=branch(sheet, notes_on), distinct=False)
    return Relation(_wrap(statement), ANNOTATED_SCHEMA if notes_on else SCHEMA)


def summary(sheet: TimelineSheet) -> exp.Expr:
    """The row in one line: CloudTrail ``eventName by principal from sourceIPAddress (errorCode)``; syslog
    ``event user U from IP outcome`` (``program: message`` for lines without an event); VPC flow
    ``src:port → dst:port protocol ACTION bytes B``; other sheets their first text columns, joined by `` · ``."""
    has = sheet.schema.__contains__
    if sheet.format == "cloudtrail" and has("eventName"):
        principal = [c for c in ("userIdentity.arn", "userIdentity.userName", "userIdentity.type") if has(c)]
        who = exp.Coalesce(this=col(principal[0]), expressions=[col(c) for c in principal[1:]]) if principal else _null()
        return _concat(
            _either(col("eventName"), lit("")),
            _optional(" by ", who),
            _optional(" from ", col("sourceIPAddress") if has("sourceIPAddress") else _null()),
            _optional(" error ", col("errorCode") if has("errorCode") else _null()),
        )
    if sheet.format == "syslog" and has("event"):
        parts = [_optional(" user ", col("user")) if has("user") else lit("")]
        parts += [_optional(" from ", col("src_ip")) if has("src_ip") else lit("")]
        parts += [_optional(" ", col("outcome")) if has("outcome") else lit("")]
        fallback = _concat(_optional("", col("program")), _optional(": ", col("message"))) if has("message") else lit("")
        return exp.Case(
            ifs=[exp.If(this=exp.Is(this=col("event"), expression=exp.Null()), true=fallback)],
            default=_concat(_text(col("event")), *parts),
        )
    if sheet.format == "vpcflow" and has("srcaddr") and has("dstaddr"):
        protocol = "protocol_name" if has("protocol_name") else "protocol"
        return _concat(
            _either(_text(col("srcaddr")), lit("?")),
            _optional(":", col("srcport")) if has("srcport") else lit(""),
            lit(" → "),
            _either(_text(col("dstaddr")), lit("?")),
            _optional(":", col("dstport")) if has("dstport") else lit(""),
            _optional(" ", col(protocol)) if has(protocol) else lit(""),
            _optional(" ", col("action")) if has("action") else lit(""),
            _optional(" bytes ", col("bytes")) if has("bytes") else lit(""),
        )
    texts = [c.name for c in sheet.schema if c.type == "text" and c.name != sheet.time_column][:GENERIC_SUMMARY_COLUMNS]
    if not texts:
        return _null()
    return _concat(_either(_text(col(texts[0])), lit("")), *[_optional(" · ", col(n)) for n in texts[1:]])


def time_sorted(plan: ViewPlan) -> bool:
    """Whether a timeline view's first sort key is ``time`` (and it has no steps or groups): its first pages
    are then a top-N per sheet."""
    query = plan.query
    return bool(query.sort) and query.sort[0].column == TIME and not query.steps and query.group is None


def top_rowids_sql(branches: Sequence[ViewPlan], limit: int, offset: int) -> exp.Select:
    """The row ids of a page of a time-sorted timeline: each sheet's first ``offset + limit`` rows in the view's
    order (its filter and sort pushed into that sheet's branch), merged, sorted, and the page cut from them.
    Each branch plan is the same view over one sheet's branch; the result is the union's page exactly, since
    a row of the page is among the first ``offset + limit`` rows of its own sheet."""
    parts: list[exp.Select] = []
    keys = [key.column for key in branches[0].query.sort]
    for plan in branches:
        select = _wrap(plan.filtered).select(col(ROWID), *[col(k) for k in dict.fromkeys(keys)], append=False)
        parts.append(_page(select.order_by(*plan.row_order()), offset + limit, 0))
    union: exp.Expr = exp.Subquery(this=parts[0])
    for part in parts[1:]:
        union = exp.Union(this=union, expression=exp.Subquery(this=part), distinct=False)
    merged = _wrap(union).select(col(ROWID), append=False).order_by(*branches[0].row_order())
    return _page(merged, limit, offset)


def sources_sql(plan: ViewPlan, rowids: Sequence[int] | None = None) -> exp.Select:
    """The source sheet and row id of every row of a timeline view (only among its ``rowids`` when given): the
    rows an annotation of the timeline's view, or of chosen timeline rows, applies to in their own sheets."""
    select = _wrap(plan.filtered).select(col(SOURCE_SHEET), col(SOURCE_ROWID), append=False)
    if rowids is not None:
        select = select.where(exp.In(this=col(ROWID), expressions=[lit(int(r)) for r in rowids] or [exp.Null()]))
    return select


def _text(expression: exp.Expr) -> exp.Expr:
    return cast(expression, "VARCHAR")


def _null() -> exp.Expr:
    return cast(exp.Null(), "VARCHAR")


def _either(value: exp.Expr, fallback: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=value, expressions=[fallback])


def _optional(prefix: str, value: exp.Expr) -> exp.Expr:
    """``prefix || value`` as text, or the empty text when the value is NULL."""
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=value, expression=exp.Null()), true=lit(""))],
        default=_concat(lit(prefix), _text(value)) if prefix else _text(value),
    )


def _concat(*parts: exp.Expr) -> exp.Expr:
    """Text parts (none NULL) joined (``||``: the same in every engine's dialect)."""
    out = parts[0]
    for part in parts[1:]:
        out = exp.DPipe(this=out, expression=part, safe=True)
    return out


__all__ = [
    "ANNOTATED_SCHEMA",
    "COLUMNS",
    "ENTITY_KINDS",
    "SCHEMA",
    "SHEET",
    "SOURCE_ROWID",
    "SOURCE_SHEET",
    "SUMMARY",
    "TIME",
    "TimelineSheet",
    "annotated",
    "branch",
    "summary",
    "time_sorted",
    "timeline_relation",
    "sources_sql",
    "top_rowids_sql",
]
