"""The correlation oracle: the groups logsheet's correlation windows flag equal the groups the SQL of
pySigma's SQLite backend flags (its correlation queries, run on SQLite over the same events), for event_count,
value_count, temporal and temporal_ordered over the shared auth samples and the generated auth log."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator

import pytest
from test_sigma_correlations import BASE, LINES, correlation

from logsheet.core import ir
from logsheet.detect import CompiledCorrelation, compile_rules, evaluate
from logsheet.workspace import Workspace
from repo_paths import SHARED_DATA

pytestmark = pytest.mark.shared_data

SAMPLES = {
    "elastic_auth": "elastic-integrations-system-auth",
    "fail2ban": "fail2ban-sshd-testlogs",
    "loghub": "loghub-linux/Linux_2k.log",
}
CASES = {
    "event_count >= 5 in 5m": correlation("event_count", "ssh_failed", "    condition: {gte: 5}"),
    "event_count >= 2 in 10s": correlation("event_count", "ssh_failed", "    condition: {gte: 2}", "10s"),
    "event_count >= 3 in 1h": correlation("event_count", "ssh_failed", "    condition: {gte: 3}", "1h"),
    "value_count users >= 2 in 1h": correlation("value_count", "ssh_failed", "    condition: {gte: 2, field: user}", "1h"),
    "temporal in 1h": correlation("temporal", "ssh_failed, ssh_accepted", "", "1h"),
    "temporal_ordered in 5m": correlation("temporal_ordered", "ssh_failed, ssh_accepted", ""),
    "temporal_ordered in 1d": correlation("temporal_ordered", "ssh_failed, ssh_accepted", "", "1d"),
}
FIELDS = ("timestamp", "src_ip", "user", "message")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    if not SHARED_DATA.exists():
        pytest.skip(f"public test data not available: {SHARED_DATA} is absent")
    root = tmp_path_factory.mktemp("sigma-corr")
    ws = Workspace.open(root / "ws")
    for sheet, part in SAMPLES.items():
        source, target = SHARED_DATA / part, root / "in" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
        ws.import_paths([target], sheet=sheet)
    generated = root / "in" / "generated.log"
    generated.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    ws.import_paths([generated], sheet="generated")
    yield ws


def table(ws: Workspace, sheet: str) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE logs (id INTEGER PRIMARY KEY, timestamp TEXT, src_ip TEXT, user TEXT, message TEXT)")
    page = ws.query(sheet, ir.Query(columns=FIELDS), limit=10_000)
    assert len(page.rows) < 10_000
    db.executemany(
        "INSERT INTO logs VALUES (?, ?, ?, ?, ?)",
        [(rid, r[0].isoformat() if r[0] else None, *r[1:]) for rid, r in zip(page.rowids, page.rows)],
    )
    return db


def logsheet_groups(ws: Workspace, sheet: str, text: str) -> set[str]:
    [corr] = [r for r in compile_rules([text], "syslog") if r.title.endswith("correlation")]
    assert isinstance(corr, CompiledCorrelation), corr
    time_column = ws.sheet(sheet).time_column or "timestamp"
    events = []
    for i, member in enumerate(corr.members):
        page = ws.query(sheet, corr.event_query(member, time_column), limit=10_000)
        events.extend(corr.events(i, time_column, page.rowids, page.rows))
    return {str(w.group[0]).lower() for w in evaluate(corr, events)}


def backend_groups(db: sqlite3.Connection, text: str) -> set[str]:
    import json

    from sigma.backends.sqlite import sqliteBackend
    from sigma.collection import SigmaCollection

    queries = sqliteBackend(collate_nocase=True, fulltext_field="message").convert(SigmaCollection.from_yaml(text))
    cursor = db.execute(queries[-1])  # the correlation's query comes last
    columns = [c[0] for c in cursor.description]
    return {str(json.loads(dict(zip(columns, row))["group_keys"])["src_ip"]).lower() for row in cursor.fetchall()}


def test_correlations_flag_the_groups_the_sqlite_backend_flags(workspace: Workspace) -> None:
    sheets = [*SAMPLES, "generated"]
    tables = {s: table(workspace, s) for s in sheets}
    differences, flagged = [], 0
    for name, corr in CASES.items():
        for sheet in sheets:
            ours, theirs = logsheet_groups(workspace, sheet, BASE + corr), backend_groups(tables[sheet], BASE + corr)
            flagged += len(ours)
            if ours != theirs:
                differences.append(
                    f"{name} on {sheet}: only logsheet {sorted(ours - theirs)}, only SQLite {sorted(theirs - ours)}"
                )
    print(f"\ncorrelations: {len(CASES)} rules over {len(sheets)} sheets, {len(differences)} differ; {flagged} groups flagged")
    assert not differences, "\n".join(differences)
    assert flagged >= 10  # not vacuous: the real logs hold brute forces
