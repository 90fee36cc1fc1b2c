"""Running rules on a sheet through the workspace: one pass for every rule, findings that hold exactly their
rows, correlations that report windows (not the rows they count), and a store that replaces a rule's
findings when it runs again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, CLEAN_IP, RULES, SLOW_IP, write_rules, write_secure
from fixtures import ct_record, write_json
from logsheet.core import ir
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.workspace import Workspace, detections


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.open(tmp_path / "home")
    workspace.import_paths([write_secure(tmp_path)], sheet="secure")
    return workspace


def test_a_run_reports_the_brute_force_the_root_login_and_why_a_rule_did_not_run(ws: Workspace, tmp_path: Path) -> None:
    run = ws.run_rules("secure", [write_rules(tmp_path)], builtin=False)
    by_title = {f.title: f for f in run.findings}
    assert set(by_title) == {"SSH brute force (test)", "Root login accepted (test)"}  # no finding per failed password
    brute = by_title["SSH brute force (test)"]
    assert brute.kind == "correlation" and brute.group == {"src_ip": BRUTE_IP} and brute.rows == BRUTE_FAILURES
    assert brute.entities["ip"] == [BRUTE_IP] and brute.entities["user"] == ["root"]
    assert brute.last_seen is not None and brute.first_seen is not None
    assert (brute.last_seen - brute.first_seen).total_seconds() == 10 * (BRUTE_FAILURES - 1)
    root = by_title["Root login accepted (test)"]
    assert root.rows == 1 and root.level == "critical" and root.entities["ip"] == [BRUTE_IP]
    assert SLOW_IP not in str([f.to_json() for f in run.findings]) and CLEAN_IP not in str(root.to_json())
    assert [(r.title, r.kind) for r in run.refused] == [("Not runnable here (test)", "unsupported")]
    assert "%admins%" in run.refused[0].reason
    assert run.other_formats == 1  # the CloudTrail rule is for other sheets
    assert run.rules == 3  # two detection rules and the correlation
    # one pass writes the rows some rule flags; the counts, the root rule's entities and the brute force's windows
    # are read from those (unstaged, as on Spark: the pass, the entities, the windows in one statement)
    assert run.scans == 1
    assert (
        detections.run_rules(ws, "secure", detections.rule_sources(ws, [write_rules(tmp_path)], False), stage=False).scans
        == 1 + 1 + 1
    )
    _, engine = ws.view("secure")
    held = engine.fetch(exp.select("table_name").from_(exp.func("duckdb_tables"))).rows  # type: ignore[attr-defined]
    assert not [name for (name,) in held if name.startswith("__held_")], "the staged rows are dropped after the run"


def test_every_finding_opens_exactly_its_rows(ws: Workspace, tmp_path: Path) -> None:
    ws.run_rules("secure", [write_rules(tmp_path)], builtin=False)
    findings = ws.findings("secure")
    assert len(findings) == 2
    for finding in findings:
        view = ws.finding_query("secure", finding.id)
        assert ws.count("secure", view) == finding.rows
        page = ws.query("secure", view.with_(columns=("src_ip",)), limit=100)
        assert {r[0] for r in page.rows} == {BRUTE_IP}
    brute = next(f for f in findings if f.kind == "correlation")
    narrowed = ws.finding_query("secure", brute.id, ir.Query(where=ir.Compare("event", "=", "nothing")))
    assert ws.count("secure", narrowed) == 0  # the user's filter applies on top


def test_findings_are_kept_and_replaced_when_the_rules_run_again(ws: Workspace, tmp_path: Path) -> None:
    rules = write_rules(tmp_path)
    first = {f.id for f in ws.run_rules("secure", [rules], builtin=False).findings}
    again = Workspace.open(ws.root)
    assert {f.id for f in again.findings()} == first  # kept across a restart
    assert {f.id for f in again.run_rules("secure", [rules], builtin=False).findings} == first  # same rows, same ids
    assert len(again.findings("secure")) == 2
    stricter = write_rules(tmp_path, RULES.replace("condition: {gte: 20}", "condition: {gte: 50}"))
    again.run_rules("secure", [stricter], builtin=False)
    assert [f.title for f in again.findings("secure")] == ["Root login accepted (test)"]  # the old window is gone
    last = again.last_rule_run("secure")
    assert last is not None and last["findings"] == 1 and last["refused"][0]["kind"] == "unsupported"


def test_a_finding_belongs_to_its_sheet(ws: Workspace, tmp_path: Path) -> None:
    ws.run_rules("secure", [write_rules(tmp_path)], builtin=False)
    ws.import_paths([write_secure(tmp_path)], sheet="other")
    finding = ws.findings("secure")[0]
    with pytest.raises(LogsheetError, match="of sheet 'secure'"):
        ws.finding_query("other", finding.id)
    with pytest.raises(NotFound):
        ws.finding("Fnothing")
    ws.rename_sheet("secure", "renamed")
    assert {f.sheet for f in ws.findings()} == {"renamed"}
    ws.delete_sheet("renamed")
    assert ws.findings() == []


NAMES = ("RunInstances", "ListBuckets", "StopLogging")


def test_one_pass_counts_what_each_rule_alone_counts(tmp_path: Path) -> None:
    """The combined scan's counts and first/last seen equal one count per rule, JSON paths included."""
    records = [
        ct_record(
            i, eventName=["RunInstances", "ListBuckets", "StopLogging"][i % 3], errorCode="AccessDenied" if i % 5 == 0 else None
        )
        for i in range(60)
    ]
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_json(tmp_path / "ct.json", {"Records": records})], sheet="ct")
    rules = """
title: run
id: 00000000-0000-4000-8000-00000000000a
logsource: {product: aws, service: cloudtrail}
detection: {sel: {eventName: RunInstances}, condition: sel}
level: medium
---
title: denied list
id: 00000000-0000-4000-8000-00000000000b
logsource: {product: aws, service: cloudtrail}
detection: {sel: {eventName: ListBuckets, errorCode: AccessDenied}, condition: sel}
level: high
---
title: by region path
id: 00000000-0000-4000-8000-00000000000c
logsource: {product: aws, service: cloudtrail}
detection: {sel: {userIdentity.type: IAMUser, eventName|endswith: Logging}, condition: sel}
level: low
---
title: nothing
id: 00000000-0000-4000-8000-00000000000d
logsource: {product: aws, service: cloudtrail}
detection: {sel: {eventName: DeleteTrail}, condition: sel}
level: low
"""
    run = ws.run_rules("ct", [rules], builtin=False)
    found = {f.title: f for f in run.findings}
    assert sorted(found) == ["by region path", "denied list", "run"]  # "nothing" flags no row
    for finding in found.values():
        rows = ws.query("ct", ir.Query(where=finding.where, sort=(ir.SortKey("eventTime"),)), limit=1000)
        assert finding.rows == rows.total > 0
        at = [c.name for c in rows.columns].index("eventTime")
        times = [r[at] for r in rows.rows]
        assert (finding.first_seen, finding.last_seen) == (min(times), max(times))


