"""Running detection rules on a sheet and keeping what they find (the workspace's side of :mod:`logsheet.detect`).

:func:`run_rules` compiles the rules for the sheet's format and columns, evaluates every detection rule, and
every member rule of a correlation, in one pass over the sheet (:class:`~logsheet.compiler.detection.RuleScan`),
then reads again only what that pass found: a flagged rule's entities, a correlation's member rows (time, group
key, counted value and the entity columns; a correlation is bounded by its matches, never the sheet). The
findings replace the ones the same rules found before on that sheet, in the catalog.

A rule that one of the run's correlations counts (Sigma's ``generate: false``, the default) reports no finding
of its own: a brute force is one finding per source, not one per failed password.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sigma.correlations import SigmaCorrelationRule

from logsheet.compiler import ViewPlan
from logsheet.compiler.detection import RuleScan, Stage, WindowScan
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.detect.findings import (
    ENTITY_TOP,
    Finding,
    finding_id,
    from_json,
    iso,
    level_rank,
    rule_record,
    window_predicate,
)
from logsheet.detect.sigma import CompiledCorrelation, CompiledRule, Mapping, Refused, compile_rules, evaluate
from logsheet.detect.sigma.correlation import Event, Window
from logsheet.detect.sigma.load import Loaded, Source, load
from logsheet.detect.sigma.logsources import LogSource, formats_for
from logsheet.engines.base import DEFAULT_TIMEOUT, Engine
from logsheet.engines.duckdb import DuckEngine
from logsheet.ingest import formats
from logsheet.store.catalog import now

if TYPE_CHECKING:
    from logsheet.workspace.facade import Workspace

Over = tuple[ViewPlan, Engine, tuple[ir.Predicate, ...]]  # a view, its engine, a correlation's members over it

SETTING_ON_IMPORT = "rules.on_import"
SETTING_SIGMA = "rules.sigma"


@dataclass(frozen=True)
class RuleInfo:
    """A rule as ``logsheet rules list`` shows it."""

    id: str
    title: str
    level: str
    status: str
    kind: str  # "rule", or the correlation's type (event_count, value_count, temporal, temporal_ordered)
    tags: tuple[str, ...]
    logsource: str
    formats: tuple[str, ...]  # the sheet formats it runs on
    origin: str
    builtin: bool
    description: str

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["tags"] = list(self.tags)
        out["formats"] = list(self.formats)
        return out


@dataclass
class RuleRun:
    """What one run of rules on one sheet did."""

    sheet: str
    findings: list[Finding]
    rules: int  # rules and correlations that ran on the sheet
    refused: list[Refused]  # rules meant for this sheet that could not run, each with why
    other_formats: int  # rules for other log sources, not run here
    scans: int  # passes over the sheet's rows (the combined one, plus one per flagged rule)
    seconds: float
    run_at: str = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "run_at": self.run_at,
            "rules": self.rules,
            "findings": len(self.findings),
            "refused": [
                {"id": r.id, "title": r.title, "origin": r.origin, "reason": r.reason, "kind": r.kind} for r in self.refused
            ],
            "other_formats": self.other_formats,
            "scans": self.scans,
            "seconds": round(self.seconds, 3),
        }


def _refusal(r: Refused) -> dict[str, str]:
    return {"id": r.id, "title": r.title, "origin": r.origin, "reason": r.reason, "kind": r.kind}


# ------------------------------------------------------------------------------------------------ sources
def rule_sources(ws: Workspace, sigma: Sequence[Source] = (), builtin: bool = True, configured: bool = True) -> list[Source]:
    """The rules a run uses: the built-in pack, the workspace's own rule paths (``rules sigma`` setting), then
    ``sigma`` (files, folders or YAML text)."""
    from logsheet.detect.pack import pack_paths

    out: list[Source] = list(pack_paths()) if builtin else []
    if configured:
        out += [Path(p) for p in configured_sigma(ws)]
    out += list(sigma)
    return out


def configured_sigma(ws: Workspace) -> list[str]:
    text = ws.catalog.settings().get(SETTING_SIGMA)
    return [str(p) for p in json.loads(text)] if text else []


def on_import(ws: Workspace) -> bool:
    return ws.catalog.settings().get(SETTING_ON_IMPORT) == "true"


def set_rules_settings(ws: Workspace, run_on_import: bool | None = None, sigma: Sequence[str] | None = None) -> dict[str, Any]:
    """Turn running the rules after every import on or off, and set the workspace's own rule paths (files or
    folders of Sigma YAML, checked now); None leaves a setting as it is. Returns the settings."""
    values: dict[str, str | None] = {}
    if run_on_import is not None:
        values[SETTING_ON_IMPORT] = "true" if run_on_import else None
    if sigma is not None:
        paths = [str(Path(p).expanduser().resolve()) for p in sigma]
        for p in paths:
            if not Path(p).exists():
                raise LogsheetError(f"no such rule file or folder: {p}")
        values[SETTING_SIGMA] = json.dumps(paths) if paths else None
    if values:
        ws.catalog.update_settings(values)
    return rules_settings(ws)


def rules_settings(ws: Workspace) -> dict[str, Any]:
    return {"on_import": on_import(ws), "sigma": configured_sigma(ws)}


def list_rules(sources: Sequence[Source], mappings: Sequence[Mapping] = ()) -> list[RuleInfo]:
    """Every rule the sources hold (unreadable ones are errors: a list is where a broken rule file shows)."""
    from logsheet.detect.pack import ROOT

    items = load(sources)
    for item in items:
        if not isinstance(item, Loaded):
            raise LogsheetError(f"{item.origin}: {item.reason}")
    loaded = [i for i in items if isinstance(i, Loaded)]
    where_by_ref: dict[str, tuple[str, ...]] = {}  # a detection rule's name and id -> the formats it runs on
    for item in loaded:
        logsource = getattr(item.rule, "logsource", None)
        if logsource is not None:
            source = _logsource(logsource)
            for ref in (str(item.rule.id or ""), str(getattr(item.rule, "name", "") or "")):
                if ref:
                    where_by_ref[ref] = tuple(formats_for(source, mappings))
    out = []
    for item in loaded:
        rule = item.rule
        logsource = getattr(rule, "logsource", None)
        if logsource is not None:
            kind, described = "rule", _logsource(logsource).describe()
            where = tuple(formats_for(_logsource(logsource), mappings))
        else:  # a correlation: it runs where its rules run
            assert isinstance(rule, SigmaCorrelationRule)
            kind, described = rule.type.name.lower(), "the rules it correlates"
            refs = [str(r.reference) for r in (rule.rules or [])]
            where = tuple(dict.fromkeys(f for ref in refs for f in where_by_ref.get(ref, ())))
        out.append(
            RuleInfo(
                id=str(rule.id or ""),
                title=str(rule.title or ""),
                level=str(rule.level or ""),
                status=str(rule.status or ""),
                kind=kind,
                tags=tuple(str(t) for t in rule.tags),
                logsource=described,
                formats=where,
                origin=item.origin,
                builtin=_inside(item.origin, ROOT),
                description=str(rule.description or ""),
            )
        )
    return out


def _logsource(logsource: Any) -> LogSource:
    return LogSource(str(logsource.product or ""), str(logsource.service or ""), str(logsource.category or ""))


def _inside(origin: str, root: Path) -> bool:
    try:
        return Path(origin).resolve().is_relative_to(root.resolve())
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------------- run
def run_rules(
    ws: Workspace,
    sheet: str,
    sources: Sequence[Source],
    mappings: Sequence[Mapping] = (),
    engine: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    *,
    stage: bool = True,
) -> RuleRun:
    """Run the rules of ``sources`` on a sheet, store the findings (replacing those of the same rules) and
    return the run. ``stage=False`` reads the sheet again for the entities and windows instead of the staged
    rows (what Spark does; the tests compare both)."""
    started, run_at = time.monotonic(), now()
    record = ws.sheet(sheet)
    compiled = compile_rules(sources, record.format, mappings, record.schema)
    rules = [c for c in compiled if isinstance(c, CompiledRule)]
    correlations = [c for c in compiled if isinstance(c, CompiledCorrelation)]
    refused = [c for c in compiled if isinstance(c, Refused) and c.kind != "logsource"]
    other = sum(1 for c in compiled if isinstance(c, Refused) and c.kind == "logsource")
    if correlations and not record.time_column:
        refused += [
            Refused(c.id, c.title, c.origin, "a correlation needs a time column; this sheet has none", "correlation")
            for c in correlations
        ]
        correlations = []
    plan, runner = ws.view(sheet, engine=engine)
    entity_columns = formats.entity_columns(record.format, record.schema.names())
    counted = {m.rule_id for c in correlations if not c.generate for m in c.members}
    reported = [r for r in rules if r.id not in counted]
    predicates = [r.predicate for r in reported] + [m.predicate for c in correlations for m in c.members]
    kept = [c for names in entity_columns.values() for c in names]
    kept += [c for corr in correlations for m in corr.members for c in (*m.group_by, *((m.value,) if m.value else ()))]
    with _staged(ws, plan, runner, predicates, kept, timeout, stage) as (over, flags, scans):
        staged = scans == 1
        counts: list[Any] = []
        if flags:
            counts = list(runner.fetch(RuleScan(over, flags).counts_sql(), timeout).rows[0])
            scans = scans or 1
        findings: list[Finding] = []
        flagged = [(i, rule) for i, rule in enumerate(reported) if counts[3 * i]]
        entities = _entities(runner, over, [flags[i] for i, _ in flagged], entity_columns, timeout)
        scans += 1 if flagged and entity_columns and not staged else 0
        for (i, rule), held in zip(flagged, entities):
            n, first, last = counts[3 * i : 3 * i + 3]
            findings.append(
                Finding(
                    id=finding_id(record.id, rule.id),
                    rule=rule.id,
                    title=rule.title,
                    level=rule.level,
                    tags=rule.tags,
                    kind="rule",
                    sheet=sheet,
                    rows=int(n),
                    first_seen=first,
                    last_seen=last,
                    where=rule.predicate,
                    entities=held,
                    description=rule.description,
                    origin=rule.origin,
                    run_at=run_at,
                )
            )
        offset = 3 * len(reported)
        for correlation in correlations:
            width = len(correlation.members)
            matched = [counts[offset + 3 * j] for j in range(width)]
            members = flags[offset // 3 : offset // 3 + width]
            offset += 3 * width
            if not any(matched):
                continue
            found, read = _correlate(
                ws,
                sheet,
                record.id,
                record.time_column or "",
                correlation,
                matched,
                entity_columns,
                engine,
                timeout,
                over=(over, runner, members),
                run_at=run_at,
            )
            findings += found
            scans += 0 if staged else read
        findings.sort(key=lambda f: (level_rank(f.level), f.first_seen is None, iso(f.first_seen) or "", f.id))
        ran = [r.id for r in rules] + [c.id for c in correlations] + [r.id for r in refused]
        result = RuleRun(
            sheet, findings, len(rules) + len(correlations), refused, other, scans, time.monotonic() - started, run_at
        )
        memo: ir.Memo = {}
        dumps = functools.partial(json.dumps, separators=(",", ":"), check_circular=False)
        shared = [(c.id, dumps(rule_record(c, record.time_column or "", memo))) for c in correlations]
        ws.catalog.replace_findings(
            record.id,
            sorted(set(ran)),
            [(f.id, f.rule, level_rank(f.level), iso(f.first_seen), dumps(f.stored(memo))) for f in findings],
            json.dumps(result.to_json()),
            shared,
        )
        return result


@contextlib.contextmanager
def _staged(
    ws: Workspace,
    plan: ViewPlan,
    runner: Engine,
    predicates: Sequence[ir.Predicate],
    kept: Sequence[str],
    timeout: float | None,
    enabled: bool = True,
) -> Iterator[tuple[ViewPlan, tuple[ir.Predicate, ...], int]]:
    """The view the rules' counts, entities and windows are read from, the rules over it and the passes over
    the sheet that cost: on DuckDB, the rows some rule flags, kept by the engine for the run
    (:class:`~logsheet.compiler.detection.Stage`; one pass); on Spark, the sheet itself (each later read is a
    pass of its own)."""
    stage = Stage(plan, tuple(predicates), tuple(kept))
    if not enabled or not predicates or not isinstance(runner, DuckEngine) or stage.clashes():
        yield plan, tuple(predicates), 0
        return
    with runner.held(stage.statement(), timeout) as table:
        yield stage.view(table), stage.flags(), 1


def _entities(
    runner: Engine,
    plan: ViewPlan,
    predicates: Sequence[ir.Predicate],
    columns: dict[str, tuple[str, ...]],
    timeout: float | None,
) -> list[dict[str, list[str]]]:
    """Per predicate, per entity kind, its most frequent values among the predicate's rows (one pass for all)."""
    kinds = list(columns)
    flat = [(kinds.index(kind), c) for kind, names in columns.items() for c in names]
    out: list[dict[str, list[str]]] = [{} for _ in predicates]
    if not flat or not predicates:
        return out
    rows = runner.fetch(RuleScan(plan, tuple(predicates)).entities_sql(flat, ENTITY_TOP), timeout).rows
    ranked: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for rule, kind, value, n in rows:
        ranked.setdefault((int(rule), kinds[int(kind)]), []).append((-int(n), str(value)))
    for (rule, kind), values in ranked.items():
        out[rule][kind] = [v for _, v in sorted(values)]
    return out


