"""IOC lists in a workspace: import one, match the lists against every sheet of a case, and resolve the IR's
:class:`~logsheet.core.ir.IocMatch` filter and :class:`~logsheet.core.ir.MarkIoc` column against the lists.

Which columns an indicator is looked for in: the sheet's entity columns of its kind (the ones the pivot uses,
:func:`logsheet.workspace.pivot.sheet_entities`: IPs and networks in ``ip`` columns, user names and ARNs in
``user`` columns, access key ids, instance and account ids in theirs, domains in ``host`` columns), and, for
domains, URLs and hashes, the text columns whose sampled values have that shape. Compared as the logs write
them: addresses, access key, instance and account ids exactly; user names, domains, URLs and hashes without
case; a domain also matches its subdomains (``evil.example`` matches ``a.evil.example``); a network matches
every address inside it.

A match (``logsheet ioc match``) counts per sheet the rows holding an indicator of any chosen list, the rows
per list, their first and last time, and which indicators were found (one pass for the counts, one for the
values), and records a finding per list and sheet (rule ``ioc:LIST``) whose rows are the live filter
``ioc = 'LIST'``, beside the detections' findings.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logsheet.analysis.entity_shapes import MOST
from logsheet.compiler.detection import RuleScan
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.core.sheetnames import default_sheet_name, validate_ioc_list_name
from logsheet.detect import iocs as parse
from logsheet.detect.findings import Finding, finding_id, iso, level_rank
from logsheet.engines.base import DEFAULT_TIMEOUT
from logsheet.store import iocs as store
from logsheet.store.catalog import SheetRecord, now
from logsheet.store.totals import Remembered, sheet_key
from logsheet.workspace.pivot import sheet_entities

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

LEVELS = ("critical", "high", "medium", "low", "informational")
SAMPLE_ROWS = 1000
MAX_VALUES = 10_000  # distinct matching values read back per column
# an indicator kind -> the entity kinds of the columns it is looked for in
LOOKED_IN: dict[str, tuple[str, ...]] = {
    "ip": ("ip",),
    "cidr": ("ip",),
    "user": ("user",),
    "access_key": ("access_key",),
    "instance": ("instance",),
    "account": ("account",),
    "domain": ("host", "domain"),
    "url": ("url",),
    "hash": ("hash",),
}
SHAPED = ("domain", "url", "hash")  # kinds found in a sheet's text columns by the shape of their values
CASELESS = frozenset({"user", "domain", "url", "hash", "ip"})  # ip: IPv6 is written in either case

_shapes: Remembered[dict[str, tuple[str, ...]]] = Remembered()
_loaded: Remembered[dict[str, list[parse.Indicator]]] = Remembered(size=8)


# ------------------------------------------------------------------------------------------------ lists
def import_list(
    ws: Workspace,
    path: str | Path,
    name: str | None = None,
    kind: str | None = None,
    level: str = "high",
    replace: bool = False,
    data: bytes | None = None,
) -> dict[str, Any]:
    """Read an IOC file (or ``data``, its bytes, named ``path``) and store it as list ``name`` (default: the file's
    name without its extension). Returns the list with what was set aside and why."""
    source = Path(path)
    if level not in LEVELS:
        raise LogsheetError(f"--level is one of {', '.join(LEVELS)}, not {level!r}")
    if data is None:
        try:
            size = source.stat().st_size
            if size > parse.MAX_BYTES:
                raise LogsheetError(f"an IOC file is at most {parse.MAX_BYTES // (1024 * 1024)} MiB; {source} is larger")
            data = source.read_bytes()
        except OSError as exc:
            raise LogsheetError(f"cannot read {source}: {exc.strerror or exc}") from None
    list_name = name or default_sheet_name(source)
    validate_ioc_list_name(list_name)
    parsed = parse.parse(data, source.name, kind)
    if not parsed.indicators:
        reasons = "; ".join(f"line {r.line}: {r.reason}" for r in parsed.rejected[:3])
        raise LogsheetError(f"{source.name} holds no indicator logsheet can match" + (f" ({reasons})" if reasons else ""))
    info = {
        "source": source.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "format": parsed.format,
        "level": level,
        "indicators": len(parsed.indicators),
        "by_kind": parsed.by_kind(),
        "duplicates": parsed.duplicates,
        "rejected": parsed.rejected_count,
        "rejects": [r.to_json() for r in parsed.rejected],
        "notes": parsed.notes,
    }
    return store.save(ws.catalog, list_name, info, parsed.indicators, replace).to_json()


def lists(ws: Workspace) -> list[dict[str, Any]]:
    return [x.to_json() for x in store.lists(ws.catalog)]


def indicators(ws: Workspace, name: str) -> list[parse.Indicator]:
    store.get(ws.catalog, name)
    return store.indicators(ws.catalog, name)


def delete_list(ws: Workspace, name: str) -> None:
    if not store.delete(ws.catalog, name):
        store.get(ws.catalog, name)  # names the lists there are


def _all(ws: Workspace) -> dict[str, list[parse.Indicator]]:
    """Every list's indicators, read once per version of the lists."""
    version = store.version(ws.catalog)

    def load() -> dict[str, list[parse.Indicator]]:
        return {x.name: store.indicators(ws.catalog, x.name) for x in store.lists(ws.catalog)}

    return _loaded.remember((str(ws.root), version), load)