WHO = ["Alice", "alice", "ALICE", "straße", "straße", "STRASSE", "bob", "carol", "carol", "carol", "", None]
COUNTING = """
title: one event (test)
id: 00000000-0000-4000-8000-0000000000c1
name: test_any_event
logsource: {product: test, service: events}
detection: {sel: {kind: login}, condition: sel}
level: low
---
title: three by one person (test)
id: 00000000-0000-4000-8000-0000000000c2
correlation:
  type: event_count
  rules: [test_any_event]
  group-by: [who]
  timespan: 1m
  condition: {gte: 3}
level: medium
---
title: much by one person (test)
id: 00000000-0000-4000-8000-0000000000c3
correlation:
  type: value_sum
  rules: [test_any_event]
  group-by: [who]
  timespan: 1m
  condition: {field: size, gte: 30}
level: medium
---
title: many ports by one person (test)
id: 00000000-0000-4000-8000-0000000000c4
correlation:
  type: value_count
  rules: [test_any_event]
  group-by: [who]
  timespan: 1m
  condition: {field: port, gte: 2}
level: medium
"""
MAPPING = "mappings:\n  - logsource: {product: test, service: events}\n    format: json\n"


@pytest.mark.parametrize("exotic", [True, False])
def test_the_engines_group_prefilter_finds_what_reading_every_event_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exotic: bool
) -> None:
    """Counting correlations narrow the rows they read to the groups the engine says may pass; the findings
    are the same as reading every event (mixed case, blank keys, sums, distinct values; with and without a
    key outside ASCII, which case folding joins to another)."""
    from logsheet.detect.sigma import load_mapping
    from logsheet.workspace import detections

    who = WHO if exotic else [w.replace("ß", "ss") if w else w for w in WHO]
    rows = [
        {"t": f"2024-05-01T10:00:{(i * 7) % 60:02d}Z", "kind": "login", "who": w, "size": 11 * (i % 4), "port": 20 + i % 3}
        for i, w in enumerate(who * 3)
    ]
    ws = Workspace.open(tmp_path / "home")
    ws.import_paths([write_json(tmp_path / "events.json", rows)], sheet="events")
    mappings = load_mapping(MAPPING)
    narrowed = ws.run_rules("events", [COUNTING], builtin=False, mappings=mappings)
    monkeypatch.setattr(detections, "_candidate_groups", lambda *args: None)
    everything = ws.run_rules("events", [COUNTING], builtin=False, mappings=mappings)
    shape = lambda run: sorted((f.title, f.rows, str(f.group), f.first_seen) for f in run.findings)  # noqa: E731
    assert shape(narrowed) == shape(everything)
    assert {f.title for f in everything.findings} == {
        "three by one person (test)",
        "much by one person (test)",
        "many ports by one person (test)",
    }
    assert any("stra" in str(f.group).lower() for f in everything.findings)
    from logsheet.detect.sigma import CompiledCorrelation, compile_rules

    compiled = compile_rules([COUNTING], "json", mappings, ws.sheet("events").schema)
    three = next(c for c in compiled if isinstance(c, CompiledCorrelation) and c.kind == "event_count")
    monkeypatch.undo()
    plan, runner = ws.view("events")
    groups = detections._candidate_groups(plan, runner, three, [m.predicate for m in three.members], 60)
    # narrowed to the groups that reach three events; a key outside ASCII: every group is read
    assert groups is None if exotic else sorted(groups or []) == [("alice",), ("bob",), ("carol",), ("strasse",)]