def _correlate(
    ws: Workspace,
    sheet: str,
    sheet_id: int,
    time_column: str,
    correlation: CompiledCorrelation,
    matched: list[Any],
    entity_columns: dict[str, tuple[str, ...]],
    engine: str | None,
    timeout: float | None,
    in_engine: bool = True,
    over: Over | None = None,
    run_at: str = "",
) -> tuple[list[Finding], int]:
    """The windows a correlation flags, as findings, each window one: found by the engine where it can find
    them exactly (:func:`_engine_windows`; ``in_engine=False`` never asks it), else its members' rows are read
    (time, group, value and the entity columns) and windowed in Python."""
    found = (
        _engine_windows(ws, sheet, sheet_id, time_column, correlation, entity_columns, engine, timeout, over, run_at)
        if in_engine
        else None
    )
    if found is not None:
        return found, 1
    entity_names = [c for names in entity_columns.values() for c in names]
    events: list[Event] = []
    entity_rows: dict[int, dict[str, Any]] = {}
    reads = 0
    if over is None:
        sheet_plan, runner = ws.view(sheet, engine=engine)
        over = (sheet_plan, runner, tuple(m.predicate for m in correlation.members))
    base_plan, runner, predicates = over
    groups = _candidate_groups(base_plan, runner, correlation, predicates, timeout)
    if groups is not None:
        reads += 1
        if not groups:
            return [], reads  # no group comes near the threshold: nothing to window
    for index, member in enumerate(correlation.members):
        if not matched[index]:
            continue
        base = correlation.event_query(member, time_column).with_(where=predicates[index])
        if groups is not None and member.group_by:
            keys = (
                ir.Or(tuple(_group_is(member.group_by, g) for g in groups))
                if len(groups) > 1
                else _group_is(member.group_by, groups[0])
            )
            base = base.with_(where=ir.And((predicates[index], keys)))
        columns = tuple(dict.fromkeys((*base.columns, *entity_names)))
        plan = base_plan.over(base.with_(columns=columns))
        result = runner.fetch(plan.rows_sql(None), timeout)
        reads += 1
        rowids = [int(r[0]) for r in result.rows]
        rows = [tuple(r[1:]) for r in result.rows]
        events += correlation.events(index, time_column, rowids, rows)
        at = {name: i for i, name in enumerate(columns)}
        for rowid, row in zip(rowids, rows):
            entity_rows[rowid] = {name: row[at[name]] for name in entity_names}
    found = []
    for window in evaluate(correlation, events):
        tally: dict[str, Counter[str]] = {}
        for rowid in window.rowids:
            values = entity_rows.get(rowid, {})
            for kind, names in entity_columns.items():
                for name in names:
                    value = values.get(name)
                    if value is not None and str(value).strip():
                        tally.setdefault(kind, Counter())[str(value)] += 1
        found.append(
            Finding(
                id=finding_id(sheet_id, correlation.id, window.group, window.first),
                rule=correlation.id,
                title=correlation.title,
                level=correlation.level,
                tags=correlation.tags,
                kind="correlation",
                sheet=sheet,
                rows=len(window.rowids),
                first_seen=window.first,
                last_seen=window.last,
                where=window_predicate(correlation, window, time_column),
                entities={k: _top(c) for k, c in tally.items()},
                group=dict(zip(correlation.group_by, window.group)),
                description=correlation.description,
                origin=correlation.origin,
                run_at=run_at,
            )
        )
    return found, reads


