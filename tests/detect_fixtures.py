"""Evidence and rules the detection-run tests share: an sshd log whose attacks the tests know exactly, and
Sigma rules over it (written by the tests, never copied from anywhere)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fixtures import write_ndjson

START = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)
BRUTE_IP = "198.51.100.7"  # 30 failures in 5 minutes, then root gets in
SLOW_IP = "198.51.100.8"  # 5 failures: no brute force
CLEAN_IP = "203.0.113.9"  # a login with no failures before it
BRUTE_FAILURES = 30


def _line(moment: datetime, message: str, pid: int) -> str:
    return f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} web-1 sshd[{pid}]: {message}"


def sshd_lines() -> list[str]:
    lines = []
    for i in range(BRUTE_FAILURES):
        at = START + timedelta(seconds=10 * i)
        lines.append(_line(at, f"Failed password for root from {BRUTE_IP} port {40000 + i} ssh2", 1000 + i))
    lines.append(_line(START + timedelta(minutes=6), f"Accepted password for root from {BRUTE_IP} port 41000 ssh2", 2000))
    for i in range(5):
        at = START + timedelta(minutes=20, seconds=30 * i)
        lines.append(_line(at, f"Failed password for invalid user admin from {SLOW_IP} port {42000 + i} ssh2", 3000 + i))
    lines.append(_line(START + timedelta(minutes=40), f"Accepted publickey for alice from {CLEAN_IP} port 43000 ssh2", 4000))
    return lines


def write_secure(folder: Path) -> Path:
    path = folder / "secure"
    path.write_text("\n".join(sshd_lines()) + "\n", encoding="utf-8")
    return path


RULES = """
title: SSH failed password (test)
id: 00000000-0000-4000-8000-000000000001
name: test_ssh_failed
status: test
logsource: {product: linux, service: sshd}
detection:
  sel:
    event: [failed_password, invalid_user]
  condition: sel
level: low
---
title: SSH brute force (test)
id: 00000000-0000-4000-8000-000000000002
status: test
correlation:
  type: event_count
  rules: [test_ssh_failed]
  group-by: [src_ip]
  timespan: 10m
  condition: {gte: 20}
level: high
tags: [attack.credential-access, attack.t1110.001]
---
title: Root login accepted (test)
id: 00000000-0000-4000-8000-000000000003
status: test
logsource: {product: linux, service: sshd}
detection:
  sel:
    event|startswith: accepted_
    user: root
  condition: sel
level: critical
tags: [attack.t1078.003]
---
title: Not runnable here (test)
id: 00000000-0000-4000-8000-000000000004
status: test
logsource: {product: linux, service: sshd}
detection:
  sel:
    user|expand: '%admins%'
  condition: sel
level: low
---
title: A CloudTrail rule (test)
id: 00000000-0000-4000-8000-000000000005
status: test
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: StopLogging
  condition: sel
level: high
"""


def write_rules(folder: Path, text: str = RULES) -> Path:
    path = folder / "rules.yml"
    path.write_text(text, encoding="utf-8")
    return path


def write_events(folder: Path, rows: list[dict[str, object]]) -> Path:
    return write_ndjson(folder / "events.ndjson", rows)
