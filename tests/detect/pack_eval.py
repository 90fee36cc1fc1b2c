"""Running the built-in pack on a Workspace sheet in tests, with the detect layer's own building blocks (not the
production runner): a rule's rows are its predicate's matches; a correlation's are the rows of its flagged
windows (each member's matches read through the Workspace, then :func:`logsheet.detect.evaluate`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sigma_oracle import matched_rowids

from logsheet.detect import CompiledCorrelation, CompiledRule, Refused, Window, compile_rules, evaluate
from logsheet.detect.pack import pack_paths
from logsheet.workspace import Workspace

# The pack's folder for each sheet format.
FOLDERS = {"cloudtrail": "cloudtrail", "syslog": "linux", "vpcflow": "vpcflow"}
PAGE = 10_000

Compiled = CompiledRule | CompiledCorrelation


def pack_files(sheet_format: str) -> list[Path]:
    return [p for p in pack_paths() if p.parent.name == FOLDERS[sheet_format]]


def compile_pack(ws: Workspace, sheet: str, extra: Sequence[str | Path] = ()) -> dict[str, Compiled | Refused]:
    """The pack's rules for this sheet's format, compiled against its schema, by rule id."""
    record = ws.sheet(sheet)
    results = compile_rules([*pack_files(record.format), *extra], record.format, schema=record.schema)
    return {r.id: r for r in results}


def windows(ws: Workspace, sheet: str, correlation: CompiledCorrelation) -> list[Window]:
    time_column = ws.sheet(sheet).time_column
    assert time_column, f"sheet {sheet!r} has no time column"
    events = []
    for i, member in enumerate(correlation.members):
        query = correlation.event_query(member, time_column)
        offset = 0
        while True:
            page = ws.query(sheet, query, limit=PAGE, offset=offset, with_total=False)
            events.extend(correlation.events(i, time_column, page.rowids, page.rows))
            if len(page.rowids) < PAGE:
                break
            offset += PAGE
    return evaluate(correlation, events)


@dataclass(frozen=True)
class Flagged:
    """What one rule flags on a sheet: its rows, and for a correlation its windows."""

    rowids: frozenset[int]
    windows: tuple[Window, ...] = ()

    def groups(self) -> dict[str, int]:
        """Rows per group key (keys joined with '|'), for a correlation."""
        return {"|".join(str(v) for v in w.group): len(w.rowids) for w in self.windows}


def flagged(ws: Workspace, sheet: str, rule: Compiled | Refused) -> Flagged:
    if isinstance(rule, Refused):
        raise AssertionError(f"rule {rule.title!r} was refused: {rule.reason}")
    if isinstance(rule, CompiledRule):
        return Flagged(frozenset(matched_rowids(ws, sheet, rule.predicate)))
    found = windows(ws, sheet, rule)
    return Flagged(frozenset(r for w in found for r in w.rowids), tuple(found))


def run_pack(ws: Workspace, sheet: str) -> dict[str, Flagged]:
    """Every pack rule for this sheet, by id, with what it flags."""
    return {rule_id: flagged(ws, sheet, rule) for rule_id, rule in compile_pack(ws, sheet).items()}


def ids_by_file(sheet_format: str) -> dict[str, list[str]]:
    """Each pack file's stem → the ids of its rules, in order (a base rule, then its correlation)."""
    import yaml

    out: dict[str, list[str]] = {}
    for path in pack_files(sheet_format):
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        out[path.stem] = [str(d["id"]) for d in docs]
    return out


def rule_id(stem: str) -> str:
    """The id of the rule a pack file is named for: its last document (the correlation, when it has one)."""
    for fmt in FOLDERS:
        found = ids_by_file(fmt).get(stem)
        if found:
            return found[-1]
    raise KeyError(f"no pack file {stem}.yml")


def rule_ids_by_label(sheet_format: str) -> dict[str, str]:
    """Label → rule id: a base rule's Sigma ``name``, or the file's stem for the rule the file is named for."""
    import yaml

    out = {}
    for path in pack_files(sheet_format):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                out[str(doc.get("name") or path.stem)] = str(doc["id"])
    return out
