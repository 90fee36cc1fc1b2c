"""The statements that run detection rules on a sheet. Pure: nothing here runs.

Rules are evaluated together, in one pass over the sheet (:meth:`RuleScan.counts_sql`): for every rule, the
number of rows its predicate flags and the first and last time among them::

    SELECT COUNT(CASE WHEN p0 THEN 1 END) AS n0, MIN(CASE WHEN p0 THEN t END) AS first0, MAX(...) AS last0,
           COUNT(CASE WHEN p1 THEN 1 END) AS n1, ...
    FROM (sheet) AS t WHERE <anchors>

The ``WHERE`` keeps only rows some rule may flag, tested cheaply: each rule's *anchor* (:func:`anchor`), a
condition every row it flags meets — its equality on a plain column (``eventName`` first), or for a rule
with none, the rule itself — the anchors of one column merged into one ``IN`` list. So the expensive parts of
rules (JSON paths, regular expressions, networks) run only on the rows of their events, and a rule costs
about what it costs alone, not a pass over the sheet. ``CASE`` rather than ``FILTER (WHERE ...)``: DuckDB
evaluates an aggregate's filter on every row without cutting its ``AND`` short (measured: 40 s against 0.2 s
for one rule on 1M rows).

Only the rules that flagged rows are read again, for their entities (:meth:`RuleScan.entities_sql`): the most
frequent values of each entity column among a rule's rows, in one grouped pass per rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _wrap
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Schema
from logsheet.core.sqlnames import cast, col, ident, lit

_GROUPED = "g"


@dataclass(frozen=True)
class RuleScan:
    """Rules (``predicates``, in order) over ``plan``, a sheet's unfiltered view."""

    plan: ViewPlan
    predicates: tuple[ir.Predicate, ...]

    def counts_sql(self) -> exp.Select:
        """One row: per rule ``i``, ``n{i}`` (rows flagged), ``first{i}`` and ``last{i}`` (their earliest and
        latest time; NULL without a time column or when no flagged row has a time)."""
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        conditions = [lazy(p, compiler, self.plan.schema) for p in self.predicates]
        time = col(self.plan.time_column) if self.plan.time_column else None
        projections: list[exp.Expr] = []
        for i, condition in enumerate(conditions):
            projections.append(exp.Alias(this=exp.Count(this=_when(condition, lit(1))), alias=ident(f"n{i}")))
            for name, fn in (("first", exp.Min), ("last", exp.Max)):
                value: exp.Expr = fn(this=_when(condition, time)) if time is not None else exp.Null()
                projections.append(exp.Alias(this=value, alias=ident(f"{name}{i}")))
        anchors = prefilter(self.predicates, self.plan.schema)
        where = compiler.compile(anchors) if anchors is not None else exp.false()
        return _wrap(self.plan.filtered).where(where).select(*projections, append=False)

    def entities_sql(self, predicate: ir.Predicate, columns: Sequence[str], top: int) -> exp.Select:
        """The ``top`` most frequent non-blank values of each of ``columns`` among the rows ``predicate``
        flags: rows ``(column index, value as text, rows)``, most rows first within a column."""
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        values = [cast(resolve(c, self.plan.schema).expression, "VARCHAR") for c in columns]
        names = [f"v{i}" for i in range(len(columns))]
        flags = [f"g{i}" for i in range(len(columns))]
        inner = _wrap(self.plan.filtered).where(compiler.compile(predicate))
        inner = inner.select(*[exp.Alias(this=v, alias=ident(n)) for v, n in zip(values, names)], append=False)
        grouped = (
            exp.select(
                *[col(n) for n in names],
                *[
                    exp.Alias(this=exp.Anonymous(this="GROUPING", expressions=[col(n)]), alias=ident(f))
                    for n, f in zip(names, flags)
                ],
                exp.Alias(this=exp.Count(this=exp.Star()), alias=ident("n")),
            )
            .from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=ident("e"))))
            .group_by(exp.GroupingSets(expressions=[exp.Paren(this=col(n)) for n in names]))
        )
        # which column a grouped row is about: the one whose GROUPING() flag is 0
        which = exp.Case(ifs=[exp.If(this=exp.EQ(this=col(f), expression=lit(0)), true=lit(i)) for i, f in enumerate(flags)])
        value = exp.Coalesce(this=col(names[0]), expressions=[col(n) for n in names[1:]]) if len(names) > 1 else col(names[0])
        # blank values (NULLs, empty strings) are no entity: dropped before ranking, so they take no place
        present = exp.and_(
            exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())),
            exp.NEQ(this=exp.Trim(this=value.copy()), expression=lit("")),
        )
        order = exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=value.copy())])
        rank = exp.Window(this=exp.RowNumber(), partition_by=[which.copy()], order=order)
        ranked = (
            exp.select(
                exp.Alias(this=which, alias=ident("c")),
                exp.Alias(this=value, alias=ident("v")),
                col("n"),
                exp.Alias(this=rank, alias=ident("r")),
            )
            .from_(exp.Subquery(this=grouped, alias=exp.TableAlias(this=ident(_GROUPED))))
            .where(present)
        )
        return (
            exp.select(col("c"), col("v"), col("n"))
            .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=ident("ranked"))))
            .where(exp.LTE(this=col("r"), expression=lit(int(top))))
            .order_by(col("c"), exp.Ordered(this=col("n"), desc=True), col("v"))
        )


