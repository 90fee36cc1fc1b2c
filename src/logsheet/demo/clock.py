"""Time in the demo: integer UTC epoch seconds, formatted the way each log writes them."""

from __future__ import annotations

import calendar
import time

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOUR = 3600
DAY = 24 * HOUR


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """Epoch seconds of a UTC wall-clock time."""
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


def iso_z(ts: int) -> str:
    """``2022-03-22T15:48:02Z``, as CloudTrail writes eventTime."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def compact_z(ts: int) -> str:
    """``20220322T1545Z``, as CloudTrail names its delivered files."""
    return time.strftime("%Y%m%dT%H%MZ", time.gmtime(ts))


def syslog_stamp(ts: int) -> str:
    """``Mar  2 15:31:07``: RFC 3164, day padded with a space, no year; locale-independent."""
    t = time.gmtime(ts)
    return f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"


def console_stamp(ts: int) -> str:
    """``Mar 22, 2022, 9:48:02 PM``, as STS writes credential expirations in CloudTrail."""
    t = time.gmtime(ts)
    hour12 = t.tm_hour % 12 or 12
    half = "AM" if t.tm_hour < 12 else "PM"
    return f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday}, {t.tm_year}, {hour12}:{t.tm_min:02d}:{t.tm_sec:02d} {half}"


def hour_of_day(ts: int) -> int:
    return (ts % DAY) // HOUR


def is_weekend(ts: int) -> bool:
    return time.gmtime(ts).tm_wday >= 5