def _chosen(ws: Workspace, names: tuple[str, ...]) -> dict[str, list[parse.Indicator]]:
    known = _all(ws)
    for name in names:
        if name not in known:
            shown = ", ".join(repr(n) for n in known) or "none; logsheet ioc import FILE"
            raise NotFound(f"no IOC list named {name!r} (lists: {shown})")
    return {n: known[n] for n in (names or tuple(known))}


# --------------------------------------------------------------------------------------- where to look
def ioc_columns(ws: Workspace, record: SheetRecord) -> dict[str, tuple[str, ...]]:
    """Per entity kind, the sheet's columns an indicator of that kind is looked for in."""
    columns = dict(sheet_entities(ws, record))
    shaped = _shapes.remember((str(ws.root), *sheet_key(record, "ioc-shapes")), lambda: _by_shape(ws, record, columns))
    for kind, names in shaped.items():
        columns[kind] = tuple(dict.fromkeys((*columns.get(kind, ()), *names)))
    return columns


def _by_shape(ws: Workspace, record: SheetRecord, taken: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    used = {c for names in taken.values() for c in names}
    text = tuple(c.name for c in record.schema if c.type == "text" and c.name not in used)
    if not text or not record.row_count:
        return {}
    page = ws.query(record.name, ir.Query(columns=text), limit=SAMPLE_ROWS, with_total=False, engine="duckdb")
    found: dict[str, list[str]] = {}
    for i, name in enumerate(text):
        present = [str(row[i]).strip() for row in page.rows if row[i] is not None and str(row[i]).strip()]
        if not present:
            continue
        kinds = [parse.classify(v) for v in present]
        for kind in SHAPED:
            if sum(k == kind for k in kinds) >= MOST * len(present):
                found.setdefault(kind, []).append(name)
    return {k: tuple(v) for k, v in found.items()}


def list_predicate(found: list[parse.Indicator], columns: dict[str, tuple[str, ...]]) -> ir.Predicate | None:
    """The rows holding one of ``found`` in the columns of its kind; None when the sheet has nowhere to look."""
    by_kind: dict[str, list[str]] = {}
    for item in found:
        by_kind.setdefault(item.kind, []).append(item.value)
    items: list[ir.Predicate] = []
    for kind, values in by_kind.items():
        names = [c for entity in LOOKED_IN[kind] for c in columns.get(entity, ())]
        for column in dict.fromkeys(names):
            if kind == "cidr":
                items += [ir.InCidr(column, v) for v in values]
                continue
            items.append(ir.InList(column, tuple(values), case_sensitive=kind not in CASELESS))
            if kind == "domain":
                items += [ir.TextMatch(column, "ends_with", "." + v, case_sensitive=False) for v in values]
    if not items:
        return None
    return items[0] if len(items) == 1 else ir.Or(tuple(items))


NOTHING: ir.Predicate = ir.Not(ir.Search(""))  # no row: where a sheet has no column to look in


# ------------------------------------------------------------------------------------ resolving views
def uses_iocs(query: ir.Query) -> bool:
    return any(isinstance(s, ir.MarkIoc) for s in query.steps) or _any_ioc(query.where) or _labels_use(query)


def _labels_use(query: ir.Query) -> bool:
    return any(isinstance(s, ir.Labels) and any(_any_ioc(x.when) for x in s.labels) for s in query.steps)


def _any_ioc(node: ir.Predicate | None) -> bool:
    if node is None:
        return False
    if isinstance(node, ir.IocMatch):
        return True
    if isinstance(node, (ir.And, ir.Or)):
        return any(_any_ioc(x) for x in node.items)
    if isinstance(node, ir.Not):
        return _any_ioc(node.item)
    return False


def resolve(ws: Workspace, record: SheetRecord, query: ir.Query) -> ir.Query:
    """``query`` with its IOC filters and columns written out against the lists as they are now."""
    if not uses_iocs(query):
        return query
    columns = ioc_columns(ws, record)

    def matching(names: tuple[str, ...]) -> ir.Predicate:
        chosen = _chosen(ws, names)
        found = [i for items in chosen.values() for i in items]
        return list_predicate(found, columns) or NOTHING

    def rewrite(node: ir.Predicate) -> ir.Predicate:
        if isinstance(node, ir.IocMatch):
            written = matching(node.lists)
            return ir.Not(written) if node.negate else written
        if isinstance(node, ir.And):
            return ir.And(tuple(rewrite(x) for x in node.items))
        if isinstance(node, ir.Or):
            return ir.Or(tuple(rewrite(x) for x in node.items))
        if isinstance(node, ir.Not):
            return ir.Not(rewrite(node.item))
        return node

    steps: list[ir.Step] = []
    for step in query.steps:
        if isinstance(step, ir.MarkIoc):
            chosen = _chosen(ws, step.lists)
            labels = tuple(ir.Label(n, list_predicate(items, columns) or NOTHING) for n, items in chosen.items())
            if not labels:
                raise LogsheetError("there is no IOC list to mark rows with; logsheet ioc import FILE")
            steps.append(ir.Labels(step.name, labels))
        else:
            steps.append(step)
    return query.with_(steps=tuple(steps), where=None if query.where is None else rewrite(query.where))


# ---------------------------------------------------------------------------------------------- matching
@dataclass
class SheetMatch:
    sheet: str
    rows: int
    first_seen: datetime | None
    last_seen: datetime | None
    by_list: dict[str, int]
    hits: list[tuple[str, str, str, int]] = field(default_factory=list)  # (list, kind, indicator, rows)
    unsearched: list[str] = field(default_factory=list)  # indicator kinds the sheet has no column for
    spans: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)  # per list

    @property
    def values(self) -> list[str]:
        return sorted({value for _, _, value, _ in self.hits})

    def to_json(self) -> dict[str, Any]:
        """The CLI contract's ``sheet``, ``rows`` and ``values``, with the rest beside them."""
        return {
            "sheet": self.sheet,
            "rows": self.rows,
            "values": self.values,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "lists": self.by_list,
            "hits": [{"list": n, "kind": k, "value": v, "rows": r} for n, k, v, r in self.hits],
            "not_searched": self.unsearched,
        }


