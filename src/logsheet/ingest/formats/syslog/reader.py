"""syslog / auth.log / secure / messages, and ``journalctl -o json`` exports: one row per record, auth events as columns.

Detection is by content: most of the first lines (``#`` comments and journalctl's ``-- Reboot --`` markers
aside) start with a syslog time stamp (RFC 3164, RFC 5424, ISO 8601 followed by a tag, audit), or the
first line is a journal JSON entry. The line grammar is :mod:`~logsheet.ingest.formats.syslog.lines`, years and
zones :mod:`~logsheet.ingest.formats.syslog.timestamps`, record assembly :mod:`~logsheet.ingest.formats.syslog.records`, auth
events :mod:`~logsheet.ingest.formats.syslog.authlog`, journal entries :mod:`~logsheet.ingest.formats.syslog.journal`.

Per file, in one streaming pass (plus, with ``--year``, a look at the file's tail for its last time stamp):
- bytes are decoded as UTF-8, bad bytes kept visibly as ``\\xNN``; CRLF endings lose the CR; the last line
  may lack its newline; a physical line over 1 MiB is a reject;
- ``#`` comment lines (fail2ban's ``# failJSON:``), journalctl markers and blank lines are not records: they
  are neither rows nor rejects, and the source's note says how many there were;
- a file whose first lines have no time stamps at all, but read ``HOST PROGRAM[PID]: MESSAGE``, is read in
  that form (rows without a time);
- records read = rows + rejects for every file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.errors import LogsheetError
from logsheet.core.sqlnames import col
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.ingest.formats.generic.text import decode_line
from logsheet.ingest.formats.stage import StageWriter, parquet_table
from logsheet.ingest.formats.syslog import journal
from logsheet.ingest.formats.syslog.lines import MARKER, BadLine, Yearless, is_bare, parse_line, starts_record
from logsheet.ingest.formats.syslog.records import COLUMNS, FIELDS, Assembler
from logsheet.ingest.formats.syslog.timestamps import Clock, last_yearless, mtime_reference, year_reference, zone

name = "syslog"
description = "syslog / auth.log / secure (RFC 3164, RFC 5424, ISO 8601, journalctl JSON), with sshd/sudo/PAM events as columns"
MAX_LINE = 1 << 20
PEEK = 50  # lines looked at to choose how a file is read
TAIL = 256 * 1024


def sniff(sample: Sample) -> Detection | None:
    lines = sample.text().removeprefix("\ufeff").splitlines()
    if sample.truncated and len(lines) > 1:
        lines = lines[:-1]
    meaningful = [line for line in lines if line.strip() and not _ignored(line)][:PEEK]
    if not meaningful:
        return None
    if journal.is_journal(meaningful[0]):
        return Detection(name, 0.95, "journalctl JSON export (__REALTIME_TIMESTAMP, MESSAGE)")
    hits = sum(1 for line in meaningful if starts_record(line))
    share = hits / len(meaningful)
    why = f"{hits} of the first {len(meaningful)} lines start with a syslog time stamp"
    if share >= 0.5:
        return Detection(name, 0.9, why)
    if share >= 0.2 and starts_record(meaningful[0]):
        return Detection(name, 0.6, why + " (the others would continue them)")
    bare = sum(1 for line in meaningful if is_bare(line))
    if len(meaningful) >= 2 and bare / len(meaningful) >= 0.8:
        why = f"{bare} of the first {len(meaningful)} lines read 'host program[pid]: message' (no time stamps)"
        return Detection(name, 0.55, why)
    return None


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    tz = zone(ctx.options.get("timezone"))
    year = _year(ctx.options.get("year"))
    path = ctx.new_path("syslog", ".parquet")
    writer = StageWriter(path, FIELDS)
    notes: dict[int, str] = {}
    for source in sources:
        reference = year_reference(year, _last_stamp(source)) if year is not None else mtime_reference(source.path, tz)
        when = f"{reference:%Y-%m-%d %H:%M} {getattr(tz, 'key', 'UTC')}"
        basis = f"--year {year}" if year is not None else f"the file's modification time {when}"
        assembler = Assembler(source, writer, ctx.reject, Clock(tz, reference))
        ignored = _read_source(source, assembler)
        notes[source.id] = _note(assembler, ignored, basis)
    writer.close()
    select = exp.select(col(SOURCE), col(POS), *[col(n) for n, _ in COLUMNS]).from_(parquet_table([path]))
    return Staged(select=select, types=dict(COLUMNS), time_column="timestamp", notes=notes)


def _read_source(source: SourceFile, assembler: Assembler) -> int:
    """Feed every line of a source to the assembler; returns the number of comment and marker lines."""
    ignored = 0
    with open_text(source) as fh:
        lines = _numbered(fh)
        head = list(itertools.islice(lines, PEEK * 2))
        meaningful = [t for _, t, _ in head if t.strip() and not _ignored(t)][:PEEK]
        is_journal = bool(meaningful) and journal.is_journal(meaningful[0])
        bare = not is_journal and any(map(is_bare, meaningful)) and not any(map(starts_record, meaningful))
        number = 0
        for number, text, too_long in itertools.chain(head, lines):
            if too_long:
                assembler.reject(number, f"line longer than {MAX_LINE} bytes", text)
            elif not text.strip():
                assembler.blank()
            elif _ignored(text):
                ignored += 1
            elif is_journal:
                _journal_line(assembler, number, text)
            else:
                _syslog_line(assembler, number, text, bare)
        if getattr(fh, "damage", ""):  # a .gz cut short or followed by bytes that are not gzip
            assembler.reject(number + 1, f"line {number + 1}: {fh.damage}", "")
    assembler.flush()
    return ignored


def _syslog_line(assembler: Assembler, number: int, text: str, bare: bool) -> None:
    try:
        header = parse_line(text, bare)
    except BadLine as exc:
        assembler.reject(number, str(exc), text)
        return
    if header is None:
        assembler.follow(number, text)
    else:
        assembler.start(number, text, header)


def _journal_line(assembler: Assembler, number: int, text: str) -> None:
    try:
        assembler.start(number, text, journal.parse_entry(text))
    except BadLine as exc:
        assembler.reject(number, str(exc), text)


def _numbered(fh) -> Iterator[tuple[int, str, bool]]:  # type: ignore[no-untyped-def]
    """(line number, text, too long) for each line; a line over MAX_LINE bytes is cut there and flagged.

    LF, CRLF and a lone CR (old Mac exports, mixed in one file too) all end a line, as for text files."""
    number = 0
    while raw := fh.readline(MAX_LINE):
        if number == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
        too_long = len(raw) >= MAX_LINE and not raw.endswith(b"\n")
        while too_long and (more := fh.readline(MAX_LINE)) and not more.endswith(b"\n"):
            pass
        body = raw[:-1] if raw.endswith(b"\n") else raw
        body = body[:-1] if body.endswith(b"\r") else body
        for part in [body] if too_long or b"\r" not in body else body.split(b"\r"):
            number += 1
            yield number, decode_line(part), too_long


def _year(value: object) -> int | None:
    if value is None:
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise LogsheetError(f"--year must be a whole number, not {value!r}") from None


def _ignored(text: str) -> bool:
    return text.startswith("#") or MARKER.fullmatch(text) is not None


def _last_stamp(source: SourceFile) -> Yearless | None:
    """The file's last RFC 3164 time stamp (for --year): from its tail when it is there, else from all of it."""
    with open_text(source) as fh:
        if not source.compressed and source.size > TAIL:
            fh.seek(source.size - TAIL)
            found = last_yearless(decode_line(raw) for raw in fh.read().split(b"\n")[1:])
            if found is not None:
                return found
            fh.seek(0)
        return last_yearless(decode_line(raw) for raw in fh)


def _note(assembler: Assembler, ignored: int, basis: str) -> str:
    counts = assembler.counts
    kinds = {"rfc3164": "RFC 3164", "rfc5424": "RFC 5424", "iso": "ISO 8601", "audit": "audit", "journal": "journal JSON"}
    found = [f"{counts[k]} {label}" for k, label in kinds.items() if counts[k]]
    if counts["bare"]:
        found.append(f"{counts['bare']} (without time stamps)")
    parts = [", ".join(found) + " records" if found else "no records"]
    if counts["rfc3164"]:
        parts.append(f"years from {basis}")
    if counts["continuation"]:
        parts.append(f"{counts['continuation']} continuation lines joined to their record")
    if counts["sudo_joined"]:
        parts.append(f"{counts['sudo_joined']} sudo '(command continued)' lines joined")
    if ignored or counts["blank"]:
        parts.append(f"{ignored} comment/marker and {counts['blank']} blank lines are not records")
    return "; ".join(parts)