# -------------------------------------------------------------------------------------- lazy conditions
def lazy(predicate: ir.Predicate, compiler: PredicateCompiler, schema: Schema) -> exp.Expr:
    """A predicate as a value that stops at the first false term of an ``and`` (the first true one of an
    ``or``): nested ``CASE``, the cheapest terms first (plain equalities before text tests, JSON paths,
    regular expressions and networks). In a ``WHERE``, DuckDB cuts conjunctions short by itself; in a
    select list it computes every term of an ``AND`` on every row. Equal to the plain predicate: its terms
    are never NULL (each is ``COALESCE(..., FALSE)``)."""
    if isinstance(predicate, ir.And):
        items = sorted(predicate.items, key=lambda p: _cost(p, schema))
        result = lazy(items[-1], compiler, schema)
        for item in reversed(items[:-1]):
            result = exp.Case(ifs=[exp.If(this=lazy(item, compiler, schema), true=result)], default=exp.false())
        return result
    if isinstance(predicate, ir.Or):
        items = sorted(predicate.items, key=lambda p: _cost(p, schema))
        result = lazy(items[-1], compiler, schema)
        for item in reversed(items[:-1]):
            result = exp.Case(ifs=[exp.If(this=lazy(item, compiler, schema), true=exp.true())], default=result)
        return result
    if isinstance(predicate, ir.Not):
        return exp.Not(this=exp.Paren(this=lazy(predicate.item, compiler, schema)))
    return compiler.compile(predicate)


def _cost(predicate: ir.Predicate, schema: Schema) -> int:
    """How dear a term is to test, roughly: 0 an equality or list on a plain column ... 4 a search."""
    if isinstance(predicate, (ir.And, ir.Or)):
        return max((_cost(p, schema) for p in predicate.items), default=0)
    if isinstance(predicate, ir.Not):
        return _cost(predicate.item, schema)
    if isinstance(predicate, ir.Search):
        return 4
    path = 0 if _plain(getattr(predicate, "column", ""), schema) else 2
    if isinstance(predicate, (ir.Compare, ir.InList, ir.Blank, ir.Between)):
        return path
    if isinstance(predicate, ir.TextMatch):
        return path + 1
    return path + 2  # regular expressions, networks


# ----------------------------------------------------------------------------------------------- anchors
ANCHOR_COLUMNS = ("eventName", "event", "eventSource", "action", "program")  # the most telling first


def anchor(predicate: ir.Predicate, schema: Schema) -> ir.Predicate | None:
    """A cheap condition every row ``predicate`` flags meets: an equality (or ``in`` list) on a plain column
    among the terms it ``and``s together (on one of ``ANCHOR_COLUMNS`` when it has one), the anchors of every
    branch of an ``or``; None when there is none (the predicate must then be tested as it is)."""
    if isinstance(predicate, ir.Compare) and predicate.op == "=" and predicate.value is not None:
        if _plain(predicate.column, schema):
            return ir.InList(predicate.column, (predicate.value,), case_sensitive=predicate.case_sensitive)
        return None
    if isinstance(predicate, ir.InList) and not predicate.negate and _plain(predicate.column, schema):
        return predicate
    if isinstance(predicate, ir.And):
        found = [a for a in (anchor(item, schema) for item in predicate.items) if a is not None]
        return min(found, key=_preference) if found else None
    if isinstance(predicate, ir.Or):
        branches = [anchor(item, schema) for item in predicate.items]
        if any(b is None for b in branches):
            return None
        return ir.Or(tuple(b for b in branches if b is not None))
    return None


def prefilter(predicates: Sequence[ir.Predicate], schema: Schema) -> ir.Predicate | None:
    """What a row must meet for any of the predicates to flag it: their anchors, the ``in`` lists of one
    column (and case rule) merged, and the predicates without an anchor as they are; None for no predicate."""
    lists: dict[tuple[str, bool], dict[ir.Scalar, None]] = {}
    others: list[ir.Predicate] = []
    for predicate in predicates:
        found = anchor(predicate, schema)
        for part in _branches(found) if found is not None else [predicate]:
            if isinstance(part, ir.InList) and found is not None:
                lists.setdefault((part.column, part.case_sensitive), {}).update(dict.fromkeys(part.values))
            else:
                others.append(part)
    merged: list[ir.Predicate] = [
        ir.InList(column, tuple(values), case_sensitive=cased) for (column, cased), values in lists.items()
    ]
    parts = merged + others
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ir.Or(tuple(parts))


def _branches(predicate: ir.Predicate) -> list[ir.Predicate]:
    if isinstance(predicate, ir.Or):
        return [leaf for item in predicate.items for leaf in _branches(item)]
    return [predicate]


