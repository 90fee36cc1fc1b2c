"""Row steps (IR): steps that change the number of rows, compiled as relations over the previous one.

The derived-column steps (:mod:`.steps`) are projections: one output row per input row. These are not:

- :class:`~logsheet.core.ir.Dedupe` keeps one row per key (a ``ROW_NUMBER()`` window over the key, ordered by
  the time column or the chosen one, then by row id) and counts the rows sharing it (a ``COUNT(*)`` window).
  The kept row keeps its row id, so row ids stay unique and every page is still read by id.
- :class:`~logsheet.core.ir.SplitRows` and :class:`~logsheet.core.ir.Explode` make one row per part or element
  (:meth:`Dialect.unnest <logsheet.compiler.dialects.base.Dialect.unnest>`). Every part keeps its row's id
  (``__rowid`` is the parent's), so annotations, "open row" and the row's context address the event it came
  from; the part's 1-based position goes to a hidden column (``__part1``, ``__part2`` for a second such step),
  and the view's order becomes ``(sort keys, __rowid, __part1, ...)``, which is total and stable. A page of
  such a view is read in one pass (:func:`logsheet.compiler.paging.reads_by_id`), since a row id no longer
  names one row.

Each handler takes the relation (hidden columns first, then the schema's), its schema and the hidden part
columns so far, and returns the new relation, schema and part columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler.dialects import Dialect
from logsheet.compiler.dialects.base import ELEMENT, POSITION
from logsheet.compiler.relation import aliased
from logsheet.compiler.resolve import column_named, name_taken, resolve
from logsheet.core import ir
from logsheet.core.columns import ROWID, SYSTEM_COLUMNS
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import col, ident, lit, to_text

PART_PREFIX = "__part"  # the hidden position columns of split-to-rows and explode steps
_KEEP = "__keep"
_COUNT = "__dupes"
MAX_FIELDS = 256


@dataclass(frozen=True)
class RowStepResult:
    relation: exp.Select
    schema: Schema
    parts: tuple[str, ...]


def is_row_step(step: ir.Step) -> bool:
    return isinstance(step, ir.ROW_STEPS)


def apply_row_step(
    step: ir.Step,
    relation: exp.Expr,
    schema: Schema,
    parts: tuple[str, ...],
    dialect: Dialect,
    time_column: str | None,
    among: exp.Expr | None = None,
) -> RowStepResult:
    """``among``: the condition the rows must meet first (:func:`filter_before`): for a dedupe what it means, for
    split to rows and explode a shortcut (the filter would drop those rows' parts anyway)."""
    if isinstance(step, ir.Dedupe):
        return _dedupe(step, relation, schema, parts, time_column, among)
    if isinstance(step, ir.SplitRows):
        return _split_rows(step, _among(relation, among), schema, parts, dialect)
    if isinstance(step, ir.Explode):
        return _explode(step, _among(relation, among), schema, parts, dialect)
    raise InvalidQuery(f"unsupported row step {getattr(step, 'kind', step)!r}")


def _among(relation: exp.Expr, among: exp.Expr | None) -> exp.Expr:
    return relation if among is None else _sub(relation).where(among)


def row_order(parts: tuple[str, ...]) -> list[exp.Ordered]:
    """What breaks ties after the sort keys: the row id, then the part positions."""
    return [exp.Ordered(this=col(name), desc=False, nulls_first=False) for name in (ROWID, *parts)]


# ------------------------------------------------------------------------------------------------ dedupe
def _dedupe(
    step: ir.Dedupe, relation: exp.Expr, schema: Schema, parts: tuple[str, ...], time_column: str | None, among: exp.Expr | None
) -> RowStepResult:
    if not step.keys:
        raise InvalidQuery("dedupe needs at least one key column")
    if step.keep not in ("first", "last"):
        raise InvalidQuery(f"dedupe keeps the 'first' or 'last' row, not {step.keep!r}")
    keys = [resolve(k, schema).expression for k in step.keys]
    descending = step.keep == "last"
    order: list[exp.Ordered] = []
    if step.by:
        order.append(exp.Ordered(this=resolve(step.by, schema).expression, desc=descending, nulls_first=False))
    elif time_column and column_named(time_column, schema) is not None:
        order.append(exp.Ordered(this=col(time_column), desc=descending, nulls_first=False))
    order += [exp.Ordered(this=col(name), desc=descending, nulls_first=False) for name in (ROWID, *parts)]
    if step.count:
        taken = name_taken(step.count, schema)
        if taken is not None:
            raise InvalidQuery(f"a column named {taken.name!r} already exists; name the duplicates count another way")
    number = exp.Window(this=exp.RowNumber(), partition_by=keys, order=exp.Order(expressions=order))
    total = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[k.copy() for k in keys])
    rows = _sub(relation) if among is None else _sub(relation).where(among)
    ranked = rows.select(
        exp.Star(), exp.Alias(this=number, alias=ident(_KEEP)), exp.Alias(this=total, alias=ident(_COUNT)), append=False
    )
    projections: list[exp.Expr] = [col(name) for name in (*SYSTEM_COLUMNS, *parts, *schema.names())]
    out = list(schema)
    if step.count:
        projections.append(exp.Alias(this=col(_COUNT), alias=ident(step.count)))
        out.append(Column(step.count, "integer"))
    kept = _sub(ranked).where(exp.EQ(this=col(_KEEP), expression=lit(1))).select(*projections, append=False)
    return RowStepResult(kept, Schema(out), parts)


