"""From lines to records: continuation lines, sudo's ``(command continued)``, repeated messages, rejects.

- A line that does not start a record continues the one before it: it is added to its ``message`` after a
  newline (blank lines in between are kept when more text follows, dropped at the end of a record). Before
  any record, or after a rejected line, it is a reject of its own. Continuations stop at 1 MiB of message;
  further lines are rejects with that reason (the original file keeps everything).
- sudo splits a long log line into several syslog lines, the later ones reading ``user : (command continued)
  REST``. Such a line is joined onto the sudo record just before it when that is sound: same host, program,
  pid and time stamp, same user, and that record is a sudo command. The ``command`` column then holds the
  whole command, the parts joined by one space (sudo drops the spaces where it splits, so one space is a
  guess); ``message`` keeps every line as written, one per line. Otherwise the line is a record of its own
  (event ``sudo_command_continued``, the rest in ``command``).
- ``last message repeated N times`` stays a record of its own, with ``repeated = N`` and no event (which
  message it repeats is the one before it). rsyslog's ``message repeated N times: [ MSG]`` gets
  ``repeated = N`` and the auth columns of MSG.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from logsheet.ingest.formats.base import RejectFn, SourceFile
from logsheet.ingest.formats.stage import StageWriter
from logsheet.ingest.formats.syslog import authlog
from logsheet.ingest.formats.syslog.lines import BadLine, Header, decode_escapes
from logsheet.ingest.formats.syslog.timestamps import Clock

ARROW = {"text": pa.string(), "integer": pa.int64(), "boolean": pa.bool_(), "timestamp": pa.timestamp("us", tz="UTC")}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("timestamp", "timestamp"),
    ("host", "text"),
    ("program", "text"),
    ("pid", "integer"),
    ("message", "text"),
    *authlog.COLUMNS,
    ("repeated", "integer"),
    ("facility", "text"),
    ("severity", "text"),
    ("msgid", "text"),
    ("structured_data", "text"),
    ("line_number", "integer"),
)
FIELDS = [(name, ARROW[kind]) for name, kind in COLUMNS]
AUTH_NAMES = [name for name, _ in authlog.COLUMNS]
MAX_MESSAGE = 1 << 20
REPEATED = re.compile(r"(?:last )?message repeated (\d{1,18}) times?(?:: \[ ?(?P<inner>.*)\])?", re.S)


@dataclass
class Pending:
    number: int
    header: Header
    moment: datetime | None
    extra: list[str] = field(default_factory=list)
    size: int = 0
    continued: list[str] = field(default_factory=list)  # sudo (command continued) parts
    continued_lines: list[str] = field(default_factory=list)


class Assembler:
    """Collects the lines of one source into records and writes them (or their rejects)."""

    def __init__(self, source: SourceFile, writer: StageWriter, reject: RejectFn, clock: Clock) -> None:
        self.source, self.writer, self._reject, self.clock = source, writer, reject, clock
        self.pending: Pending | None = None
        self.after_reject = False
        self.blanks = 0
        self.counts: Counter[str] = Counter()

    def start(self, number: int, text: str, header: Header) -> None:
        """A line that starts a record."""
        self.counts["blank"] += self.blanks
        self.blanks = 0
        if self._joins(header):
            return
        self.flush()
        try:
            moment = self.clock.utc(header)
        except BadLine as exc:
            self.reject(number, str(exc), text)
            return
        self.counts[header.kind] += 1
        self.pending = Pending(number, header, moment, size=len(header.message))

    def blank(self) -> None:
        self.blanks += 1

    def follow(self, number: int, text: str) -> None:
        """A line that does not start a record: it continues the one before."""
        pending = self.pending
        if pending is None:
            reason = "continues a rejected line" if self.after_reject else "not a syslog line, and no record before it"
            self.reject(number, reason, text)
            return
        if pending.size + len(text) > MAX_MESSAGE:
            self.reject(number, "continuation line beyond the 1 MiB message limit", text, keep=True)
            return
        pending.extra += [""] * self.blanks + [decode_escapes(text)]
        pending.size += len(text) + self.blanks + 1
        self.counts["continuation"] += 1 + self.blanks
        self.blanks = 0

    def reject(self, number: int, reason: str, text: str, keep: bool = False) -> None:
        if not keep:
            self.flush()
            self.pending, self.after_reject = None, True
        self._reject(self.source, number, reason, text)

    def flush(self) -> None:
        self.counts["blank"] += self.blanks
        self.blanks = 0
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self.after_reject = False
        h = pending.header
        message = "\n".join([h.message, *pending.extra])
        fields, repeated = _auth(h.program, message)
        if pending.continued:
            fields["command"] = " ".join([fields.get("command", ""), *pending.continued])
            message = "\n".join([message, *pending.continued_lines])
        auth = [fields.get(name) for name in AUTH_NAMES]
        self.writer.add(
            self.source.id, pending.number, pending.moment, h.host, h.program, h.pid, message, *auth,
            repeated, h.facility, h.severity, h.msgid, h.structured_data, pending.number,
        )  # fmt: skip

    def _joins(self, header: Header) -> bool:
        """Join a sudo ``(command continued)`` line onto the pending sudo record, when that is sound."""
        pending = self.pending
        if pending is None or authlog.family(header.program) != "sudo" or pending.extra:
            return False
        first = pending.header
        same = (first.program, first.host, first.pid, first.yearless, first.moment) == (
            header.program, header.host, header.pid, header.yearless, header.moment,
        )  # fmt: skip
        part = authlog.sudo_continuation(header.message) if same else None
        if part is None:
            return False
        fields = authlog.auth_fields(first.program, first.message)
        if fields.get("event") not in ("sudo_command", "sudo_failure") or fields.get("user") != part[0]:
            return False
        pending.continued.append(part[1])
        pending.continued_lines.append(header.message)
        self.counts["sudo_joined"] += 1
        return True


def _auth(program: str | None, message: str) -> tuple[dict[str, Any], int | None]:
    """The auth columns of a message, and N of a "message repeated N times"."""
    m = REPEATED.fullmatch(message) if "repeated" in message else None
    if m is None:
        fields = authlog.auth_fields(program, message)
        if not fields and authlog.family(program) == "sudo" and (part := authlog.sudo_continuation(message)):
            fields = {"event": "sudo_command_continued", "user": part[0], "command": part[1]}
        return fields, None
    inner = m["inner"]
    return (authlog.auth_fields(program, inner) if inner else {}), int(m[1])