def _engine_windows(
    ws: Workspace,
    sheet: str,
    sheet_id: int,
    time_column: str,
    correlation: CompiledCorrelation,
    entity_columns: dict[str, tuple[str, ...]],
    engine: str | None,
    timeout: float | None,
    over: Over | None = None,
    run_at: str = "",
) -> list[Finding] | None:
    """A counting correlation's findings with the windows found by the engine
    (:meth:`~logsheet.compiler.detection.WindowScan.windows_sql`), in one statement; None when the engine
    cannot find them exactly (then they are windowed in Python): a measure that does not only grow (``value_sum``,
    comparisons other than ``>`` and ``>=``), no group-by, distinct values on an engine without distinct
    window aggregates or of numbers (``0.0`` and ``-0.0``), members storing the group or value in columns of
    other types, or a group key outside ASCII (Python's case folding is not lower-casing)."""
    if correlation.kind not in ("event_count", "value_count") or correlation.op not in (">", ">="):
        return None
    if not correlation.group_by:
        return None
    if over is None:
        plan, runner = ws.view(sheet, engine=engine)
        predicates = tuple(m.predicate for m in correlation.members)
    else:
        plan, runner, predicates = over
    schema = plan.schema

    def types(names: Sequence[str]) -> tuple[str, ...]:
        return tuple(resolve(n, schema).type for n in names)

    members = correlation.members
    if len({types(m.group_by) for m in members}) > 1:
        return None
    if correlation.kind == "value_count":
        if plan.dialect.name != "duckdb" or len({types((m.value,)) for m in members}) > 1:
            return None
        if types((members[0].value,))[0].upper() in ("DOUBLE", "FLOAT", "REAL", "DECIMAL"):
            return None
    kinds = list(entity_columns)
    flat = [(kinds.index(kind), c) for kind, names in entity_columns.items() for c in names]
    scan = WindowScan(
        plan,
        tuple((p, m.group_by, m.value) for p, m in zip(predicates, members)),
        correlation.kind,
        correlation.count,
        correlation.timespan,
    )
    rows = runner.fetch(scan.windows_sql(correlation.op, flat, ENTITY_TOP), timeout).rows
    if any(row[0] for row in rows):
        return None
    width = len(correlation.group_by)
    windows: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any, Any, int, dict[str, Counter[str]]]] = {}
    for row in rows:
        group, (first, last, count, kind, value, n) = tuple(row[1 : 1 + width]), row[1 + width :]
        if first is None:
            continue  # the one row of a run without windows
        key = (*group, first)
        if key not in windows:
            windows[key] = (group, first, last, int(count), {})
        if kind is not None:
            windows[key][4].setdefault(kinds[int(kind)], Counter())[str(value)] += int(n)
    found = []
    for group, first, last, count, tally in windows.values():
        window = Window(group, first, last, (), 0.0)
        entities = {kind: _top(counter) for kind, counter in tally.items()}
        found.append(
            Finding(
                id=finding_id(sheet_id, correlation.id, group, first),
                rule=correlation.id,
                title=correlation.title,
                level=correlation.level,
                tags=correlation.tags,
                kind="correlation",
                sheet=sheet,
                rows=count,
                first_seen=first,
                last_seen=last,
                where=window_predicate(correlation, window, time_column),
                entities=entities,
                group=dict(zip(correlation.group_by, group)),
                description=correlation.description,
                origin=correlation.origin,
                run_at=run_at,
            )
        )
    return found