# The view's filter and a dedupe: the filter runs after the steps (it may test the columns they make, such as
# `duplicates`), but the duplicates an analyst means are those among the rows the filter keeps. So each
# top-level AND term of the filter that tests only columns the rows have before the dedupe, which no later
# step changes, is also applied before it (applying it again after changes nothing). Terms on the dedupe's
# own columns, on later steps' columns, on annotations and the search apply after only. Split to rows and explode
# take the same terms first too: a part has its row's values in every other column, so the filter would drop
# the parts of the rows those terms drop, after making them.
_TARGETS = ("column", "columns", "path", "name", "names", "keys", "count")


def filter_before(query: ir.Query, index: int, schema: Schema, dialect: Dialect) -> exp.Expr | None:
    """The part of ``query``'s filter to apply before its row step ``index``, compiled on ``schema`` (the columns
    before that step), or None."""
    from logsheet.compiler.predicates import PredicateCompiler

    if query.where is None:
        return None
    touched = {n.casefold() for step in query.steps[index + 1 :] for n in _step_names(step)}
    terms = query.where.items if isinstance(query.where, ir.And) else (query.where,)
    compiler = PredicateCompiler(schema, dialect)
    early = []
    for term in terms:
        names = _columns_of(term)
        if names is None or any(_overlaps(n, touched) for n in names):
            continue
        try:
            early.append(compiler.compile(term))
        except InvalidQuery:  # a column that only a later step makes
            continue
    return exp.and_(*[exp.Paren(this=t) for t in early]) if early else None


def _columns_of(node: ir.Predicate) -> list[str] | None:
    """The column names a predicate tests, or None when it tests the annotations or the search."""
    if isinstance(node, (ir.Search, *ir.ANNOTATION_PREDICATES)):
        return None
    if isinstance(node, (ir.And, ir.Or)):
        found: list[str] = []
        for item in node.items:
            names = _columns_of(item)
            if names is None:
                return None
            found += names
        return found
    if isinstance(node, ir.Not):
        return _columns_of(node.item)
    return [n for n in (getattr(node, "column", None), getattr(node, "other", None)) if isinstance(n, str)]


def _step_names(step: ir.Step) -> list[str]:
    names: list[str] = []
    for field in _TARGETS:
        value = getattr(step, field, None)
        names += [value] if isinstance(value, str) else list(value) if isinstance(value, tuple) else []
    if isinstance(step, ir.Explode):
        names.append(step.path.rsplit(".", 1)[-1].split("[", 1)[0])  # its default element column
    return [n for n in names if n]


def _overlaps(name: str, touched: set[str]) -> bool:
    """Whether ``name`` (a column or a JSON path) may read a column a later step makes or changes."""
    key = name.casefold()
    return any(key == t or key.startswith(t + ".") or key.startswith(t + "[") or t.startswith(key + ".") for t in touched)


