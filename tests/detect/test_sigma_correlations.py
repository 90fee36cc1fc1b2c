"""Sigma correlation rules (event_count, value_count, temporal, temporal_ordered; group-by, aliases,
timespan) over a generated auth log, run as a user of the API would: each member's matches read through
the Workspace, then the windows found by logsheet.detect.evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest

from logsheet.detect import CompiledCorrelation, Refused, Window, compile_rules, evaluate
from logsheet.workspace import Workspace

# 203.0.113.7: six failures in 50 s, then a success (the brute force that worked).
# 198.51.100.2: a success with no failure before it, then two failures (not a success after a brute force).
# 192.0.2.9: password spraying, one failure for each of four users in two minutes.
LINES = [
    *(f"Mar  1 10:00:{s:02d} web sshd[10]: Failed password for root from 203.0.113.7 port 4000 ssh2" for s in range(0, 60, 10)),
    "Mar  1 10:01:10 web sshd[10]: Accepted password for root from 203.0.113.7 port 4001 ssh2",
    "Mar  1 11:00:00 web sshd[11]: Accepted password for alice from 198.51.100.2 port 5000 ssh2",
    "Mar  1 11:00:30 web sshd[11]: Failed password for alice from 198.51.100.2 port 5001 ssh2",
    "Mar  1 11:00:40 web sshd[11]: Failed password for alice from 198.51.100.2 port 5002 ssh2",
    *(f"Mar  1 12:0{i}:00 web sshd[12]: Failed password for {u} from 192.0.2.9 port 6000 ssh2" for i, u in enumerate("abcd")),
]
BASE = """
title: SSH failed password
id: 7d9e0c3a-0000-4000-8000-000000000001
name: ssh_failed
logsource: {product: linux, service: sshd}
detection:
    sel: {message|contains: 'Failed password'}
    condition: sel
---
title: SSH accepted password
id: 7d9e0c3a-0000-4000-8000-000000000002
name: ssh_accepted
logsource: {product: linux, service: sshd}
detection:
    sel: {message|startswith: 'Accepted password'}
    condition: sel
"""


def correlation(kind: str, rules: str, condition: str, timespan: str = "5m", extra: str = "") -> str:
    return f"""---
title: {kind} correlation
id: 7d9e0c3a-0000-4000-8000-0000000000ff
level: high
correlation:
    type: {kind}
    rules: [{rules}]
    group-by: [src_ip]
    timespan: {timespan}
{condition}{extra}
"""


@pytest.fixture
def auth(ws: Workspace, inputs: Path) -> Workspace:
    (inputs / "auth.log").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    ws.import_paths([inputs / "auth.log"], sheet="auth")
    return ws


def run(ws: Workspace, text: str) -> list[Window]:
    results = compile_rules([text], "syslog", schema=ws.sheet("auth").schema)
    [corr] = [r for r in results if isinstance(r, (CompiledCorrelation, Refused)) and r.title.endswith("correlation")]
    assert isinstance(corr, CompiledCorrelation), corr
    time_column = ws.sheet("auth").time_column or "timestamp"
    events = []
    for i, member in enumerate(corr.members):
        page = ws.query("auth", corr.event_query(member, time_column), limit=1000)
        events.extend(corr.events(i, time_column, page.rowids, page.rows))
    return evaluate(corr, events)


def groups(windows: list[Window]) -> dict[str, int]:
    return {str(w.group[0]): len(w.rowids) for w in windows}


def test_event_count_per_source(auth: Workspace) -> None:
    windows = run(auth, BASE + correlation("event_count", "ssh_failed", "    condition: {gte: 5}"))
    assert groups(windows) == {"203.0.113.7": 6}  # six failures in one window; the others fewer than five
    [w] = windows
    assert (w.first.minute, w.first.second, w.last.second, w.measure) == (0, 0, 50, 6)


def test_event_count_window_is_the_timespan(auth: Workspace) -> None:
    # 198.51.100.2's two failures are 10 s apart: a 5 s window never holds both, a 10 s one does
    assert "198.51.100.2" not in groups(
        run(auth, BASE + correlation("event_count", "ssh_failed", "    condition: {gte: 2}", "5s"))
    )
    assert "198.51.100.2" in groups(run(auth, BASE + correlation("event_count", "ssh_failed", "    condition: {gte: 2}", "10s")))


def test_value_count_is_password_spraying(auth: Workspace) -> None:
    text = BASE + correlation("value_count", "ssh_failed", "    condition: {gte: 3, field: user}")
    windows = run(auth, text)
    assert groups(windows) == {"192.0.2.9": 4}
    assert windows[0].measure == 4


def test_temporal_ordered_success_after_failures(auth: Workspace) -> None:
    text = BASE + correlation("temporal_ordered", "ssh_failed, ssh_accepted", "")
    windows = run(auth, text)
    # the brute force that worked is flagged, with its failures and the success; a success with failures only
    # after it is not, nor are failures with no success
    assert groups(windows) == {"203.0.113.7": 7}


def test_temporal_any_order(auth: Workspace) -> None:
    text = BASE + correlation("temporal", "ssh_failed, ssh_accepted", "")
    assert set(groups(run(auth, text))) == {"203.0.113.7", "198.51.100.2"}


def test_aliases_name_the_group_field_per_rule(auth: Workspace) -> None:
    extra = "    aliases:\n        source:\n            ssh_failed: src_ip\n            ssh_accepted: src_ip\n"
    text = BASE + correlation("temporal_ordered", "ssh_failed, ssh_accepted", "", extra=extra).replace(
        "group-by: [src_ip]", "group-by: [source]"
    )
    assert groups(run(auth, text)) == {"203.0.113.7": 7}


def test_refused_correlations_say_why(auth: Workspace) -> None:
    schema = auth.sheet("auth").schema
    texts = {
        "value_avg": BASE + correlation("value_avg", "ssh_failed", "    condition: {gte: 3, field: src_port}"),
        "missing": BASE + correlation("event_count", "no_such_rule", "    condition: {gte: 3}"),
        "refused member": BASE.replace("message|contains: 'Failed password'", "message|expand: '%failures%'")
        + correlation("event_count", "ssh_failed", "    condition: {gte: 3}"),
    }
    reasons = {}
    for name, text in texts.items():
        [corr] = [r for r in compile_rules([text], "syslog", schema=schema) if r.title.endswith("correlation")]
        assert isinstance(corr, Refused) and corr.kind == "correlation", corr
        reasons[name] = corr.reason
    assert reasons["value_avg"] == "not supported yet: value_avg correlation"
    assert "no_such_rule" in reasons["missing"]
    assert "ssh_failed" in reasons["refused member"] and "%failures%" in reasons["refused member"]