def _plain(name: str, schema: Schema) -> bool:
    try:
        return not resolve(name, schema).json_path
    except InvalidQuery:
        return False


def _preference(predicate: ir.Predicate) -> tuple[int, int]:
    column = predicate.column if isinstance(predicate, ir.InList) else ""
    rank = ANCHOR_COLUMNS.index(column) if column in ANCHOR_COLUMNS else len(ANCHOR_COLUMNS)
    size = len(predicate.values) if isinstance(predicate, ir.InList) else 1 << 30
    return rank, size


def _when(condition: exp.Expr, value: exp.Expr) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=condition.copy(), true=value.copy())])


def _grouping(name: str, alias: str) -> exp.Expr:
    return exp.Alias(this=exp.Anonymous(this="GROUPING", expressions=[col(name)]), alias=ident(alias))


# ------------------------------------------------------------------------------------ correlation groups
@dataclass(frozen=True)
class WindowScan:
    """The groups of a counting correlation (``event_count``, ``value_count``, ``value_sum`` with ``>`` or
    ``>=``) that may have a flagged window, found by the engine: each event's measure over the events of its
    group from its time to ``timespan`` seconds later (a window function), kept where it passes.

    It only narrows which groups' events are read into the exact windowing (:func:`logsheet.detect.sigma.evaluate`),
    so it errs on the side of more: group keys are compared lower-cased (as the windowing compares them, for
    ASCII), a key with a character outside ASCII is reported as such (Python's case folding can join what
    lower-casing keeps apart), a window's frame includes the events at its first event's time, sums are
    compared with a little slack for floating-point rounding. ``members``: per member rule, its predicate, its group-by columns
    and its counted column."""

    plan: ViewPlan
    members: tuple[tuple[ir.Predicate, tuple[str, ...], str], ...]
    kind: str
    count: float
    timespan: int

    def candidates_sql(self) -> exp.Select:
        """Rows of the candidate groups' keys, lower-cased text (``k0``, ``k1``, ...), each once, and ``x``:
        whether the key holds a character outside ASCII (then the caller cannot narrow by key: Python's case
        folding may join it with another key, ``straße`` with ``STRASSE``)."""
        assert self.plan.time_column, "a correlation needs a time column"
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        width = len(self.members[0][1])
        keys = [f"k{i}" for i in range(width)]
        branches: list[exp.Select] = []
        for predicate, group, value in self.members:
            texts = [cast(resolve(g, self.plan.schema).expression, "VARCHAR") for g in group]
            present = [
                exp.and_(exp.Not(this=exp.Is(this=t.copy(), expression=exp.Null())), exp.NEQ(this=t.copy(), expression=lit("")))
                for t in texts
            ]
            counted: exp.Expr = resolve(value, self.plan.schema).expression if value else exp.Null()
            if self.kind == "value_sum":
                counted = cast(counted, "DOUBLE", safe=True)
            elif self.kind == "value_count":
                counted = exp.Nullif(this=cast(counted, "VARCHAR"), expression=lit(""))  # a blank is no value
            exotic = exp.or_(*[exp.RegexpLike(this=t.copy(), expression=lit("[^\\x00-\\x7f]")) for t in texts])
            branch = _wrap(self.plan.filtered).where(exp.and_(compiler.compile(predicate), *present))
            branches.append(
                branch.select(
                    *[exp.Alias(this=exp.Lower(this=t), alias=ident(k)) for t, k in zip(texts, keys)],
                    exp.Alias(this=col(self.plan.time_column), alias=ident("t")),
                    exp.Alias(this=counted, alias=ident("v")),
                    exp.Alias(this=exotic, alias=ident("x")),
                    append=False,
                )
            )
        events: exp.Expr = branches[0]
        for other in branches[1:]:
            events = exp.Union(this=events, expression=other, distinct=False)
        measure = {
            "event_count": exp.Count(this=exp.Star()),
            "value_sum": exp.Sum(this=col("v")),
            "value_count": exp.Count(this=exp.Distinct(expressions=[col("v")])),
        }[self.kind]
        frame = exp.WindowSpec(
            kind="RANGE",
            start="CURRENT ROW",
            end=exp.Interval(this=lit(str(int(self.timespan))), unit=exp.Var(this="SECOND")),
            end_side="FOLLOWING",
        )
        window = exp.Window(
            this=measure,
            partition_by=[col(k) for k in keys],
            order=exp.Order(expressions=[exp.Ordered(this=col("t"))]),
            spec=frame,
        )
        measured = exp.select(*[col(k) for k in keys], col("x"), exp.Alias(this=window, alias=ident("m")))
        measured = measured.from_(exp.Subquery(this=events, alias=exp.TableAlias(this=ident("e"))))
        slack = abs(self.count) * 1e-9 + 1e-9 if self.kind == "value_sum" else 0.0
        passes = exp.GTE(this=col("m"), expression=lit(self.count - slack))
        return (
            exp.select(*[col(k) for k in keys], col("x"))
            .distinct()
            .from_(exp.Subquery(this=measured, alias=exp.TableAlias(this=ident("w"))))
            .where(exp.or_(passes, col("x")))
        )
