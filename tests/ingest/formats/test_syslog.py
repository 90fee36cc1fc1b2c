"""The syslog format through the public API: grammar quirks, years and zones, RFC 5424, ISO 8601, journal JSON,
detection, the reference incident's /var/log/secure, and arbitrary bytes.

Real public logs (../shared/data) are in the second half: fail2ban's per-line ``failJSON`` truths, loghub's
structured CSV, Elastic's auth test files, and counts checked against grep run on the same files. Those tests
are marked ``shared_data`` and skip with a reason when the folder is absent; files are copied to tmp_path first.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.core.errors import LogsheetError
from logsheet.ingest import formats
from logsheet.ingest.formats.base import Sample
from logsheet.ingest.formats.syslog.lines import MARKER
from logsheet.workspace import Workspace, build_query

BERLIN = ZoneInfo("Europe/Berlin")
FAIL2BAN_CLOCK = datetime(2005, 8, 14, 10, 0, tzinfo=UTC).timestamp()  # fail2ban's tests pin "now" here


def load(ws: Workspace, path: Path, sheet: str = "s", fmt: str | None = "syslog", **options: Any) -> list[dict[str, Any]]:
    ws.import_paths([path], sheet=sheet, format=fmt, options=options)
    return rows(ws, sheet)


def rows(ws: Workspace, sheet: str, where: str | None = None) -> list[dict[str, Any]]:
    page = ws.query(sheet, build_query(where=where), limit=10_000)
    names = [c.name for c in page.columns]
    return [dict(zip(names, r)) for r in page.rows]


def rejects(ws: Workspace, sheet: str = "s") -> list[tuple[int, str, str]]:
    return [(position, reason, raw) for _, position, reason, raw in ws.rejects(sheet).rows]


def accounting_holds(ws: Workspace, sheet: str = "s") -> None:
    info = ws.info(sheet)
    for s in info["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    assert sum(s["rows_kept"] for s in info["sources"]) == ws.count(sheet) == info["rows"]
    assert sum(s["rejected"] for s in info["sources"]) == ws.rejects(sheet).total


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def write(path: Path, text: str | bytes, mtime: datetime | None = None) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


# ------------------------------------------------------------------------------------------- RFC 3164
QUIRKS = (
    "# a comment line: not a record\n"
    "Jun  9 06:06:20 combo syslogd 1.4.1: restart.\n"
    "Jun  9 06:06:21 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh "
    "ruser= rhost=218.188.2.4 \n"
    "Feb 22 10:21:43  sshd[1332]: last message repeated 2 times\n"
    "Nov 23 21:50:19 sshd[8148]: Disconnecting: Too many authentication failures for root [preauth]\n"
    "\n"
    "Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port 56502 ssh2\n"
    "Feb  9 21:21:02 precise32 sudo:  vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/sh -c "
    "python -c 'import sys;#012#011print(1)'\r\n"
    "Jul 27 14:41:57 combo kernel: Call Trace:\n"
    " [<c0105f25>] dump_stack+0x15/0x20\n"
    "\n"
    " [<c0109fde>] do_IRQ+0x1e/0x30\n"
    "Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed in AllowUsers\n"
    "Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2\n"
    "Aug  1 00:00:00 bytes app: caf\xe9 \xff\n"
    "Aug  2 00:00:00 last app: no trailing newline"
).encode("latin-1")


def test_rfc3164_quirks(ws: Workspace, inputs: Path) -> None:
    got = load(ws, write(inputs / "messages", QUIRKS), year=2005)
    picked = [(r["line_number"], r["host"], r["program"], r["pid"]) for r in got]
    assert picked == [
        (2, "combo", "syslogd 1.4.1", None),  # a program name with a space
        (3, "combo", "sshd(pam_unix)", 19939),
        (4, None, "sshd", 1332),  # empty host name (two spaces)
        (5, None, "sshd", 8148),  # no host at all
        (7, "host", "sshd-session", 1571),
        (8, "precise32", "sudo", None),
        (9, "combo", "kernel", None),
        (13, None, "sshd", None),  # [sshd]: old BSD form
        (14, "combo", "-- root", 2421),  # login writes "-- root" as its tag
        (15, "bytes", "app", None),
        (16, "last", "app", None),
    ]
    by_line = {r["line_number"]: r for r in got}
    assert by_line[2]["timestamp"] == utc(2005, 6, 9, 6, 6, 20) and by_line[2]["message"] == "restart."
    assert by_line[3]["src_ip"] == "218.188.2.4" and by_line[3]["event"] == "auth_failure"
    assert by_line[4]["repeated"] == 2 and by_line[4]["event"] is None
    assert by_line[5]["event"] == "max_auth_attempts" and by_line[5]["user"] == "root"
    assert by_line[7]["event"] == "failed_password"
    # rsyslog escapes decoded, CR of a CRLF ending dropped
    assert by_line[8]["command"] == "/bin/sh -c python -c 'import sys;\n\tprint(1)'"
    # continuation lines (a blank line inside them kept) joined to their record
    assert by_line[9]["message"] == "Call Trace:\n [<c0105f25>] dump_stack+0x15/0x20\n\n [<c0109fde>] do_IRQ+0x1e/0x30"
    assert by_line[13]["event"] == "user_not_allowed" and by_line[13]["src_ip"] == "211.188.220.49"
    assert by_line[14]["event"] == "login" and by_line[14]["user"] == "root"
    assert by_line[15]["message"] == "caf\\xe9 \\xff"  # bad UTF-8 kept visibly
    assert by_line[16]["message"] == "no trailing newline"
    assert rejects(ws) == []
    accounting_holds(ws)
    note = ws.info("s")["sources"][0]["note"]
    assert "11 RFC 3164 records" in note and "1 comment/marker and 1 blank lines are not records" in note


def test_columns_and_types(ws: Workspace, inputs: Path) -> None:
    ws.import_paths([write(inputs / "auth.log", QUIRKS)], sheet="s", options={"year": 2005})
    info = ws.info("s")
    assert info["format"] == "syslog" and info["time_column"] == "timestamp"
    types = {c["name"]: c["type"] for c in info["columns"]}
    assert list(types)[:5] == ["timestamp", "host", "program", "pid", "message"]
    assert types["timestamp"] == "timestamp"
    assert {types[c] for c in ("pid", "src_port", "attempts", "repeated", "line_number")} == {"integer"}
    assert types["invalid_user"] == "boolean"
    assert {"event", "outcome", "user", "target_user", "src_ip", "src_host", "method", "tty", "pwd", "command"} <= set(types)


def test_lines_that_are_not_syslog_are_continuations_or_rejects(ws: Workspace, inputs: Path) -> None:
    text = (
        "garbage before any record\n"
        "Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4\n"
        "  continues it\n"
        "Feb 30 10:00:00 www app: no such day\n"
        "after the rejected line\n"
        "Jan  5 25:00:00 www app: no such hour\n"
        "Jan  6 00:00:00 www app: fine again\n"
    )
    got = load(ws, write(inputs / "secure", text), year=2005)
    assert [(r["line_number"], r["message"]) for r in got] == [
        (2, "ROOT LOGIN REFUSED FROM 1.2.3.4\n  continues it"),
        (7, "fine again"),
    ]
    assert rejects(ws) == [
        (1, "not a syslog line, and no record before it", "garbage before any record"),
        (4, "no year has 30 of month 2 at that time", "Feb 30 10:00:00 www app: no such day"),
        (5, "continues a rejected line", "after the rejected line"),
        (6, "not a valid time of day: 25:00:00", "Jan  5 25:00:00 www app: no such hour"),
    ]
    accounting_holds(ws)
    assert ws.info("s")["sources"][0]["records_read"] == 6


def test_huge_lines_are_rejects_not_memory(ws: Workspace, inputs: Path) -> None:
    mib = 1 << 20
    text = (
        "Jan  5 01:31:41 www app: first\n"
        + "Jan  5 01:31:42 www app: " + "x" * mib + "\n"
        + "Jan  5 01:31:43 www app: third\n"
        + ("y" * (mib // 2) + "\n") * 3
    )  # fmt: skip
    got = load(ws, write(inputs / "big.log", text), year=2005)
    assert [(r["line_number"], len(r["message"])) for r in got] == [(1, 5), (3, 5 + 1 + mib // 2)]
    assert [(p, reason, len(raw)) for p, reason, raw in rejects(ws)] == [
        (2, "line longer than 1048576 bytes", mib),
        (5, "continuation line beyond the 1 MiB message limit", mib // 2),
        (6, "continuation line beyond the 1 MiB message limit", mib // 2),
    ]
    accounting_holds(ws)


# ------------------------------------------------------------------------------------------ years, zones
NEW_YEAR = (
    "Dec 30 23:59:58 h app: one\n"
    "Dec 31 23:59:59 h app: two\n"
    "Jan  1 00:00:01 h app: three\n"
    "Feb 29 12:00:00 h app: leap day\n"
    "Jan  2 08:00:00 h app: four\n"
)


def test_year_from_mtime_rolls_back_over_new_year(ws: Workspace, inputs: Path) -> None:
    path = write(inputs / "secure", "\ufeff" + NEW_YEAR, mtime=utc(2024, 3, 1, 12))  # a byte order mark too
    got = [r["timestamp"] for r in load(ws, path)]
    assert got == [
        utc(2023, 12, 30, 23, 59, 58),
        utc(2023, 12, 31, 23, 59, 59),
        utc(2024, 1, 1, 0, 0, 1),
        utc(2024, 2, 29, 12),
        utc(2024, 1, 2, 8),
    ]
    assert "years from the file's modification time 2024-03-01 12:00 UTC" in ws.info("s")["sources"][0]["note"]


def test_year_from_mtime_in_a_common_year(ws: Workspace, inputs: Path) -> None:
    """29 Feb goes to the latest leap year not after the file was written."""
    path = write(inputs / "secure", NEW_YEAR, mtime=utc(2023, 3, 1))
    assert [r["timestamp"].year for r in load(ws, path)] == [2022, 2022, 2023, 2020, 2023]


def test_year_option_is_the_year_of_the_last_line(ws: Workspace, inputs: Path) -> None:
    path = write(inputs / "secure", NEW_YEAR + "Jan  2 09:00:00 h app: last\n", mtime=utc(2001, 1, 1))
    got = [r["timestamp"] for r in load(ws, path, year=2031)]
    assert [t.year for t in got] == [2030, 2030, 2031, 2028, 2031, 2031]  # 2031 has no 29 Feb: 2028 does
    assert "years from --year 2031" in ws.info("s")["sources"][0]["note"]


def test_bad_options_are_refused(ws: Workspace, inputs: Path) -> None:
    path = write(inputs / "messages", "Jan 15 12:00:00 h app: x\n")
    with pytest.raises(LogsheetError, match="--year must be a whole number, not 'last'"):
        ws.import_paths([path], sheet="t", format="syslog", options={"year": "last"})
    with pytest.raises(LogsheetError, match="unknown time zone 'Mars/Olympus'"):
        ws.import_paths([path], sheet="t", format="syslog", options={"timezone": "Mars/Olympus"})
    assert ws.sheets() == []


def test_timezone_converts_wall_time_to_utc(ws: Workspace, inputs: Path) -> None:
    text = (
        "Jan 15 12:00:00 h app: winter\n"
        "Jul 15 12:00:00 h app: summer (CEST)\n"
        "2024-07-15T12:00:00+05:30 h app: an offset wins over --timezone\n"
        "2024-07-15 12:00:00 h app: ISO without a zone is wall time\n"
    )
    got = [r["timestamp"] for r in load(ws, write(inputs / "messages", text), year=2024, timezone="Europe/Paris")]
    assert got == [utc(2024, 1, 15, 11), utc(2024, 7, 15, 10), utc(2024, 7, 15, 6, 30), utc(2024, 7, 15, 10)]


# ---------------------------------------------------------------------------------- RFC 5424, ISO, journal
def test_rfc5424_with_structured_data(ws: Workspace, inputs: Path) -> None:
    text = (
        '<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown="1" isSynced="0"]'
        '[xxx@123 test="[brackets] and \\"quotes\\" \\]"] '
        "Failed unknown for invalid user redmond from 192.0.2.2 port 55555 ssh2\n"
        "<86>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8\n"
        "<165>1 - - - - - -\n"
    )
    got = load(ws, write(inputs / "rfc5424.log", text))
    assert [(r["timestamp"], r["host"], r["program"], r["pid"], r["msgid"], r["facility"], r["severity"]) for r in got] == [
        (utc(2019, 7, 8, 21, 40, 17, 954167), "hostname.example.com", "sshd", 55555, None, "auth", "info"),
        (utc(2003, 10, 11, 22, 14, 15, 3000), "mymachine.example.com", "su", None, "ID47", "authpriv", "info"),
        (None, None, None, None, None, "local4", "notice"),
    ]
    first = got[0]
    assert first["structured_data"] == '[timeQuality tzKnown="1" isSynced="0"][xxx@123 test="[brackets] and \\"quotes\\" \\]"]'
    assert first["message"].startswith("Failed unknown for invalid user redmond")
    assert (first["event"], first["user"], first["src_ip"]) == ("failed_unknown", "redmond", "192.0.2.2")
    assert got[1]["message"] == "'su root' failed for lonvick on /dev/pts/8"  # BOM dropped
    assert ws.info("s")["time_column"] == "timestamp"


def test_iso8601_prefixed_lines(ws: Workspace, inputs: Path) -> None:
    text = (
        "2015-04-16T18:02:50.321974+00:00 host sshd[2716]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
        "euid=0 tty=ssh ruser= rhost=192.0.2.112  user=root\n"
        "2024-01-02T10:00:00.123456789+0100 web01 sudo:  ec2-user : TTY=pts/0 ; PWD=/home/ec2-user ; USER=root ; "
        "COMMAND=/bin/id\n"
    )
    detected = formats.detect(Sample(text.encode(), "x", False))
    assert detected.format == "syslog"
    got = load(ws, write(inputs / "messages", text), fmt=None)
    assert [(r["timestamp"], r["host"], r["program"], r["event"]) for r in got] == [
        (utc(2015, 4, 16, 18, 2, 50, 321974), "host", "sshd", "auth_failure"),
        (utc(2024, 1, 2, 9, 0, 0, 123456), "web01", "sudo", "sudo_command"),
    ]


def journal_entry(i: int, message: Any, **extra: Any) -> str:
    entry = {
        "__CURSOR": f"s=abc;i={i}",
        "__REALTIME_TIMESTAMP": str(1_647_964_082_000_000 + i * 1_000_000),
        "__MONOTONIC_TIMESTAMP": "123",
        "_HOSTNAME": "ip-10-0-1-5",
        "SYSLOG_IDENTIFIER": "sshd",
        "_PID": "4242",
        "PRIORITY": "6",
        "SYSLOG_FACILITY": "10",
        "MESSAGE": message,
        **extra,
    }
    return json.dumps(entry)


def test_journal_json_export(ws: Workspace, inputs: Path) -> None:
    lines = [
        journal_entry(0, "Failed password for root from 123.214.118.119 port 50000 ssh2"),
        journal_entry(1, list(b"bad \xff byte")),
        journal_entry(2, "Accepted password for root from 123.214.118.119 port 50001 ssh2", SYSLOG_IDENTIFIER=None, _COMM="sshd"),
        "not json at all",
        "[1, 2]",
    ]
    path = write(inputs / "journal.json", "\n".join(lines) + "\n")
    detected = formats.detect(formats.sample(path, False))
    assert (detected.format, detected.confidence) == ("syslog", 0.95)
    got = load(ws, path, fmt=None)
    assert [(r["line_number"], r["timestamp"], r["host"], r["program"], r["pid"], r["severity"], r["facility"]) for r in got] == [
        (1, utc(2022, 3, 22, 15, 48, 2), "ip-10-0-1-5", "sshd", 4242, "info", "authpriv"),
        (2, utc(2022, 3, 22, 15, 48, 3), "ip-10-0-1-5", "sshd", 4242, "info", "authpriv"),
        (3, utc(2022, 3, 22, 15, 48, 4), "ip-10-0-1-5", "sshd", 4242, "info", "authpriv"),
    ]
    assert [r["event"] for r in got] == ["failed_password", None, "accepted_password"]
    assert got[1]["message"] == "bad \\xff byte"
    assert [(p, reason.split(":")[0]) for p, reason, _ in rejects(ws)] == [
        (4, "not a JSON journal entry"),
        (5, "a journal entry is a JSON object, not list"),
    ]
    accounting_holds(ws)


# -------------------------------------------------------------------------------------------- detection
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# failJSON: {}\nJun 21 16:47:48 h sshd[1]: x\n# c\nMay 29 20:56:52 h sshd[2]: y\n", "syslog"),
        ("<38>1 2019-07-08T17:40:16.954167-04:00 h sshd 57915 - - Failed\n", "syslog"),
        ("type=USER_AUTH msg=audit(1383116263.000:603): pid=1 res=failed\n", "syslog"),
        ("srv sshd[13709]: one\nsrv sshd[13710]: two\nsrv sshd[13711]: three\n", "syslog"),
        ("-- Logs begin at Mon 2024-01-01 --\nJan 01 10:00:00 h systemd[1]: Started.\n", "syslog"),
        ("time,host,message\n2024-01-02T10:00:00Z,h,Failed password\n2024-01-02T10:00:01Z,h,x\n", "csv"),
        ('{"Records": [{"eventTime": "2022-03-22T15:48:02Z", "eventName": "RunInstances"}]}', "json"),
        ('{"ts": "2024-01-02T10:00:00Z", "MESSAGE": "x"}\n{"ts": "2024-01-02T10:00:01Z", "MESSAGE": "y"}\n', "json"),
        ("2024-01-02T10:00:00Z INFO starting\n2024-01-02T10:00:01Z INFO done\n", "text"),
        ("just some notes\nabout an incident\n", "text"),
    ],
)
def test_detection_by_content(text: str, expected: str) -> None:
    assert formats.detect(Sample(text.encode(), "whatever.txt", False)).format == expected


# ----------------------------------------------------------------------------- the reference incident
def secure_log(seed: int = 7) -> str:
    """A /var/log/secure like the reference incident's: a root password brute force from 123.214.118.119 that
    succeeds once, scanners trying invalid users, and an admin's key logins with sudo."""
    rng = random.Random(seed)
    lines, pid, t = [], 2000, 0

    def line(program: str, message: str) -> None:
        nonlocal t
        t += rng.randint(1, 40)
        stamp = datetime(2022, 3, 22, 6, 0, tzinfo=UTC).timestamp() + t
        when = datetime.fromtimestamp(stamp, UTC)
        lines.append(f"{when:%b} {when.day:2d} {when:%H:%M:%S} ip-172-31-5-10 {program}: {message}")

    for n in range(60):
        pid += 1
        kind = rng.choice(["brute", "brute", "invalid", "key"]) if n < 59 else "win"
        ip = (
            "123.214.118.119"
            if kind in ("brute", "win")
            else f"45.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 9)}"
        )
        port = rng.randint(30000, 60000)
        if kind == "key":
            line(f"sshd[{pid}]", f"Accepted publickey for ec2-user from 10.0.0.5 port {port} ssh2: RSA SHA256:abcdef{n}")
            line(f"sshd[{pid}]", "pam_unix(sshd:session): session opened for user ec2-user by (uid=0)")
            line("sudo", f"ec2-user : TTY=pts/0 ; PWD=/home/ec2-user ; USER=root ; COMMAND=/bin/systemctl restart app{n}")
            continue
        user = "root" if kind != "invalid" else rng.choice(["admin", "oracle", "test", "ubuntu"])
        invalid = "invalid user " if kind == "invalid" else ""
        if invalid:
            line(f"sshd[{pid}]", f"Invalid user {user} from {ip} port {port}")
        for _ in range(rng.randint(1, 5)):
            line(f"sshd[{pid}]", f"Failed password for {invalid}{user} from {ip} port {port} ssh2")
        if kind == "win":
            line(f"sshd[{pid}]", f"Accepted password for root from {ip} port {port} ssh2")
            line(f"sshd[{pid}]", "pam_unix(sshd:session): session opened for user root by (uid=0)")
        else:
            line(f"sshd[{pid}]", f"Received disconnect from {ip} port {port}:11: Bye Bye [preauth]")
    return "\n".join(lines) + "\n"


