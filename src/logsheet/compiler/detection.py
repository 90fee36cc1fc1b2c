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

The rules that flagged rows are read again, all together, for their entities (:meth:`RuleScan.entities_sql`):
the most frequent values of each entity kind among each rule's rows, in one more read.

Where the engine can keep a result for the run (DuckDB), the pass over the sheet is :class:`Stage` instead:
the rows some rule flags, each with every rule's flag and the columns the later reads need; the counts, the
entities and the correlations' windows (:class:`WindowScan`) then read those rows, with each rule's flag as
its predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from logsheet.compiler import ViewPlan, _wrap
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.compiler.relation import Relation
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.columns import ROWID, SOURCE, SYSTEM_COLUMNS
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.core.sqlnames import cast, col, ident, lit


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

    def entities_sql(self, columns: Sequence[tuple[int, str]], top: int) -> exp.Select:
        """The ``top`` most frequent non-blank values of each entity kind among the rows each rule flags, for
        every rule at once, in one pass: rows ``(rule index, kind, value as text, rows)``, most rows first
        within a rule and kind (ties by value). ``columns``: (kind index, column) pairs; a kind's columns count
        together.

        The rows any rule may flag (the anchors) are read once, with each rule's flag and the entity values;
        they are first grouped on those (log rows repeat the same principals and addresses, so this is small),
        then put one per rule and one per value, and counted."""
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        flags = [f"f{i}" for i in range(len(self.predicates))]
        names = [f"v{i}" for i in range(len(columns))]
        values = [cast(resolve(c, self.plan.schema).expression, "VARCHAR") for _, c in columns]
        conditions = [lazy(p, compiler, self.plan.schema) for p in self.predicates]
        anchors = prefilter(self.predicates, self.plan.schema)
        where = compiler.compile(anchors) if anchors is not None else exp.false()
        rows = _wrap(self.plan.filtered).where(where)
        rows = rows.select(
            *[_as(c, f) for c, f in zip(conditions, flags)], *[_as(v, n) for v, n in zip(values, names)], append=False
        )
        grouped = (
            exp.select(*[col(f) for f in flags], *[col(n) for n in names], _as(exp.Count(this=exp.Star()), "w"))
            .from_(exp.Subquery(this=rows, alias=exp.TableAlias(this=ident("r"))))
            .group_by(*[col(f) for f in flags], *[col(n) for n in names])
        )
        per_rule: exp.Expr | None = None
        for i, flag in enumerate(flags):
            branch = exp.select(_as(lit(i), "rule"), *[col(n) for n in names], col("w")).from_(_table("grouped")).where(col(flag))
            per_rule = branch if per_rule is None else exp.Union(this=per_rule, expression=branch, distinct=False)
        assert per_rule is not None, "entities of no rule"
        per_value: exp.Expr | None = None
        for (kind, _), name in zip(columns, names):
            present = exp.and_(
                exp.Not(this=exp.Is(this=col(name), expression=exp.Null())),
                exp.NEQ(this=exp.Trim(this=col(name)), expression=lit("")),
            )
            branch = (
                exp.select(col("rule"), _as(lit(int(kind)), "c"), _as(col(name), "v"), col("w"))
                .from_(_table("per_rule"))
                .where(present)
            )
            per_value = branch if per_value is None else exp.Union(this=per_value, expression=branch, distinct=False)
        assert per_value is not None, "no entity column"
        counted = (
            exp.select(col("rule"), col("c"), col("v"), _as(exp.Sum(this=col("w")), "n"))
            .from_(_table("per_value"))
            .group_by(col("rule"), col("c"), col("v"))
        )
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[col("rule"), col("c")],
            order=exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=col("v"))]),
        )
        ranked = exp.select(exp.Star(), _as(rank, "rk")).from_(_table("counted"))
        final = (
            exp.select(col("rule"), col("c"), col("v"), col("n"))
            .from_(exp.Subquery(this=ranked, alias=exp.TableAlias(this=ident("ranked"))))
            .where(exp.LTE(this=col("rk"), expression=lit(int(top))))
        )
        kept = ("grouped", "per_rule") if self.plan.dialect.name == "duckdb" else ()
        for name, body in (("grouped", grouped), ("per_rule", per_rule), ("per_value", per_value), ("counted", counted)):
            final = final.with_(name, as_=body, materialized=True if name in kept else None)
        return final