def match(
    ws: Workspace,
    case: str | None = None,
    names: tuple[str, ...] = (),
    engine: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    record_findings: bool = True,
) -> list[SheetMatch]:
    """Every sheet of the case matched against the lists (all when ``names`` is empty), most rows first; with
    ``record_findings`` each list's rows on each sheet are kept as a finding (replacing that list's earlier
    ones on the case's sheets)."""
    chosen = _chosen(ws, names)
    if not chosen:
        raise LogsheetError("there is no IOC list to match; logsheet ioc import FILE")
    out: list[SheetMatch] = []
    for sheet in ws.case(case).sheets:
        record = ws.sheet(sheet)
        if not record.row_count:
            continue
        found = _match_sheet(ws, record, chosen, engine, timeout)
        if record_findings:
            _record(ws, record, chosen, found)
        if found.rows:
            out.append(found)
    return sorted(out, key=lambda m: (-m.rows, m.sheet))


def _match_sheet(
    ws: Workspace, record: SheetRecord, chosen: dict[str, list[parse.Indicator]], engine: str | None, timeout: float | None
) -> SheetMatch:
    columns = ioc_columns(ws, record)
    predicates = {n: list_predicate(items, columns) for n, items in chosen.items()}
    unsearched = sorted({i.kind for items in chosen.values() for i in items if not _has(columns, i.kind)})
    live = {n: p for n, p in predicates.items() if p is not None}
    result = SheetMatch(record.name, 0, None, None, {n: 0 for n in chosen}, unsearched=unsearched)
    if not live:
        return result
    plan, runner = ws.view(record.name, engine=engine)
    every: ir.Predicate = ir.Or(tuple(live.values())) if len(live) > 1 else next(iter(live.values()))
    counts = runner.fetch(RuleScan(plan, (every, *live.values())).counts_sql(), timeout).rows[0]
    result.rows, result.first_seen, result.last_seen = int(counts[0]), counts[1], counts[2]
    for i, name in enumerate(live, start=1):
        result.by_list[name] = int(counts[3 * i])
        result.spans[name] = (counts[3 * i + 1], counts[3 * i + 2])
    if result.rows:
        result.hits = _hits(runner, plan, chosen, live, columns, timeout)
    return result