def grep(*args: str) -> str:
    return subprocess.run(["grep", *args], capture_output=True, text=True, timeout=30).stdout


def pipeline(command: str) -> dict[str, int]:
    """``... | sort | uniq -c`` run by the shell, as {value: count}."""
    out = subprocess.run(
        ["sh", "-c", command + " | sort | uniq -c"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    return {value: int(count) for count, value in (line.split(None, 1) for line in out.splitlines())}


def groups(ws: Workspace, column: str, where: str, sheet: str = "s") -> dict[Any, int]:
    page = ws.query(sheet, build_query(where=where, group_by=[column]), limit=10_000)
    return {row[0]: row[1] for row in page.rows}


@pytest.fixture
def secure(ws: Workspace, inputs: Path) -> Path:
    path = write(inputs / "secure", secure_log())
    ws.import_paths([path], sheet="s", options={"year": 2022})  # detected, not forced
    assert ws.info("s")["format"] == "syslog"
    return path


def test_reference_story_on_secure(ws: Workspace, secure: Path) -> None:
    failed = ws.count("s", build_query(search="Failed password"))
    assert failed == int(grep("-ci", "Failed password", str(secure))) == int(grep("-c", "Failed password", str(secure)))
    brute = rows(ws, "s", "src_ip = '123.214.118.119' and outcome = 'success'")
    assert [(r["event"], r["user"], r["timestamp"].date().isoformat()) for r in brute] == [
        ("accepted_password", "root", "2022-03-22")
    ]
    accounting_holds(ws)


def test_secure_counts_equal_grep(ws: Workspace, secure: Path) -> None:
    f = shlex.quote(str(secure))
    assert groups(ws, "src_ip", "event = 'failed_password'") == pipeline(
        f"grep 'Failed password' {f} | grep -oE 'from [0-9.]+ port' | awk '{{print $2}}'"
    )
    assert groups(ws, "user", "event = 'failed_password'") == pipeline(
        f"grep -oE 'Failed password for (invalid user )?[^ ]+' {f} | awk '{{print $NF}}'"
    )
    assert groups(ws, "event", "program = 'sshd'") == {
        "failed_password": int(grep("-c", "Failed password", str(secure))),
        "accepted_password": int(grep("-c", "Accepted password", str(secure))),
        "accepted_publickey": int(grep("-c", "Accepted publickey", str(secure))),
        "invalid_user": int(grep("-c", "Invalid user", str(secure))),
        "session_opened": int(grep("-c", "session opened", str(secure))),
        "disconnect": int(grep("-c", "Received disconnect", str(secure))),
    }
    assert groups(ws, "command", "event = 'sudo_command'") == pipeline(f"grep -oE 'COMMAND=.*' {f} | cut -d= -f2-")


# ------------------------------------------------------------------------------------------ arbitrary bytes
SNIPPETS = [
    b"Jun  9 06:06:20 combo syslogd 1.4.1: restart.",
    b"Feb 22 10:21:43  sshd[1332]: last message repeated 2 times",
    b"Jan  5 01:31:41 www sshd[1643]: Failed password for root from 1.2.3.4 port 22 ssh2",
    b"Feb  9 21:21:02 h sudo:  vagrant : (command continued) rest",
    b'<38>1 2019-07-08T17:40:16.954167-04:00 h sshd 1 - [a b="]"] msg',
    b"2015-04-16T18:02:50.321974+00:00 host sshd[2716]: x",
    b"type=USER_AUTH msg=audit(1383116263.000:603): pid=1 acct=41 res=failed",
    b'{"__REALTIME_TIMESTAMP": "1", "MESSAGE": [255, 0]}',
    b"# failJSON: {}",
    b"-- Reboot --",
    b"Feb 30 00:00:00 h x: y",
    b"",
    b"  continuation",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(st.sampled_from(SNIPPETS), st.binary(max_size=60)), min_size=1, max_size=12),
    ending=st.sampled_from([b"\n", b"\r\n"]),
    trailing=st.booleans(),
)
def test_arbitrary_bytes_never_crash_and_keep_accounting(
    tmp_path: Path, parts: list[bytes], ending: bytes, trailing: bool
) -> None:
    data = ending.join(parts) + (ending if trailing else b"")
    folder = tmp_path / f"case-{abs(hash(data))}"
    folder.mkdir(exist_ok=True)
    shutil.rmtree(folder / "ws", ignore_errors=True)
    ws = Workspace.open(folder / "ws")
    path = write(folder / "input.log", data)
    try:
        ws.import_paths([path], sheet="s", format="syslog", options={"year": 2005})
    except LogsheetError as exc:  # nothing importable: refused with a message, never a crash
        assert "nothing could be imported" in str(exc) or "no files found" in str(exc)
        return
    accounting_holds(ws)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines = lines[:-1]
    # LF, CRLF and a lone CR each end a line (as for text files)
    texts = [part.decode("utf-8", "backslashreplace") for raw in lines for part in raw.removesuffix(b"\r").split(b"\r")]
    texts[:1] = [t.removeprefix("\ufeff") for t in texts[:1]]  # a byte-order mark is not content
    meaningful = [n for n, t in enumerate(texts, 1) if t.strip() and not t.startswith("#") and not MARKER.fullmatch(t)]
    starts = sorted([r["line_number"] for r in rows(ws, "s")] + [p for p, _, _ in rejects(ws)])
    assert set(starts) <= set(meaningful) and len(starts) == len(set(starts))
    assert starts[0] == meaningful[0]  # the first line that is not a comment is never swallowed


# =========================================================================================== real logs
def fail2ban_truths(path: Path) -> dict[int, dict[str, Any]]:
    """{line number: the failJSON of the comment before it}."""
    truths, pending = {}, None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# failJSON:"):
            pending = json.loads(line.split(":", 1)[1])
        elif line.strip() and not line.startswith("#") and pending is not None:
            truths[number], pending = pending, None
    return truths


def check_failjson(got: list[dict[str, Any]], truths: dict[int, dict[str, Any]], path: Path) -> Counter[str]:
    by_line = {r["line_number"]: r for r in got}
    raw = path.read_text(encoding="utf-8").splitlines()
    checked: Counter[str] = Counter()
    for number, truth in truths.items():
        row = by_line[number]
        if "time" in truth and truth.get("match"):  # Europe/Berlin wall time; fail2ban checks it on matches only
            local = row["timestamp"].astimezone(BERLIN).replace(tzinfo=None, microsecond=0)
            assert local.isoformat() == truth["time"], (number, raw[number - 1])
            checked["time"] += 1
        host = truth.get("host") or truth.get("ip4") or truth.get("ip6")
        if host and (host in raw[number - 1] or f"::ffff:{host}" in raw[number - 1]):
            assert host in (row["src_ip"], row["src_host"]), (number, raw[number - 1], row)
            checked["host"] += 1
        elif host:
            checked["host elsewhere"] += 1  # fail2ban found it on an earlier line of the same sshd pid
        if isinstance(truth.get("user"), str) and truth.get("match"):
            assert row["user"] == truth["user"], (number, raw[number - 1])
            checked["user"] += 1
    return checked


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sshd", {"time": 109, "host": 97, "host elsewhere": 11, "user": 8}),
        ("sshd-journal", {"host": 80, "host elsewhere": 8, "user": 5}),
        ("pam-generic", {"time": 8, "host": 8, "user": 6}),
        ("selinux-ssh", {"time": 5, "host": 11}),
    ],
)
def test_fail2ban_failjson_truths(ws: Workspace, shared_copy: Any, name: str, expected: dict[str, int]) -> None:
    """Detected without --format; every time stamp, attacker host and user equals fail2ban's per-line truth.
    fail2ban runs its tests with "now" at 2005-08-14 10:00 UTC in Europe/Berlin: the file's mtime says the same."""
    path = shared_copy("fail2ban-sshd-testlogs", name)
    os.utime(path, (FAIL2BAN_CLOCK, FAIL2BAN_CLOCK))
    got = load(ws, path, fmt=None, timezone="Europe/Berlin")
    assert ws.info("s")["format"] == "syslog" and rejects(ws) == []
    truths = fail2ban_truths(path)
    assert len(got) == len(truths)  # one row per log line: comments and blank lines are not records
    assert check_failjson(got, truths, path) == expected
    accounting_holds(ws)