# ----------------------------------------------------------------------------------------------- stage
FLAG = "__rule{}"  # the staged column of rule i's flag


@dataclass(frozen=True)
class Stage:
    """The rows some rule flags, written out once so that every later read (counts, entities, correlation
    windows) reads them instead of the sheet: per row ``__rowid``, ``__source``, the time column, each rule's
    flag (``__rule0``, ``__rule1``, ...) and ``columns`` (entities, group keys, counted values) as the sheet
    resolves them (a JSON path is its text), under their own names.

    Rules over ``plan`` (a sheet's unfiltered view) are its ``predicates``; :meth:`flags` are the same rules
    over the staged rows, flag for flag, and the staged rows are :meth:`schema`. The scan cuts rows by the
    rules' anchors first, as :meth:`RuleScan.counts_sql` does, and keeps the rows with a flag."""

    plan: ViewPlan
    predicates: tuple[ir.Predicate, ...]
    columns: tuple[str, ...]

    def schema(self) -> Schema:
        schema = self.plan.schema
        kept = [Column(self.plan.time_column, resolve(self.plan.time_column, schema).type)] if self.plan.time_column else []
        kept += [Column(FLAG.format(i), "boolean") for i in range(len(self.predicates))]
        kept += [Column(name, resolve(name, schema).type) for name in self._names()]
        return Schema(kept)

    def flags(self) -> tuple[ir.Predicate, ...]:
        return tuple(ir.Compare(FLAG.format(i), "=", True) for i in range(len(self.predicates)))

    def view(self, table: exp.Expr) -> ViewPlan:
        """The staged rows, once :meth:`statement`'s result is kept as ``table``, as a view to run the later reads on."""
        schema = self.schema()
        rows = exp.select(*[col(c) for c in (*SYSTEM_COLUMNS, *schema.names())]).from_(table)
        return ViewPlan(ir.Query(), schema, [], self.plan.dialect, self.plan.time_column, relation=Relation(rows, schema))

    def clashes(self) -> bool:
        """Whether a kept column's name is a flag's (then the rows cannot be staged under these names)."""
        flags = {FLAG.format(i).casefold() for i in range(len(self.predicates))}
        return any(name.casefold() in flags for name in (*self._names(), self.plan.time_column or ""))

    def statement(self) -> exp.Select:
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        flags = [FLAG.format(i) for i in range(len(self.predicates))]
        anchors = prefilter(self.predicates, self.plan.schema)
        where = compiler.compile(anchors) if anchors is not None else exp.false()
        time = [col(self.plan.time_column)] if self.plan.time_column else []
        values = [_as(resolve(name, self.plan.schema).expression, name) for name in self._names()]
        rows = _wrap(self.plan.filtered).where(where)
        rows = rows.select(
            col(ROWID),
            col(SOURCE),
            *time,
            *[_as(lazy(p, compiler, self.plan.schema), f) for p, f in zip(self.predicates, flags)],
            *values,
            append=False,
        )
        return (
            exp.select(exp.Star())
            .from_(exp.Subquery(this=rows, alias=exp.TableAlias(this=ident("r"))))
            .where(exp.or_(*[col(f) for f in flags]) if flags else exp.false())
        )

    def _names(self) -> list[str]:
        return [n for n in dict.fromkeys(self.columns) if n != self.plan.time_column and n not in (ROWID, SOURCE)]


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
        keys = self._keys()
        window = exp.Window(this=self._measure(), partition_by=[col(k) for k in keys], order=_by(col("t")), spec=self._frame())
        measured = exp.select(*[col(k) for k in keys], col("x"), exp.Alias(this=window, alias=ident("m")))
        measured = measured.from_(exp.Subquery(this=self._events(), alias=exp.TableAlias(this=ident("e"))))
        slack = abs(self.count) * 1e-9 + 1e-9 if self.kind == "value_sum" else 0.0
        passes = exp.GTE(this=col("m"), expression=lit(self.count - slack))
        return (
            exp.select(*[col(k) for k in keys], col("x"))
            .distinct()
            .from_(exp.Subquery(this=measured, alias=exp.TableAlias(this=ident("w"))))
            .where(exp.or_(passes, col("x")))
        )

    def windows_sql(self, op: str, entities: Sequence[tuple[int, str]], top: int) -> exp.Select:
        """The flagged windows themselves, exactly as :func:`logsheet.detect.sigma.evaluate` finds them, for an
        ``event_count`` or ``value_count`` compared with ``op`` (``>`` or ``>=``: a measure that only grows as
        events join a window), with their entities, in one statement over the members' rows.

        Number a group's events in time order (1, 2, ...). The window that starts at an event ends at the last
        event at most ``timespan`` seconds later. Events at one time start windows with the same end, the
        widest at the first of them; as the measure only grows, that one holds the others' events and passes
        when any of them does. So the work is per *time* of a group, not per event (``times``: how many events,
        ``s`` the number of the first, ``z`` the number of the last event of its window — both running sums
        over the times and, for the ends, a probe ``timespan`` after each time). Passing windows that share an
        event are one finding (gaps and islands over the times: ``zp``, the furthest end of the passing windows
        of earlier times; a time is in a window when ``max(zp, its own end) >= s``, and starts a new one when
        ``zp < s``). Then the events are joined to their time's window (``i``). Groups are partitioned on the
        hash of their lower-cased key (``h``: numbers, not long ARNs, are sorted).

        Rows: ``anyx`` (whether any event's key holds a character outside ASCII, where lower-casing is not
        Python's case folding, or two keys share a hash: then the caller must window in Python), per window
        ``f0``.. (its group key as the group's first event spells it), ``first``, ``last``, ``rows`` (distinct
        rows), and per entity kind ``c`` its ``top`` most frequent non-blank values ``v`` among the window's
        rows with ``n`` (ties by value); a window without entities has one row with ``c`` NULL, and with no
        window at all there is one row of ``anyx``. ``entities``: (kind index, column) pairs."""
        assert self.kind in ("event_count", "value_count") and op in (">", ">="), "a measure that only grows"
        keys = self._keys()
        names = [f"e{i}" for i in range(len(entities))]
        several = len(self.members) > 1  # then a row two members flag is two events, and counts once
        h, t = col("h"), col("t")
        ctes: list[tuple[str, exp.Expr]] = [("events", self._events([c for _, c in entities], hashed=True))]
        source = "events"
        if self.kind == "value_count":  # the distinct values from each time to timespan later (a RANGE frame)
            frame = exp.Window(this=self._measure(), partition_by=[h.copy()], order=_by(t.copy()), spec=self._frame())
            ctes.append(("measured", exp.select(exp.Star(), _as(frame, "mv")).from_(_table("events"))))
            source = "measured"
        per_time = [_as(exp.Count(this=exp.Star()), "n")]
        if self.kind == "value_count":
            per_time.append(_as(exp.Max(this=col("mv")), "mv"))
        ctes.append(("times", exp.select(h.copy(), t.copy(), *per_time).from_(_table(source)).group_by(h.copy(), t.copy())))
        later = exp.Add(this=t.copy(), expression=exp.Interval(this=lit(str(int(self.timespan))), unit=exp.Var(this="SECOND")))
        points = exp.Union(
            this=exp.select(h.copy(), t.copy(), _as(lit(0), "p"), col("n"), _as(t.copy(), "q")).from_(_table("times")),
            expression=exp.select(h.copy(), _as(later, "t"), _as(lit(1), "p"), _as(lit(0), "n"), _as(t.copy(), "q")).from_(
                _table("times")
            ),
            distinct=False,
        )
        ctes.append(("points", points))
        running = _running(exp.Sum(this=col("n")), h, _by(t.copy(), col("p")))
        ctes.append(("walk", exp.select(h.copy(), col("p"), col("q"), col("n"), _as(running, "run")).from_(_table("points"))))
        first = exp.Add(this=exp.Sub(this=exp.column("run", "a"), expression=exp.column("n", "a")), expression=lit(1))
        bounds = (
            exp.select(
                exp.column("h", "a"),
                _as(exp.column("q", "a"), "t"),
                _as(first, "s"),
                _as(exp.column("run", "b"), "z"),
            )
            .from_(exp.alias_(_table("walk"), "a", table=True))
            .join(
                exp.alias_(_table("walk"), "b", table=True),
                on=exp.and_(
                    _same("h", "a", "b"),
                    _same("q", "a", "b"),
                    exp.EQ(this=exp.column("p", "a"), expression=lit(0)),
                    exp.EQ(this=exp.column("p", "b"), expression=lit(1)),
                ),
            )
        )
        ctes.append(("bounds", bounds))
        measure = (
            exp.Add(this=exp.Sub(this=exp.column("z", "d"), expression=exp.column("s", "d")), expression=lit(1))
            if self.kind == "event_count"
            else exp.column("mv", "m")
        )
        compare = exp.GT if op == ">" else exp.GTE
        passing = exp.Case(ifs=[exp.If(this=compare(this=measure, expression=lit(self.count)), true=exp.column("z", "d"))])
        flagged = (
            exp.select(exp.column("h", "m"), exp.column("t", "m"), exp.column("n", "m"), exp.column("s", "d"), _as(passing, "zf"))
            .from_(exp.alias_(_table("times"), "m", table=True))
            .join(exp.alias_(_table("bounds"), "d", table=True), on=exp.and_(_same("h", "m", "d"), _same("t", "m", "d")))
        )
        ctes.append(("flagged", flagged))
        earlier = exp.Window(
            this=exp.Max(this=col("zf")),
            partition_by=[h.copy()],
            order=_by(t.copy()),
            spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end=lit(1), end_side="PRECEDING"),
        )
        ctes.append(
            (
                "reached",
                exp.select(exp.Star(), _as(exp.Coalesce(this=earlier, expressions=[lit(0)]), "zp")).from_(_table("flagged")),
            )
        )
        reach = exp.Greatest(this=col("zp"), expressions=[exp.Coalesce(this=col("zf"), expressions=[lit(0)])])
        starts = exp.Case(ifs=[exp.If(this=exp.LT(this=col("zp"), expression=col("s")), true=lit(1))], default=lit(0))
        windowed = (
            exp.select(h.copy(), t.copy(), col("n"), _as(_running(exp.Sum(this=starts), h, _by(t.copy())), "i"))
            .from_(_table("reached"))
            .where(exp.GTE(this=reach, expression=col("s")))
        )
        ctes.append(("windowed", windowed))
        inside = (
            exp.select(exp.Column(this=exp.Star(), table=ident("e")), exp.column("i", "w"))
            .from_(exp.alias_(_table("events"), "e", table=True))
            .join(exp.alias_(_table("windowed"), "w", table=True), on=exp.and_(_same("h", "e", "w"), _same("t", "e", "w")))
        )
        ctes.append(("inside", inside))
        window_of = [h.copy(), col("i")]
        rows = exp.Count(this=exp.Distinct(expressions=[col("r")])) if several else exp.Sum(this=col("n"))
        counts = (
            exp.select(
                *_copies(window_of), _as(exp.Min(this=t.copy()), "first"), _as(exp.Max(this=t.copy()), "last"), _as(rows, "rows")
            )
            .from_(_table("inside" if several else "windowed"))
            .group_by(*_copies(window_of))
        )
        # the key as the group's first event (in time, row id, member order) spells it
        order = exp.Window(
            this=exp.RowNumber(), partition_by=[exp.column("h", "e")], order=_by(exp.column("r", "e"), exp.column("m", "e"))
        )
        opening = exp.select(h.copy(), _as(exp.Min(this=t.copy()), "t")).from_(_table("events")).group_by(h.copy())
        at_first = (
            exp.select(exp.Column(this=exp.Star(), table=ident("e")), _as(order, "rn"))
            .from_(exp.alias_(_table("events"), "e", table=True))
            .join(
                exp.alias_(exp.Subquery(this=opening), "o", table=True), on=exp.and_(_same("h", "e", "o"), _same("t", "e", "o"))
            )
        )
        spelled = (
            exp.select(h.copy(), *[_as(col(f"g{i}"), f"f{i}") for i in range(len(keys))])
            .from_(exp.Subquery(this=at_first, alias=exp.TableAlias(this=ident("af"))))
            .where(exp.EQ(this=col("rn"), expression=lit(1)))
        )
        summary = (
            exp.select(
                exp.column("h", "c"),
                exp.column("i", "c"),
                *[exp.column(f"f{i}", "sp") for i in range(len(keys))],
                *[exp.column(name, "c") for name in ("first", "last", "rows")],
            )
            .from_(exp.alias_(exp.Subquery(this=counts), "c", table=True))
            .join(exp.alias_(exp.Subquery(this=spelled), "sp", table=True), on=_same("h", "sp", "c"))
        )
        ctes.append(("summary", summary))
        # anyx: a key outside ASCII, or two keys with one hash (then too the windows are found in Python)
        exotic = exp.Max(this=exp.Case(ifs=[exp.If(this=col("x"), true=lit(1))], default=lit(0)))
        distinct_keys = exp.select(h.copy(), *[col(k) for k in keys]).distinct().from_(_table("events"))
        clash = exp.GT(
            this=exp.Subquery(
                this=exp.select(exp.Count(this=exp.Star())).from_(
                    exp.Subquery(this=distinct_keys, alias=exp.TableAlias(this=ident("dk")))
                )
            ),
            expression=exp.Subquery(
                this=exp.select(exp.Count(this=exp.Distinct(expressions=[h.copy()]))).from_(_table("events"))
            ),
        )
        flag = exp.Greatest(this=exotic, expressions=[exp.Case(ifs=[exp.If(this=clash, true=lit(1))], default=lit(0))])
        ctes.append(("flag", exp.select(_as(flag, "anyx")).from_(_table("events"))))
        final = exp.select(
            exp.column("anyx", "q"),
            *[exp.column(f"f{i}", "w") for i in range(len(keys))],
            *[exp.column(name, "w") for name in ("first", "last", "rows")],
        ).from_(exp.alias_(_table("flag"), "q", table=True))
        final = final.join(exp.alias_(_table("summary"), "w", table=True), on=exp.true(), join_type="left")
        if entities:
            ctes += self._window_entities(window_of, names, [kind for kind, _ in entities], several, top)
            joined = exp.and_(_same("h", "b", "w"), _same("i", "b", "w"))
            final = final.join(exp.alias_(_table("best"), "b", table=True), on=joined, join_type="left")
            final = final.select(exp.column("c", "b"), exp.column("v", "b"), exp.column("n", "b"))
        else:
            final = final.select(_as(exp.Null(), "c"), _as(exp.Null(), "v"), _as(exp.Null(), "n"))
        # computed once, not once per reader (DuckDB inlines a CTE unless told; Spark has no such word)
        kept = ("events", "inside") if self.plan.dialect.name == "duckdb" else ()
        for name, body in ctes:
            final = final.with_(name, as_=body, materialized=True if name in kept else None)
        return final

    @staticmethod
    def _window_entities(
        window_of: Sequence[exp.Expr], names: Sequence[str], kinds: Sequence[int], several: bool, top: int
    ) -> list[tuple[str, exp.Expr]]:
        """The CTEs of each window's most frequent entity values (``best``: ``h``, ``i``, ``c``, ``v``, ``n``)."""
        # the window's rows, one per distinct set of entity values with how many rows hold it (``w``), before
        # the values are put one per row: log rows repeat the same few principals and addresses
        rows: exp.Expr = _table("inside")
        if several:  # a row two members flag counts once
            distinct = exp.select(*_copies(window_of), col("r"), *[col(n) for n in names]).distinct().from_(_table("inside"))
            rows = exp.Subquery(this=distinct, alias=exp.TableAlias(this=ident("d")))
        grouped = (
            exp.select(*_copies(window_of), *[col(n) for n in names], _as(exp.Count(this=exp.Star()), "w"))
            .from_(rows)
            .group_by(*_copies(window_of), *[col(n) for n in names])
        )
        values: exp.Expr | None = None
        for kind, name in zip(kinds, names):
            present = exp.and_(
                exp.Not(this=exp.Is(this=col(name), expression=exp.Null())),
                exp.NEQ(this=exp.Trim(this=col(name)), expression=lit("")),
            )
            branch = (
                exp.select(*_copies(window_of), _as(lit(int(kind)), "c"), _as(col(name), "v"), col("w"))
                .from_(_table("entity_rows"))
                .where(present)
            )
            values = branch if values is None else exp.Union(this=values, expression=branch, distinct=False)
        assert values is not None
        counted = (
            exp.select(*_copies(window_of), col("c"), col("v"), _as(exp.Sum(this=col("w")), "n"))
            .from_(_table("entity_values"))
            .group_by(*_copies(window_of), col("c"), col("v"))
        )
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[*_copies(window_of), col("c")],
            order=exp.Order(expressions=[exp.Ordered(this=col("n"), desc=True), exp.Ordered(this=col("v"))]),
        )
        ranked = exp.select(exp.Star(), _as(rank, "rk")).from_(_table("counted"))
        best = exp.select(exp.Star()).from_(_table("ranked")).where(exp.LTE(this=col("rk"), expression=lit(int(top))))
        return [("entity_rows", grouped), ("entity_values", values), ("counted", counted), ("ranked", ranked), ("best", best)]

    # ------------------------------------------------------------------------------------------ parts
    def _keys(self) -> list[str]:
        return [f"k{i}" for i in range(len(self.members[0][1]))]

    def _events(self, entity_columns: Sequence[str] = (), hashed: bool = False) -> exp.Expr:
        """Every member's events: ``k0``.. (the group key lower-cased), ``g0``.. (as stored), ``t`` (time),
        ``v`` (the counted value), ``r`` (row id), ``m`` (the member's index), ``x`` (a key outside ASCII) and
        ``e0``.. (``entity_columns`` as text), and with ``hashed`` ``h``, the hash of the lower-cased key; rows
        without a time or with a blank key are no event."""
        assert self.plan.time_column, "a correlation needs a time column"
        compiler = PredicateCompiler(self.plan.schema, self.plan.dialect)
        keys = self._keys()
        entities = [cast(resolve(c, self.plan.schema).expression, "VARCHAR") for c in entity_columns]
        branches: list[exp.Select] = []
        for index, (predicate, group, value) in enumerate(self.members):
            stored = [resolve(g, self.plan.schema).expression for g in group]
            texts = [cast(g.copy(), "VARCHAR") for g in stored]
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
            timed = exp.Not(this=exp.Is(this=col(self.plan.time_column), expression=exp.Null()))
            branch = _wrap(self.plan.filtered).where(exp.and_(compiler.compile(predicate), timed, *present))
            branches.append(
                branch.select(
                    *[exp.Alias(this=exp.Lower(this=t), alias=ident(k)) for t, k in zip(texts, keys)],
                    *(
                        (_as(exp.Anonymous(this="HASH", expressions=[exp.Lower(this=t.copy()) for t in texts]), "h"),)
                        if hashed
                        else ()
                    ),
                    *[exp.Alias(this=g, alias=ident(f"g{i}")) for i, g in enumerate(stored)],
                    exp.Alias(this=col(self.plan.time_column), alias=ident("t")),
                    exp.Alias(this=counted, alias=ident("v")),
                    exp.Alias(this=col(ROWID), alias=ident("r")),
                    exp.Alias(this=lit(index), alias=ident("m")),
                    exp.Alias(this=exotic, alias=ident("x")),
                    *[exp.Alias(this=e.copy(), alias=ident(f"e{i}")) for i, e in enumerate(entities)],
                    append=False,
                )
            )
        events: exp.Expr = branches[0]
        for other in branches[1:]:
            events = exp.Union(this=events, expression=other, distinct=False)
        return events

    def _measure(self) -> exp.Expr:
        return {
            "event_count": exp.Count(this=exp.Star()),
            "value_sum": exp.Sum(this=col("v")),
            "value_count": exp.Count(this=exp.Distinct(expressions=[col("v")])),
        }[self.kind]

    def _frame(self) -> exp.WindowSpec:
        return exp.WindowSpec(
            kind="RANGE",
            start="CURRENT ROW",
            end=exp.Interval(this=lit(str(int(self.timespan))), unit=exp.Var(this="SECOND")),
            end_side="FOLLOWING",
        )


def _by(*columns: exp.Expr) -> exp.Order:
    return exp.Order(expressions=[exp.Ordered(this=c) for c in columns])


def _table(name: str) -> exp.Table:
    return exp.Table(this=ident(name))


def _same(column: str, left: str, right: str) -> exp.Expr:
    return exp.EQ(this=exp.column(column, left), expression=exp.column(column, right))


def _running(aggregate: exp.Expr, partition: exp.Expr, order: exp.Order) -> exp.Window:
    """``aggregate`` over the partition's rows up to this one, in ``order``."""
    return exp.Window(
        this=aggregate,
        partition_by=[partition.copy()],
        order=order,
        spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"),
    )


def _as(expression: exp.Expr, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=ident(name))


def _copies(expressions: Sequence[exp.Expr]) -> list[exp.Expr]:
    return [e.copy() for e in expressions]
