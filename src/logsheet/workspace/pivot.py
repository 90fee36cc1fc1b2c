"""The pivot: one value followed across every sheet of a case (``logsheet pivot``, ``/api/.../pivot``).

Which columns hold which kind of entity: a known format declares them (``formats.entity_columns``); a generic
sheet's text columns are sampled (the first :data:`SAMPLE_ROWS` rows) and classified by value shape
(:mod:`logsheet.analysis.entity_shapes`), remembered per sheet version. A pivot keeps the rows that hold the
value in one of those columns, exactly, except for user names and hosts, compared without case (IAM user
names and host names are unique regardless of case; ARNs, keys, ids and addresses are compared as written);
with ``anywhere``, the rows that hold it anywhere (the search's semantics: a case-insensitive substring of any
column). Per sheet: its rows and first and last time (one grouped pass), and the related entities (a second
pass, only on sheets with rows): per kind, the other values in those rows with the number of rows, summed over
the sheets, the most first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from logsheet.analysis.entity_shapes import column_kind, value_kind
from logsheet.compiler.detection import RuleScan
from logsheet.compiler.pivot import related_sql
from logsheet.core import ir
from logsheet.core.errors import LogsheetError
from logsheet.detect.findings import iso
from logsheet.engines.base import DEFAULT_TIMEOUT
from logsheet.ingest import formats
from logsheet.store.catalog import SheetRecord
from logsheet.store.totals import Remembered, sheet_key

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

SAMPLE_ROWS = 1000
DEFAULT_TOP = 10
MAX_TOP = 1000
MAX_VALUE = 1000  # characters
CASELESS_KINDS = frozenset({"user", "host"})

_shapes: Remembered[dict[str, tuple[str, ...]]] = Remembered()


@dataclass(frozen=True)
class SheetHits:
    """One sheet's rows holding the value, and the filter that shows them (IR JSON, for the UI's links)."""

    sheet: str
    rows: int
    first_seen: datetime | None
    last_seen: datetime | None
    where: ir.Predicate

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "rows": self.rows, "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen)}


@dataclass(frozen=True)
class Pivot:
    """A pivot's result: the value, its kind (by shape, else by the columns holding it; None when unknown),
    the case, the sheets holding it (most rows first) and the related entities per kind."""

    value: str
    kind: str | None
    case: str
    anywhere: bool
    sheets: list[SheetHits]
    related: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sheets)

    def to_json(self) -> dict[str, Any]:
        """The CLI contract: ``value``, ``sheets`` ({sheet, rows, first_seen, last_seen}), ``related`` (kind →
        [{value, rows}]), with the ``kind`` and ``case`` beside them."""
        return {
            "value": self.value,
            "kind": self.kind,
            "case": self.case,
            "sheets": [s.to_json() for s in self.sheets],
            "related": {k: [{"value": v, "rows": n} for v, n in items] for k, items in self.related.items()},
        }


def sheet_entities(ws: Workspace, record: SheetRecord) -> dict[str, tuple[str, ...]]:
    """Per entity kind, the sheet's columns holding it: the format's, or by the shape of sampled values."""
    declared = formats.entity_columns(record.format, record.schema.names())
    if declared:
        return declared
    return _shapes.remember((str(ws.root), *sheet_key(record, "entities")), lambda: _by_shape(ws, record))


def _by_shape(ws: Workspace, record: SheetRecord) -> dict[str, tuple[str, ...]]:
    text = tuple(c.name for c in record.schema if c.type == "text")
    if not text or not record.row_count:
        return {}
    page = ws.query(record.name, ir.Query(columns=text), limit=SAMPLE_ROWS, with_total=False, engine="duckdb")
    found: dict[str, list[str]] = {}
    for i, name in enumerate(text):
        kind = column_kind(row[i] for row in page.rows)
        if kind is not None:
            found.setdefault(kind, []).append(name)
    return {k: tuple(v) for k, v in found.items()}


def pivot_predicate(value: str, columns: dict[str, tuple[str, ...]], anywhere: bool) -> ir.Predicate | None:
    """The rows holding ``value``: in an entity column (or anywhere); None when the sheet has none to look in."""
    if anywhere:
        return ir.Search(value)
    items: list[ir.Predicate] = [
        ir.Compare(c, "=", value, case_sensitive=not _caseless(kind, value)) for kind, names in columns.items() for c in names
    ]
    if not items:
        return None
    return items[0] if len(items) == 1 else ir.Or(tuple(items))


def pivot(
    ws: Workspace,
    value: str,
    case: str | None = None,
    anywhere: bool = False,
    top: int = DEFAULT_TOP,
    engine: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Pivot:
    value = value.strip()
    if not value:
        raise LogsheetError("name a value to pivot on")
    if len(value) > MAX_VALUE:
        raise LogsheetError(f"a pivot's value is at most {MAX_VALUE} characters, not {len(value):,}")
    if not 1 <= top <= MAX_TOP:
        raise LogsheetError(f"--top is 1 to {MAX_TOP}, not {top}")
    chosen = ws.case(case)
    hits: list[SheetHits] = []
    related: dict[str, Counter[str]] = {}
    holding: Counter[str] = Counter()  # the kinds of the columns that hold the value, by rows
    for name in chosen.sheets:
        record = ws.sheet(name)
        if not record.row_count:
            continue
        columns = sheet_entities(ws, record)
        predicate = pivot_predicate(value, columns, anywhere)
        if predicate is None:
            continue
        plan, runner = ws.view(name, engine=engine)
        n, first, last = runner.fetch(RuleScan(plan, (predicate,)).counts_sql(), timeout).rows[0]
        if not n:
            continue
        hits.append(SheetHits(name, int(n), first, last, predicate))
        kinds = list(columns)
        if not kinds:
            continue
        statement = related_sql(plan, predicate, [columns[k] for k in kinds], top + 1)
        for k, found, rows in runner.fetch(statement, timeout).rows:
            kind, text = kinds[int(k)], str(found)
            if _same(text, value, kind):
                holding[kind] += int(rows)
                continue
            related.setdefault(kind, Counter())[text] += int(rows)
    hits.sort(key=lambda h: (-h.rows, h.sheet))
    its_kind = value_kind(value) or (holding.most_common(1)[0][0] if holding else None)
    ranked = {k: sorted(c.items(), key=lambda item: (-item[1], item[0]))[:top] for k, c in related.items()}
    ordered = {k: ranked[k] for k in formats.ENTITY_KINDS if k in ranked}
    return Pivot(value, its_kind, chosen.name, anywhere, hits, ordered)


def _caseless(kind: str, value: str) -> bool:
    """User names and hosts compare without case; an ARN (a ``user`` too) as written."""
    return kind in CASELESS_KINDS and not value.lower().startswith("arn:")


def _same(found: str, value: str, kind: str) -> bool:
    return found.lower() == value.lower() if _caseless(kind, value) else found == value