def _has(columns: dict[str, tuple[str, ...]], kind: str) -> bool:
    return any(columns.get(entity) for entity in LOOKED_IN[kind])


def _hits(
    runner: Any,
    plan: Any,
    chosen: dict[str, list[parse.Indicator]],
    live: dict[str, ir.Predicate],
    columns: dict[str, tuple[str, ...]],
    timeout: float | None,
) -> list[tuple[str, str, str, int]]:
    """(list, kind, indicator, rows) for every indicator found: the matching values of each column read back
    (one pass), then told which indicator they are (an address inside a network, a subdomain of a domain)."""
    wanted: dict[str, set[str]] = {}  # column -> the indicator kinds looked for in it
    for items in chosen.values():
        for item in items:
            for entity in LOOKED_IN[item.kind]:
                for column in columns.get(entity, ()):
                    wanted.setdefault(column, set()).add(item.kind)
    per_column = []
    for column, kinds in wanted.items():
        found = [i for items in chosen.values() for i in items if i.kind in kinds]
        predicate = list_predicate(found, {entity: (column,) for k in kinds for entity in LOOKED_IN[k]})
        if predicate is not None:
            per_column.append((column, predicate))
    if not per_column:
        return []
    scan = RuleScan(plan, tuple(p for _, p in per_column))
    rows = runner.fetch(scan.entities_sql([(i, c) for i, (c, _) in enumerate(per_column)], MAX_VALUES), timeout).rows
    counted: dict[tuple[str, str, str], int] = {}
    for rule, kind, value, n in rows:
        if int(rule) != int(kind):  # predicate i's values in column i only
            continue
        for name, items in chosen.items():
            if name not in live:
                continue
            for item in _which(str(value), items):
                key = (name, item.kind, item.value)
                counted[key] = counted.get(key, 0) + int(n)
    return sorted(((n, k, v, r) for (n, k, v), r in counted.items()), key=lambda h: (h[0], -h[3], h[2]))


def _which(value: str, items: list[parse.Indicator]) -> list[parse.Indicator]:
    """The indicators a column's value is a hit of."""
    text = value.strip()
    lowered = text.lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(text)
    except ValueError:
        address = None
    out = []
    for item in items:
        if item.kind == "cidr":
            if address is not None and address in ipaddress.ip_network(item.value):
                out.append(item)
        elif item.kind == "domain":
            if lowered == item.value or lowered.endswith("." + item.value):
                out.append(item)
        elif item.kind in CASELESS:
            if lowered == item.value.lower():
                out.append(item)
        elif text == item.value:
            out.append(item)
    return out


def _record(ws: Workspace, record: SheetRecord, chosen: dict[str, list[parse.Indicator]], found: SheetMatch) -> None:
    """One finding per list with rows on the sheet (rule ``ioc:LIST``); a list's earlier findings replaced."""
    info = {x.name: x for x in store.lists(ws.catalog)}
    findings = []
    for name, rows in found.by_list.items():
        if not rows:
            continue
        entities: dict[str, list[str]] = {}
        for listed, kind, value, _ in found.hits:
            if listed == name:
                entities.setdefault(kind, []).append(value)
        meta = info[name]
        rule = f"ioc:{name}"
        findings.append(
            Finding(
                id=finding_id(record.id, rule),
                rule=rule,
                title=f"IOC list {name!r} matched",
                level=meta.level,
                tags=("ioc",),
                kind="rule",
                sheet=record.name,
                rows=rows,
                first_seen=found.spans[name][0],
                last_seen=found.spans[name][1],
                where=ir.IocMatch((name,)),
                entities=entities,
                description=f"{meta.info.get('indicators', 0):,} indicators from {meta.info.get('source', '')} "
                f"(sha256 {meta.info.get('sha256', '')[:16]}...), imported {meta.imported_at}",
                origin=f"ioc:{meta.info.get('source', '')}",
                run_at=now(),
            )
        )
    dumps = json.dumps
    ws.catalog.replace_findings(
        record.id,
        [f"ioc:{n}" for n in chosen],
        [(f.id, f.rule, level_rank(f.level), iso(f.first_seen), dumps(f.stored())) for f in findings],
        None,
    )