def _top(counter: Counter[str]) -> list[str]:
    """The most frequent values, ties by value (as the engine ranks them)."""
    return [v for v, _ in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:ENTITY_TOP]]


MAX_CANDIDATE_GROUPS = 2_000  # past this many, every member row is read (a filter of that many keys costs more)


def _candidate_groups(
    plan: ViewPlan,
    runner: Engine,
    correlation: CompiledCorrelation,
    predicates: Sequence[ir.Predicate],
    timeout: float | None,
) -> list[tuple[str, ...]] | None:
    """The (lower-cased) group keys of a counting correlation that may hold a flagged window, found by the
    engine (:class:`~logsheet.compiler.detection.WindowScan`) over ``plan`` (its members: ``predicates``); None
    when it cannot tell (another kind or comparison, distinct values on an engine without distinct window
    aggregates, too many groups)."""
    if correlation.kind not in ("event_count", "value_count", "value_sum") or correlation.op not in (">", ">="):
        return None
    if not correlation.group_by:
        return None
    if correlation.kind == "value_count" and (plan.dialect.name != "duckdb" or len(correlation.members) > 1):
        return None
    members = tuple((p, m.group_by, m.value) for p, m in zip(predicates, correlation.members))
    scan = WindowScan(plan, members, correlation.kind, correlation.count, correlation.timespan)
    rows = runner.fetch(scan.candidates_sql(), timeout).rows
    if len(rows) > MAX_CANDIDATE_GROUPS or any(row[-1] for row in rows):
        return None  # too many to filter by, or a key outside ASCII (case folding may join it with another)
    return [tuple(str(v) for v in row[:-1]) for row in rows]


