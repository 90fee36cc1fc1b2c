"""The built-in rule pack over 10M CloudTrail rows, against one full-scan count of the same sheet.

Two sheets: ``ct10m``, the generated traffic the query benchmarks use, and ``real10m``, made of real
public CloudTrail records (every CloudTrail sample in ``../shared/data``: Stratus Red Team detonations, the
grycap account, OTRF's EC2-proxy exfiltration, zmallen's detonations) — the attacks the pack is about, in
data the project did not write. The real records are repeated to a million (each copy with its own event id
and a later time) and imported by logsheet, then copied to 10M rows as :mod:`bench.gen.sheets` does.

Contenders, alternating on the same sheet:

- **pack: findings**: ``Workspace.run_rules`` with the built-in pack (compile, the combined scan, the entity
  and correlation reads, the windows, storing the findings): what a responder waits for;
- **pack: one pass**: only the combined scan (every rule's count, first and last seen, in one statement);
- **each rule alone**: the same counts, one ``count`` per rule (what running rules one by one pays);
- **full-scan count**: the search box's count of a term that is nowhere (every column of every row read):
  the issue's yardstick, "one full-scan count of the same sheet";
- **one-column count**: ``count where eventName = 'RunInstances'`` (one column read), for scale.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import harness
from bench.gen import sheets
from bench.scenarios import queries
from logsheet.compiler.detection import RuleScan
from logsheet.core import ir
from logsheet.detect.pack import pack_paths
from logsheet.detect.sigma import CompiledCorrelation, CompiledRule, Refused, compile_rules
from logsheet.workspace import Workspace

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL_SOURCES = (
    "stratus-red-team-detonation-logs",
    "grycap-cloudtrail-sample",
    "otrf-aws-ec2-proxy-s3-exfil",
    "zmallen-cloudtrail2sightings",
)
REAL_BASE = 1_000_000
ROWS = 10_000_000
HAYABUSA_EVENTS_PER_S = 17_000  # Hayabusa's published figure, Windows event logs (for scale only)


def real_records() -> list[dict[str, Any]]:
    """Every record of the shared CloudTrail samples that logsheet reads as CloudTrail (one copy each)."""
    out: list[dict[str, Any]] = []
    for name in REAL_SOURCES:
        folder = SHARED / name
        if not folder.exists():
            raise SystemExit(f"detections: {folder} is missing (the real sheet is made of ../shared/data)")
        for path in sorted(folder.rglob("*.json")):
            out += _records_of(path)
    return out


def _records_of(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        rows = []
        for line in text.splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the malformed zmallen file: its records are skipped here, as the import rejects them
        doc = rows
    records = doc.get("Records", []) if isinstance(doc, dict) else doc
    return [r for r in records if isinstance(r, dict) and ("eventTime" in r or "@timestamp" in r) and "eventName" in r]


def build_real(data: Path, ws: Workspace) -> str:
    """Sheet ``real10m``: the real records repeated to about a million, imported, then copied to 10M."""
    if ws.catalog.get_sheet("real10m") is not None:
        return "real10m"
    base = real_records()
    copies = REAL_BASE // len(base)
    target = data / "cloudtrail-real-1m.ndjson"
    with open(target, "w", encoding="utf-8") as out:
        for k in range(copies):
            for i, record in enumerate(base):
                r = copy.copy(record)
                r["eventID"] = str(uuid.UUID(int=(k << 32) + i))
                when = r.get("eventTime") or r.get("@timestamp")
                try:
                    moment = datetime.fromisoformat(str(when).replace("Z", "+00:00")) + timedelta(hours=k)
                    r["eventTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
                except ValueError:
                    pass
                out.write(json.dumps(r) + "\n")
    if ws.catalog.get_sheet("real1m") is None:
        ws.import_paths([target], sheet="real1m", format="cloudtrail")
    rows = ws.sheet("real1m").row_count
    return sheets.build(ws, "real1m", "real10m", rows * (ROWS // rows))


def _predicates(compiled: CompiledRule | CompiledCorrelation | Refused) -> list[ir.Predicate]:
    """What the one pass counts: every detection rule, and every rule a correlation counts."""
    if isinstance(compiled, CompiledRule):
        return [compiled.predicate]
    if isinstance(compiled, CompiledCorrelation):
        return [m.predicate for m in compiled.members]
    return []


def one_pass(ws: Workspace, sheet: str, predicates: tuple[ir.Predicate, ...]) -> Any:
    plan, runner = ws.view(sheet)
    return runner.fetch(RuleScan(plan, predicates).counts_sql(), 600).rows


def each_alone(ws: Workspace, sheet: str, predicates: tuple[ir.Predicate, ...]) -> list[int]:
    return [ws.count(sheet, ir.Query(where=p), timeout=600) for p in predicates]


def run(data: Path, reps: int) -> None:
    ws = queries.workspace(data)
    generated = sheets.build(ws, "ct", "ct10m", ROWS)
    real = build_real(data, ws)
    text, raw = "", {}
    for sheet in (generated, real):
        record = ws.sheet(sheet)
        compiled = compile_rules(pack_paths(), "cloudtrail", schema=record.schema)
        first = ws.run_rules(sheet)
        predicates = tuple(p for c in compiled for p in _predicates(c))
        contenders = {
            "pack: findings": lambda s=sheet: harness.timed(lambda: ws.run_rules(s)),
            "pack: one pass": lambda s=sheet, ps=predicates: harness.timed(lambda: one_pass(ws, s, ps)),
            "each rule alone": lambda s=sheet, ps=predicates: harness.timed(lambda: each_alone(ws, s, ps)),
            "full-scan count": lambda s=sheet: harness.timed(lambda: ws.count(s, ir.Query(search="zq-no-such-value"))),
            "one-column count": lambda s=sheet: harness.timed(
                lambda: ws.count(s, ir.Query(where=ir.Compare("eventName", "=", "RunInstances")))
            ),
        }
        started = time.perf_counter()
        figures = harness.alternate(contenders, reps)
        pack = figures["pack: findings"].wall
        title = (
            f"{sheet}: the built-in pack ({first.rules} rules and correlations for CloudTrail) over "
            f"{record.row_count:,} rows ({record.bytes / 2**30:.1f} GiB); {len(first.findings):,} findings, "
            f"{first.scans} passes"
        )
        text += harness.table(title, figures, "full-scan count", work=record.row_count)
        text += (
            f"\nThe whole run (findings stored) takes **{pack / figures['full-scan count'].wall:.2f}×** one full-scan "
            f"count ({record.row_count / pack:,.0f} events/s; Hayabusa's published ~{HAYABUSA_EVENTS_PER_S:,}/s is "
            f"for Windows event logs, for scale). Counting every rule in the one pass takes "
            f"{figures['pack: one pass'].wall / figures['each rule alone'].wall:.2f}× counting each rule alone. "
            f"(measured in {time.perf_counter() - started:.0f} s)\n\n"
        )
        raw[sheet] = {"figures": figures, "findings": len(first.findings), "rules": first.rules, "scans": first.scans}
    harness.record(data, "detections", text, raw)
