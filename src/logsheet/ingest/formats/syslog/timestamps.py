"""When a syslog record happened, in UTC: the year RFC 3164 leaves out, and the zone it (and zoneless ISO) leaves out.

The year rule, per file: a time stamp without a year gets the latest year that does not put it more than a
day after the file's *reference time* (the day absorbs clock skew and zone differences). The reference time
is the file's modification time, read as wall time in the file's zone; with ``--year Y`` it is the file's
last year-less time stamp placed in year Y (so ``--year`` names the year of the file's last line). Either
way a file that runs from December into January gets the previous year for its December lines, and a file
whose lines are not in order (test collections, merged logs) still gets the right year for each line, as
long as the whole file spans less than a year. ``29 Feb`` goes to the latest leap year the rule allows; a
date no year has (``Feb 30``) makes the line a reject.

The zone: times without one (RFC 3164, ISO without an offset) are wall time in ``--timezone`` (an IANA
name, default UTC) and are converted to UTC; an ambiguous wall time in the autumn overlap is taken as the
first of the two. Times with an offset (RFC 5424, ISO with ``Z`` or ``+hh:mm``) and epochs (audit, journal)
are exact and ignore ``--timezone``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logsheet.core.errors import LogsheetError
from logsheet.ingest.formats.syslog.lines import RFC3164, BadLine, Header, Yearless, parse_line

SLACK = timedelta(days=1)
END_OF_YEAR = Yearless(12, 31, 23, 59, 59, 999_999)


def zone(name: str | None) -> tzinfo:
    if not name or name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LogsheetError(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC") from None


class Clock:
    """Turns the time stamp of a header into a UTC datetime, for one file."""

    def __init__(self, tz: tzinfo, reference: datetime) -> None:
        self.tz = tz
        self.reference = reference  # naive wall time in tz
        try:
            self.limit = reference + SLACK
        except OverflowError:
            self.limit = reference

    def utc(self, header: Header) -> datetime | None:
        moment = header.moment
        if header.yearless is not None:
            moment = self.place(header.yearless)
        if moment is None:
            return None
        try:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.tz)
            return moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise BadLine(f"time out of range: {moment}") from exc

    def place(self, stamp: Yearless) -> datetime:
        for year in range(self.limit.year, max(self.limit.year - 9, 0), -1):
            candidate = stamp.in_year(year)
            if candidate is not None and candidate <= self.limit:
                return candidate
        raise BadLine(f"no year has {stamp.day} of month {stamp.month} at that time")


def mtime_reference(path: Path, tz: tzinfo) -> datetime:
    """The file's modification time as wall time in tz (naive)."""
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, tz).replace(tzinfo=None)
    except (OSError, OverflowError, ValueError):
        return datetime.now(tz).replace(tzinfo=None)


def year_reference(year: int, last: Yearless | None) -> datetime:
    """``--year``: the file's last year-less time stamp, in that year (the end of the year when it has none)."""
    if not 1 <= year <= 9999:
        raise LogsheetError(f"--year must be between 1 and 9999, not {year}")
    placed = (last or END_OF_YEAR).in_year(year)
    return placed or datetime(year, 2, 28, 23, 59, 59, 999_999)  # 29 Feb in a common year


def last_yearless(lines: Iterable[str]) -> Yearless | None:
    """The last RFC 3164 time stamp among the lines (None when there is none)."""
    last = None
    for text in lines:
        if RFC3164.match(text) is None:
            continue
        try:
            header = parse_line(text)
        except BadLine:
            continue
        if header is not None and header.yearless is not None and header.yearless.in_year(2000) is not None:
            last = header.yearless  # (2000 is a leap year: this only skips dates no year has)
    return last