def _group_is(columns: tuple[str, ...], key: tuple[str, ...]) -> ir.Predicate:
    parts = tuple(ir.Compare(c, "=", v, case_sensitive=False) for c, v in zip(columns, key))
    return parts[0] if len(parts) == 1 else ir.And(parts)


# ------------------------------------------------------------------------------------------- stored ones
def stored_findings(ws: Workspace, sheet: str | None = None) -> list[Finding]:
    """The findings kept in the catalog, of one sheet or of every sheet, the most severe first."""
    names = _sheet_names(ws)
    sheet_id = ws.sheet(sheet).id if sheet is not None else None
    rules = {key: json.loads(body) for key, body in ws.catalog.finding_rules(sheet_id).items()}
    out = []
    for sid, body in ws.catalog.findings(sheet_id):
        data = json.loads(body)
        out.append(from_json(data, names.get(sid, ""), rules.get((sid, str(data.get("rule"))))))
    return out


def stored_finding(ws: Workspace, finding: str) -> Finding:
    found = ws.catalog.finding(finding)
    if found is None:
        raise NotFound(f"no finding {finding!r}; `logsheet findings` lists them")
    sheet_id, body = found
    data = json.loads(body)
    rule = ws.catalog.finding_rules(sheet_id).get((sheet_id, str(data.get("rule"))))
    return from_json(data, _sheet_names(ws).get(sheet_id, ""), json.loads(rule) if rule else None)


def last_run(ws: Workspace, sheet: str) -> dict[str, Any] | None:
    body = ws.catalog.rule_run(ws.sheet(sheet).id)
    return json.loads(body) if body else None


def finding_query(ws: Workspace, sheet: str, finding: str, query: ir.Query | None = None) -> ir.Query:
    """``query`` (default: the whole sheet) narrowed to a finding's rows; the finding must be of this sheet."""
    found = stored_finding(ws, finding)
    if found.sheet != sheet:
        raise LogsheetError(f"finding {finding} is of sheet {found.sheet!r}, not {sheet!r}")
    base = query or ir.Query()
    where = found.where if base.where is None else ir.And((found.where, base.where))
    return base.with_(where=where)


def _sheet_names(ws: Workspace) -> dict[int, str]:
    names = {}
    for name in ws.catalog.sheet_names():
        record = ws.catalog.get_sheet(name)
        if record is not None:
            names[record.id] = name
    return names
