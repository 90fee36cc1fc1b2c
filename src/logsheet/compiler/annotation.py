"""The annotations of rows (stars, tags, comments) in a compiled view.

The workspace keeps them in its catalog and gives the engines one relation of them, one row per annotated row
id (:data:`logsheet.core.columns.ANNOTATION_COLUMNS`). A view joins it on ``__rowid`` only when it uses them:
an annotation term in its filter (``starred``, ``tag = 'x'``, ``comment contains 'x'``), or one of their
columns shown, sorted or grouped on (every column is shown when the view names none). A sheet without
annotations is never joined: its terms are constants (no row is starred).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from logsheet.core import ir
from logsheet.core.columns import ANNOTATION_DISPLAY, COMMENTS, ROWID, STARRED, TAGSET
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import col, ident, lit

_SHEET, _NOTES = "t", "a"


def shown_columns(schema: Schema) -> list[tuple[str, str, str]]:
    """The annotation columns a view of ``schema`` can show: (hidden column, name, type), leaving out a name
    the sheet (after its steps) already has, ignoring case."""
    taken = {c.name.casefold() for c in schema}
    return [entry for entry in ANNOTATION_DISPLAY if entry[1].casefold() not in taken]


def uses_annotations(query: ir.Query, names: list[str]) -> bool:
    """Whether ``query`` needs the annotations: a term in its filter, or one of ``names`` shown or used."""
    leaves = list(_leaves(query.where)) if query.where is not None else []
    if any(isinstance(p, ir.ANNOTATION_PREDICATES) for p in leaves):
        return True
    wanted = {n.casefold() for n in names}
    used = [*query.columns, *(k.column for k in query.sort)]
    used += [name for p in leaves for name in (getattr(p, "column", ""), getattr(p, "other", "")) if name]
    if query.group is not None:
        used += [*query.group.keys, *(a.column for a in query.group.aggs)]
    elif not query.columns:
        return bool(names)
    return any(name.casefold() in wanted for name in used)


def join(relation: exp.Expr, source: exp.Expr, schema: Schema) -> tuple[exp.Select, Schema]:
    """``relation`` (the sheet's rows after its steps) with each row's annotations: the hidden columns the
    filter terms test, and the columns a view shows (``starred`` false, ``tags`` and ``comment`` blank on a
    row without annotations)."""
    shown = shown_columns(schema)
    notes = exp.Table(this=source.this, alias=exp.TableAlias(this=ident(_NOTES))) if isinstance(source, exp.Table) else source
    hidden = [exp.Column(this=ident(name), table=ident(_NOTES)) for name in (STARRED, TAGSET, COMMENTS)]
    projections: list[exp.Expr] = [exp.Column(this=exp.Star(), table=ident(_SHEET)), *hidden]
    for hidden_name, name, _ in shown:
        value: exp.Expr = exp.Column(this=ident(hidden_name), table=ident(_NOTES))
        if hidden_name == STARRED:
            value = exp.Coalesce(this=value, expressions=[exp.false()])
        projections.append(exp.Alias(this=value, alias=ident(name)))
    sheet = exp.Subquery(this=relation, alias=exp.TableAlias(this=ident(_SHEET)))
    on = exp.EQ(
        this=exp.Column(this=ident(ROWID), table=ident(_SHEET)), expression=exp.Column(this=ident(ROWID), table=ident(_NOTES))
    )
    select = exp.select(*projections).from_(sheet).join(notes, on=on, join_type="left")
    return select, Schema([*schema, *(Column(name, type_) for _, name, type_ in shown)])


def predicate(node: ir.Predicate, joined: bool) -> exp.Expr:
    """An annotation term (never NULL); without the annotations joined, what it is on a row without any."""
    negate = bool(getattr(node, "negate", False))
    if not joined:
        return exp.true() if negate else exp.false()
    test: exp.Expr
    if isinstance(node, ir.Starred):
        test = col(STARRED)
    elif isinstance(node, ir.Tagged):
        if not node.tags:
            raise InvalidQuery("a tag filter needs at least one tag")
        hits = [_contains(col(TAGSET), lit(f",{tag},")) for tag in node.tags]
        test = exp.Paren(this=exp.or_(*hits)) if len(hits) > 1 else hits[0]
    elif isinstance(node, ir.Commented):
        test = _text(node)
    else:
        raise InvalidQuery(f"unsupported filter {node.kind!r}")
    safe = exp.Coalesce(this=test, expressions=[exp.false()])
    return exp.Not(this=safe) if negate else safe


def _text(node: ir.Commented) -> exp.Expr:
    if node.op not in ir.TEXT_OPS:
        raise InvalidQuery(f"unknown text operator {node.op!r}")
    value: exp.Expr = col(COMMENTS)
    needle: exp.Expr = lit(node.value)
    if not node.case_sensitive:
        value, needle = exp.Lower(this=value), exp.Lower(this=needle)
    if node.op == "contains":
        return _contains(value, needle)
    if node.op == "starts_with":
        return exp.StartsWith(this=value, expression=needle)
    return exp.EndsWith(this=value, expression=needle)


def _contains(value: exp.Expr, needle: exp.Expr) -> exp.Expr:
    return exp.GT(this=exp.StrPosition(this=value, substr=needle), expression=lit(0))


def _leaves(node: ir.Predicate) -> Iterator[ir.Predicate]:
    if isinstance(node, (ir.And, ir.Or)):
        for item in node.items:
            yield from _leaves(item)
    elif isinstance(node, ir.Not):
        yield from _leaves(node.item)
    else:
        yield node


def rowids_sql(filtered: exp.Expr, rowids: list[int] | None = None) -> exp.Select:
    """The row ids of a view's rows (``filtered``: :attr:`logsheet.compiler.ViewPlan.filtered`), only among
    ``rowids`` when given: the rows an annotation of the whole view, or of chosen rows, applies to."""
    rows = exp.Subquery(this=filtered, alias=exp.TableAlias(this=ident(_SHEET)))
    select = exp.select(col(ROWID)).from_(rows)
    if rowids is not None:
        select = select.where(exp.In(this=col(ROWID), expressions=[lit(int(r)) for r in rowids] or [exp.Null()]))
    return select
