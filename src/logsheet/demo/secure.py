"""The web server's ``/var/log/secure`` (RFC 3164, as rsyslog writes it on Amazon Linux 2, times in UTC) and
the same events as NDJSON rows, so that a ``secure`` sheet can be built without a syslog parser."""

from __future__ import annotations

import json
import random
from pathlib import Path

from logsheet.demo.clock import HOUR, iso_z, syslog_stamp
from logsheet.demo.secure_lines import SyslogEvent, connection_lines
from logsheet.demo.ssh_plan import Connection
from logsheet.demo.world import PERIOD_END, PERIOD_START, WEB_HOSTNAME

_FIRST_PID = 1893
_CRON_MINUTE = 60 + 1  # /etc/cron.d/0hourly runs at minute 01


def secure_events(plan: list[Connection], rng: random.Random) -> list[SyslogEvent]:
    """Every line of the log, in time order: SSH connections and hourly cron sessions, each with its own pid."""
    starts: list[tuple[int, Connection | None]] = [(conn.start, conn) for conn in plan]
    starts += [(hour + _CRON_MINUTE, None) for hour in range(PERIOD_START, PERIOD_END, HOUR)]
    events: list[SyslogEvent] = []
    pid = _FIRST_PID
    for start, conn in sorted(starts, key=lambda item: item[0]):
        pid += rng.randint(1, 30)
        events += connection_lines(conn, pid, rng) if conn else _cron(start, pid)
    events.sort(key=lambda event: event.ts)
    return events


def _cron(ts: int, pid: int) -> list[SyslogEvent]:
    return [
        SyslogEvent(ts, "crond", pid, "pam_unix(crond:session): session opened for user root by (uid=0)"),
        SyslogEvent(ts, "crond", pid, "pam_unix(crond:session): session closed for user root"),
    ]


def write_secure(text_path: Path, rows_path: Path, events: list[SyslogEvent]) -> None:
    with text_path.open("w", encoding="utf-8", newline="\n") as text, rows_path.open("w", encoding="utf-8", newline="\n") as rows:
        for event in events:
            text.write(syslog_line(event) + "\n")
            rows.write(json.dumps(syslog_row(event), ensure_ascii=False, separators=(",", ":")) + "\n")


def syslog_line(event: SyslogEvent) -> str:
    tag = event.program if event.pid is None else f"{event.program}[{event.pid}]"
    return f"{syslog_stamp(event.ts)} {WEB_HOSTNAME} {tag}: {event.message}"


def syslog_row(event: SyslogEvent) -> dict[str, object]:
    return {
        "timestamp": iso_z(event.ts),
        "host": WEB_HOSTNAME,
        "program": event.program,
        "pid": event.pid,
        "message": event.message,
    }