# -------------------------------------------------------------------------------------- split to rows, explode
def _split_rows(
    step: ir.SplitRows, relation: exp.Expr, schema: Schema, parts: tuple[str, ...], dialect: Dialect
) -> RowStepResult:
    source = column_named(step.column, schema)
    if source is None:
        resolve(step.column, schema)  # the standard unknown-column message
        raise InvalidQuery(f"{step.column!r} is a JSON path, not a column; extract it into a column first")
    if not step.delimiter:
        raise InvalidQuery("split to rows needs a delimiter")
    value = col(source.name) if source.type in ("text", "json") else to_text(col(source.name))
    items = dialect.split(value, step.delimiter, False)
    part: exp.Expr = exp.Nullif(this=col(ELEMENT), expression=lit(""))
    new: list[tuple[str, exp.Expr, str]]
    if step.name and step.name != source.name:
        _check_new(schema, [step.name])
        new = [(c.name, col(c.name), c.type) for c in schema] + [(step.name, part, "text")]
    else:
        new = [
            (c.name, part if c.name == source.name else col(c.name), "text" if c.name == source.name else c.type) for c in schema
        ]
    return _unnest(relation, schema, parts, dialect, items, True, new)


def _explode(step: ir.Explode, relation: exp.Expr, schema: Schema, parts: tuple[str, ...], dialect: Dialect) -> RowStepResult:
    target = resolve(step.path, schema)
    in_place: str | None = None  # exploding a whole column: each element replaces the array in that column
    if target.json_path:
        assert isinstance(target.expression, exp.JSONExtractScalar)
        value, path = target.expression.this, target.expression.expression
    else:
        column = column_named(step.path, schema)
        assert column is not None
        if column.type not in ("json", "text"):
            raise InvalidQuery(f"{step.path!r} holds {column.type} values, not JSON arrays")
        value, path = col(column.name), exp.JSONPath(expressions=[exp.JSONPathRoot()])
        if not step.name or step.name == column.name:
            in_place = column.name
    if len(step.fields) > MAX_FIELDS:
        raise InvalidQuery(f"explode adds at most {MAX_FIELDS} fields as columns, not {len(step.fields)}")
    name = in_place or step.name or _default_name(step.path, schema)
    element_schema = Schema([Column(name, "json")])
    fields = []
    for field in step.fields:
        if not field.strip():
            raise InvalidQuery("an element field needs a name")
        found = resolve(f"{name}.{field}", element_schema)
        assert isinstance(found.expression, exp.JSONExtractScalar)
        fields.append((f"{name}.{field}", dialect.json_field(col(ELEMENT), found.expression.expression), "text"))
    kept = [c for c in schema if c.name != in_place]
    _check_new(Schema(kept), [name, *(n for n, _, _ in fields)])
    new: list[tuple[str, exp.Expr, str]] = [
        (c.name, col(ELEMENT), "json") if c.name == in_place else (c.name, col(c.name), c.type) for c in schema
    ]
    if in_place is None:
        new.append((name, col(ELEMENT), "json"))
    new += fields
    return _unnest(relation, schema, parts, dialect, dialect.json_array(value, path), step.keep_empty, new)


def _default_name(path: str, schema: Schema) -> str:
    """The path's last key (``items``), or ``<key>_element`` when a column is called that already."""
    last = path.rsplit(".", 1)[-1].split("[", 1)[0] or path
    return last if name_taken(last, schema) is None else f"{last}_element"


def _check_new(schema: Schema, names: list[str]) -> None:
    for name in names:
        if not name:
            raise InvalidQuery("a new column needs a name")
        taken = name_taken(name, schema)
        if taken is not None:
            raise InvalidQuery(f"a column named {taken.name!r} already exists; choose another name")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidQuery(f"duplicate new column names: {', '.join(names)}")


def _unnest(
    relation: exp.Expr,
    schema: Schema,
    parts: tuple[str, ...],
    dialect: Dialect,
    items: exp.Expr,
    outer: bool,
    new: list[tuple[str, exp.Expr, str]],
) -> RowStepResult:
    keep = [*SYSTEM_COLUMNS, *parts, *schema.names()]
    exploded = dialect.unnest(relation, keep, items, outer)
    part = f"{PART_PREFIX}{len(parts) + 1}"
    hidden = [*(col(n) for n in (*SYSTEM_COLUMNS, *parts)), exp.Alias(this=col(POSITION), alias=ident(part))]
    projection = _sub(exploded).select(*hidden, *[aliased(n, e) for n, e, _ in new], append=False)
    return RowStepResult(projection, Schema(Column(n, t) for n, _, t in new), (*parts, part))


def _sub(relation: exp.Expr) -> exp.Select:
    return exp.select(exp.Star()).from_(exp.Subquery(this=relation, alias=exp.TableAlias(this=ident("t"))))


__all__ = ["PART_PREFIX", "RowStepResult", "apply_row_step", "is_row_step", "row_order"]
