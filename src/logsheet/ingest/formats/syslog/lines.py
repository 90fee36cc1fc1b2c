"""The syslog line grammar: where a record starts, and its timestamp, host, program, pid and message.

One line is one of (regexes compiled once, tried in this order):
- RFC 5424: ``<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD...] MSG``; ``-`` is a nil value, the structured data
  is kept as text (values may hold ``]`` and ``\\"``), a UTF-8 BOM before the message is dropped.
- RFC 3164: ``[<PRI>]Mmm dd hh:mm:ss[.ffffff] HOST TAG: MSG``, no year. Days are padded with a space
  (``Jun  9``), or not (``Jun 9``), or with a zero (``Jul 05``); ``journalctl -o short-precise`` adds
  microseconds.
- ISO 8601 prefixed (rsyslog high precision, ``journalctl -o short-iso``): ``2015-04-16T18:02:50.32+00:00 HOST
  TAG: MSG``; without a zone the time is local to the file's ``--timezone``.
- Linux audit (``type=USER_AUTH msg=audit(1373330716.415:4063): ...``, optionally ``node=HOST`` first): the
  time is the epoch in ``audit(...)``, the program ``audit``, the pid ``pid=``, the message the whole line.
- Only in files that have no timestamps at all (fail2ban's journal test data, messages piped out of a
  journal): ``HOST PROGRAM[PID]: MSG``.

After a RFC 3164 or ISO timestamp, the host and the tag are read leniently, as real files write them:
- an empty host (``Feb 22 10:21:43  sshd[1332]: ...``, two spaces) or none at all (``Nov 23 21:50:19
  sshd[8148]: ...``: the first word is already a tag) gives a blank host;
- a tag in brackets without a host (``[sshd]: ...``, ``[sshd] ...``, old Solaris/BSD);
- a program name may hold up to three words (``syslogd 1.4.1: restart.``, ``-- root[2421]: ...`` from
  login) and any of ``()./-_`` (``sshd(pam_unix)[19939]``, ``sshd-session``, ``postfix/smtpd``);
- a line with a timestamp and no tag keeps its host and the rest as the message (blank program).
rsyslog's control-character escapes (``#012`` newline, ``#011`` tab: ``#`` and three octal digits of a
character below 32, or 127) are decoded in the message; other ``#`` digits are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp",
    "security", "console", "clock", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

_PRI = r"(?:<(?P<pri>\d{1,3})>)?"
RFC3164 = re.compile(
    _PRI + r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?P<frac>\.\d{1,9})?(?=\s|$)"
)
ISO = re.compile(_PRI + r"(?P<iso>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?)(?=\s|$)")
RFC5424 = re.compile(
    r"<(?P<pri>\d{1,3})>(?P<version>[1-9]\d?) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+)(?: |$)"
)
AUDIT = re.compile(r"(?:node=(?P<node>\S+) )?type=\S+ msg=audit\((?P<epoch>\d{1,12}(?:\.\d{1,9})?):\d+\):")
BARE = re.compile(r"(?P<host>[^\s:\[\]]+) (?P<program>[^\s:\[\]]+)\[(?P<pid>\d{1,10})\]: ")
# A tag: program (up to three words, no colon or brackets), optional [pid], a colon, then a space or the end.
TAG = re.compile(r"(?P<program>[^\s:\[\]]+(?: [^\s:\[\]]+){0,2}?)(?:\[(?P<pid>[^\]]*)\])?:(?: |$)")
ONE_WORD_TAG = re.compile(r"(?P<program>[^\s:\[\]]+)(?:\[(?P<pid>[^\]]*)\])?:(?: |$)")
BRACKET_TAG = re.compile(r"\[(?P<program>[^\]\s]+)\]:?(?: |$)")
AUDIT_PID = re.compile(r"\bpid=(\d{1,10})\b")
ESCAPE = re.compile(r"#(0[0-3][0-7]|177)")
MARKER = re.compile(r"-- (?:Logs begin at|Journal begins at|Reboot|No entries|Boot [0-9a-f]+)\b.*")


@dataclass(frozen=True)
class Yearless:
    """A RFC 3164 time stamp: everything but the year (inferred later, per file)."""

    month: int
    day: int
    hour: int
    minute: int
    second: int
    microsecond: int

    def in_year(self, year: int) -> datetime | None:
        try:
            return datetime(year, self.month, self.day, self.hour, self.minute, self.second, self.microsecond)
        except ValueError:
            return None


@dataclass
class Header:
    """The parts of a line that starts a record. ``moment`` is aware (absolute) or naive (local wall time)."""

    kind: str  # rfc3164 | iso | rfc5424 | audit | bare
    moment: datetime | None = None
    yearless: Yearless | None = None
    host: str | None = None
    program: str | None = None
    pid: int | None = None
    message: str = ""
    facility: str | None = None
    severity: str | None = None
    msgid: str | None = None
    structured_data: str | None = None


class BadLine(ValueError):
    """A line that starts like a syslog record but cannot be one (e.g. 31 February, hour 25)."""


def parse_line(text: str, bare: bool = False) -> Header | None:
    """The header of a line that starts a record; None when the line does not (a continuation line).

    Raises :class:`BadLine` for a line with a syslog time stamp that is not a valid time."""
    if m := RFC5424.match(text):
        return _rfc5424(m, text)
    if m := RFC3164.match(text):
        clock = _clock(int(m["h"]), int(m["m"]), int(m["s"]), m["frac"])
        month, day = MONTHS[m["mon"]], int(m["day"])
        if not 1 <= day <= 31:
            raise BadLine(f"no day {day} in a month")
        facility, severity = _pri(m["pri"])
        header = Header("rfc3164", yearless=Yearless(month, day, *clock), facility=facility, severity=severity)
        return _host_and_tag(header, text[m.end() :])
    if m := ISO.match(text):
        facility, severity = _pri(m["pri"])
        header = Header("iso", moment=_iso(m["iso"]), facility=facility, severity=severity)
        return _host_and_tag(header, text[m.end() :])
    if m := AUDIT.match(text):
        pid = AUDIT_PID.search(text)
        try:
            moment = datetime.fromtimestamp(float(m["epoch"]), UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise BadLine(f"not a valid audit time: {m['epoch']}") from exc
        return Header("audit", moment=moment, host=m["node"], program="audit", pid=_int(pid and pid[1]), message=text)
    if bare and (m := BARE.match(text)):
        return Header("bare", host=m["host"], program=m["program"], pid=_int(m["pid"]), message=decode_escapes(text[m.end() :]))
    return None


def starts_record(text: str) -> bool:
    """Does the line begin with a syslog time stamp (for sniffing: ISO lines need a tag too)?"""
    if RFC5424.match(text) or RFC3164.match(text) or AUDIT.match(text):
        return True
    m = ISO.match(text)
    if m is None:
        return False
    rest = text[m.end() :].lstrip(" ")
    host, _, tail = rest.partition(" ")
    return bool(ONE_WORD_TAG.match(rest) or BRACKET_TAG.match(rest) or TAG.match(tail.lstrip(" ")))


def is_bare(text: str) -> bool:
    return BARE.match(text) is not None


def decode_escapes(message: str) -> str:
    if "#" not in message:
        return message
    return ESCAPE.sub(lambda m: chr(int(m[1], 8)), message)


def _pri(text: str | None) -> tuple[str | None, str | None]:
    """(facility, severity) of a ``<PRI>`` (blank when absent or above 191)."""
    pri = _int(text)
    if pri is None or pri > 191:
        return None, None
    return FACILITIES[pri >> 3], SEVERITIES[pri & 7]


# ------------------------------------------------------------------------------------------------- parts
def _host_and_tag(header: Header, rest: str) -> Header:
    """Fill host, program, pid and message from what follows a RFC 3164 / ISO time stamp."""
    rest = rest[1:] if rest else rest  # the separator after the time stamp
    if rest.startswith(" "):  # an empty host name
        return _tag(header, rest.lstrip(" "))
    if ONE_WORD_TAG.match(rest) or BRACKET_TAG.match(rest):  # no host at all: the first word is the tag
        return _tag(header, rest)
    host, _, tail = rest.partition(" ")
    header.host = host or None
    return _tag(header, tail.lstrip(" "))


def _tag(header: Header, rest: str) -> Header:
    m = TAG.match(rest) or BRACKET_TAG.match(rest)
    if m is None:
        header.message = decode_escapes(rest)
        return header
    header.program = m["program"]
    header.pid = _int(m.groupdict().get("pid"))
    header.message = decode_escapes(rest[m.end() :])
    return header


def _rfc5424(m: re.Match[str], text: str) -> Header:
    moment = None if m["ts"] == "-" else _iso(m["ts"])
    if moment is not None and moment.tzinfo is None:
        raise BadLine(f"RFC 5424 time stamp without a zone: {m['ts']}")
    rest = text[m.end() :]
    data, message = _structured_data(rest)
    facility, severity = _pri(m["pri"])
    return Header(
        "rfc5424",
        moment=moment,
        host=_nil(m["host"]),
        program=_nil(m["app"]),
        pid=_int(m["procid"]),
        message=decode_escapes(message.removeprefix("\ufeff")),
        facility=facility,
        severity=severity,
        msgid=_nil(m["msgid"]),
        structured_data=data,
    )


def _structured_data(rest: str) -> tuple[str | None, str]:
    """Split ``[id k="v"]...[id2] message`` (or ``- message``) into the structured data text and the message."""
    if rest.startswith("-"):
        return None, rest[2:] if rest.startswith("- ") else rest[1:]
    i, quoted, depth = 0, False, 0
    while i < len(rest):
        c = rest[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0 and not rest.startswith("[", i + 1):
                message = rest[i + 1 :]
                return rest[: i + 1], message[1:] if message.startswith(" ") else message
        elif depth == 0:
            break
        i += 1
    return None, rest  # not structured data after all: all of it is the message


def _iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadLine(f"not a valid time: {text}") from exc


def _clock(hour: int, minute: int, second: int, fraction: str | None) -> tuple[int, int, int, int]:
    if hour > 23 or minute > 59 or second > 60:
        raise BadLine(f"not a valid time of day: {hour:02d}:{minute:02d}:{second:02d}")
    micro = int((fraction[1:] + "00000")[:6]) if fraction else 0
    return hour, minute, min(second, 59), micro  # a leap second is kept as :59


def _nil(value: str) -> str | None:
    return None if value == "-" else value


def _int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None
