"""``journalctl -o json`` exports: one JSON object per line, read as syslog records (part of the ``syslog`` format).

Fields: ``__REALTIME_TIMESTAMP`` (microseconds since the epoch, as text: exact, no zone guessing; else
``_SOURCE_REALTIME_TIMESTAMP``), ``_HOSTNAME``, ``SYSLOG_IDENTIFIER`` (else ``_COMM``), ``SYSLOG_PID`` (else
``_PID``), ``MESSAGE``, ``PRIORITY`` and ``SYSLOG_FACILITY`` (numbers, named as in RFC 5424). Quirks: a
``MESSAGE`` that is not valid UTF-8 is exported as an array of byte values (decoded here with ``\\xNN``
escapes for the bad bytes); a field written several times in one entry is an array (the first value is
used); every value is text, numbers included. A line that is not a JSON object is a reject.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from logsheet.ingest.formats.syslog.lines import FACILITIES, SEVERITIES, BadLine, Header

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_journal(text: str) -> bool:
    """Is this line a journal entry (a JSON object with ``__REALTIME_TIMESTAMP``)?"""
    if not text.lstrip().startswith("{") or "__REALTIME_TIMESTAMP" not in text:
        return False
    try:
        entry = json.loads(text)
    except ValueError:
        return False
    return isinstance(entry, dict) and "__REALTIME_TIMESTAMP" in entry


def parse_entry(text: str) -> Header:
    try:
        entry = json.loads(text)
    except ValueError as exc:
        raise BadLine(f"not a JSON journal entry: {exc}") from None
    if not isinstance(entry, dict):
        raise BadLine(f"a journal entry is a JSON object, not {type(entry).__name__}")
    message = entry.get("MESSAGE")
    return Header(
        "journal",
        moment=_moment(_text(entry.get("__REALTIME_TIMESTAMP")) or _text(entry.get("_SOURCE_REALTIME_TIMESTAMP"))),
        host=_text(entry.get("_HOSTNAME")),
        program=_text(entry.get("SYSLOG_IDENTIFIER")) or _text(entry.get("_COMM")),
        pid=_number(entry.get("SYSLOG_PID")) or _number(entry.get("_PID")),
        message=_message(message),
        facility=_name(FACILITIES, entry.get("SYSLOG_FACILITY")),
        severity=_name(SEVERITIES, entry.get("PRIORITY")),
    )


def _message(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value).decode("utf-8", errors="backslashreplace")
    return value if isinstance(value, str) else json.dumps(value)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: Any) -> int | None:
    text = _text(value)
    if text and text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def _moment(micros: str | None) -> datetime | None:
    number = _number(micros)
    if number is None:
        return None
    try:
        return EPOCH + timedelta(microseconds=number)
    except OverflowError:
        raise BadLine(f"journal time out of range: {micros}") from None


def _name(names: tuple[str, ...], value: Any) -> str | None:
    number = _number(value)
    return names[number] if number is not None and number < len(names) else None