@pytest.mark.shared_data
def test_fail2ban_with_year_option(ws: Workspace, shared_copy: Any) -> None:
    """--year 2005 names the year of the last line (Nov 26): lines later in the year than that go to 2004."""
    path = shared_copy("fail2ban-sshd-testlogs", "sshd")
    got = load(ws, path, year=2005)
    truths = fail2ban_truths(path)
    last = datetime(2005, 11, 26, 16, 47, 51)
    for row in got:
        truth = truths[row["line_number"]]
        if "time" not in truth or row["facility"] is not None or row["timestamp"].microsecond:
            continue  # RFC 5424 and ISO lines carry their own year and zone
        wall = datetime.fromisoformat(truth["time"]).replace(year=2005)
        if wall > last.replace(day=27):
            wall = wall.replace(year=2004)
        assert row["timestamp"].replace(tzinfo=None) == wall


@pytest.mark.shared_data
def test_fail2ban_event_counts_equal_grep(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("fail2ban-sshd-testlogs", "sshd")
    load(ws, path, year=2005)
    f = shlex.quote(str(path))

    def count(pattern: str, extra: str = "") -> int:
        return int(subprocess.run(["sh", "-c", f"grep -v '^#' {f} | grep -E '{pattern}' {extra}| wc -l"], capture_output=True,
                                  text=True, check=True).stdout)  # fmt: skip

    events = groups(ws, "event", "event is not blank")
    assert events["failed_password"] == count("Failed password for") == 13
    assert events["accepted_password"] == count("Accepted password for")
    assert events["accepted_publickey"] == count("Accepted publickey for")
    assert events["root_login_refused"] == count("ROOT LOGIN REFUSED")
    assert events["user_not_allowed"] == count("not allowed because")
    assert events["break_in_attempt"] == count("POSSIBLE BREAK-IN ATTEMPT")
    assert events["session_opened"] == count("session opened for user")
    assert events["max_auth_attempts"] == count("Too many authentication failures|maximum authentication attempts exceeded")
    assert events["connection_closed"] == count("Connection closed by", "| grep -v kex_exchange_identification ")
    assert ws.count("s", build_query(search="Failed password")) == int(grep("-c", "Failed password", str(path)))
    assert groups(ws, "src_ip", "event = 'root_login_refused'") == {"1.2.3.4": 3}


@pytest.mark.shared_data
def test_loghub_linux_equals_its_structured_csv(ws: Workspace, shared_copy: Any) -> None:
    import csv

    path = shared_copy("loghub-linux", "Linux_2k.log")
    structured = shared_copy("loghub-linux", "Linux_2k.log_structured.csv")
    got = load(ws, path, fmt=None, year=2005)
    truth = list(csv.DictReader(structured.open(encoding="utf-8")))
    assert len(got) == len(truth) == 2000 and rejects(ws) == []
    for t, r in zip(truth, got):
        expected = (int(t["LineId"]), f"{t['Month']} {int(t['Date'])} {t['Time']}", t["Level"], t["Component"], t["PID"] or None)
        stamp = r["timestamp"]
        pid = None if r["pid"] is None else str(r["pid"])
        assert (r["line_number"], f"{stamp:%b} {stamp.day} {stamp:%H:%M:%S}", r["host"], r["program"], pid) == expected
        assert r["message"].strip() == t["Content"].strip()  # loghub trims the content
    assert {r["timestamp"].year for r in got} == {2005}


@pytest.mark.shared_data
def test_loghub_pam_counts_equal_grep(ws: Workspace, shared_copy: Any) -> None:
    path = shared_copy("loghub-linux", "Linux_2k.log")
    load(ws, path, year=2005)
    f = shlex.quote(str(path))
    failures = f"grep -E 'sshd\\(pam_unix\\)\\[[0-9]+\\]: authentication failure' {f}"
    where = "event = 'auth_failure' and program = 'sshd(pam_unix)'"
    assert ws.count("s", build_query(where=where)) == int(subprocess.check_output(["sh", "-c", failures + " | wc -l"]))
    hosts = {
        **groups(ws, "src_ip", where + " and src_ip is not blank"),
        **groups(ws, "src_host", where + " and src_host is not blank"),
    }
    assert hosts == pipeline(failures + " | grep -oE 'rhost=[^ ]+' | cut -d= -f2")
    assert groups(ws, "user", where + " and user is not blank") == pipeline(failures + " | grep -oE ' user=[^ ]+' | cut -d= -f2")
    assert ws.count("s", build_query(search="authentication failure")) == int(grep("-ci", "authentication failure", str(path)))


@pytest.mark.shared_data
def test_elastic_auth_files(ws: Workspace, shared_copy: Any) -> None:
    folder = shared_copy("elastic-integrations-system-auth")
    got = load(ws, folder, fmt=None, year=2017)
    assert rejects(ws) == [] and ws.info("s")["format"] == "syslog"
    ubuntu = [r for r in got if r["host"] == "precise32" or (r["host"] is None and r["program"] == "sshd")]
    # the sudo command split over two lines is one record, its command whole
    joined = [r for r in ubuntu if r["command"] and r["command"].endswith("'/etc/metricbeat/metricbeat.yml)")]
    assert len(joined) == 1 and "(command continued)" in joined[0]["message"]
    assert joined[0]["command"].count("\n") == 14 and "\n\thasher.update(buf)" in joined[0]["command"]  # #012, #011 decoded
    # the empty host name
    repeated = [r for r in got if r["repeated"] is not None]
    assert [(r["host"], r["program"], r["pid"], r["repeated"]) for r in repeated] == [(None, "sshd", 1332, 2)]
    # sudo failures and account changes
    failures = {(r["user"], r["reason"], r["attempts"]) for r in got if r["event"] == "sudo_failure"}
    assert failures == {("tsg", "3 incorrect password attempts", 3), ("tsg", "user NOT in sudoers", None)}
    assert sorted(r["user"] for r in got if r["event"] == "user_added") == ["apache", "mysql", "tsg"]
    accounting_holds(ws)
    # Accepted publickey by source address and user: awk on the same files
    files = " ".join(shlex.quote(str(p)) for p in sorted(folder.glob("*.log")))
    accepted = "event = 'accepted_publickey'"
    assert groups(ws, "src_ip", accepted) == pipeline(f"cat {files} | grep 'Accepted publickey' | awk '{{print $11}}'")
    assert groups(ws, "user", accepted) == pipeline(f"cat {files} | grep 'Accepted publickey' | awk '{{print $9}}'")
    assert ws.count("s", build_query(search="COMMAND=")) == int(
        subprocess.check_output(["sh", "-c", f"cat {files} | grep -c COMMAND="])
    )
