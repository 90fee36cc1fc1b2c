"""Recognising CloudTrail by content, whatever the wrapper, from the first bytes of a file.

The answer says how the file is read (:class:`Shape` ``kind``):

- ``records``: the S3 delivery ``{"Records": [...]}`` (also the console's JSON download), read by DuckDB;
- ``lines``: JSON lines from a log shipper, a single event, concatenated events, read by DuckDB;
- ``array``: a bare JSON array of events (Stratus Red Team's detonation logs), read by DuckDB;
- ``export``: a wrapper that is mapped in Python — the console's event-history CSV, ``aws cloudtrail
  lookup-events`` / the console's ``{"Events": [...]}`` with the event as a ``CloudTrailEvent`` string, CloudTrail
  Lake query results (``QueryResultRows``, lower-case column names, CSV) and Lake's ``eventData`` events;
- ``digest``: a CloudTrail digest file (integrity data, no events), skipped with a note.

Quirks:
- Keys are found with a pattern, not by parsing: the sample is cut at 64 KiB and a pretty-printed delivery
  is rarely whole. A CloudTrail event needs two of eventName/eventSource/eventTime/eventVersion and one of
  eventID/eventType/requestID/recipientAccountId, so that S3 event notifications (``"Records"`` with
  eventName and eventSource too, but ``s3SchemaVersion`` and no eventID) are not taken for CloudTrail.
- A CSV is an export when its header names eventTime and eventName (or Lake's eventData; any case, spaces
  or underscores ignored) and at least two more CloudTrail columns. The OTRF honey-bucket CSV
  (``Event DateTime``, ``Source IP``, Python-dict cells, an ``Alert`` column of its own) is a tool's alert
  export, not one of AWS's: it has no eventTime, eventSource or awsRegion column, so it stays a generic CSV;
  ``--format cloudtrail`` still maps it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from logsheet.ingest.formats.base import Detection, Sample
from logsheet.ingest.formats.generic.csvfmt import decode_sample, dialect

name = "cloudtrail"
_KEY = re.compile(rb'"([A-Za-z@_][A-Za-z0-9@_.\-]{0,40})"\s*:')
_ENVELOPE = re.compile(rb'\{\s*"Records"\s*:\s*\[')
CORE = {"eventName", "eventSource", "eventTime", "eventVersion"}
SPECIFIC = {"eventID", "eventType", "requestID", "recipientAccountId"}
LAKE = {"eventid", "eventname", "eventtime", "eventsource", "eventversion", "useridentity", "awsregion", "eventcategory"}
CONSOLE = {"username", "awsaccesskey", "resourcetype", "resourcename", "cloudtrailevent"}


@dataclass(frozen=True)
class Shape:
    kind: str  # records | lines | array | export | digest
    confidence: float
    reason: str


def envelope(head: bytes) -> bool:
    """The file starts as an S3 delivery does: ``{"Records": [``."""
    return bool(_ENVELOPE.match(head.lstrip(b"\xef\xbb\xbf \t\r\n")))


def norm(column: str) -> str:
    """A column name compared loosely: ``Event time``, ``eventTime``, ``event_time`` are all ``eventtime``."""
    return re.sub(r"[^a-z0-9]", "", column.lower())


def sniff(sample: Sample) -> Detection | None:
    shape = classify(sample.head)
    return Detection(name, shape.confidence, shape.reason) if shape else None


def classify(head: bytes) -> Shape | None:
    """What kind of CloudTrail file this is, judged from its first bytes; None when it is not CloudTrail."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return _json_shape(stripped)
    return _csv_shape(head)


def _json_shape(head: bytes) -> Shape | None:
    keys = {k.decode() for k in _KEY.findall(head)}
    digest = "digestPublicKeyFingerprint" in keys or {"digestStartTime", "awsAccountId"} <= keys
    if digest and head.startswith(b"{") and not _ENVELOPE.match(head):
        return Shape("digest", 0.99, "a CloudTrail digest file (integrity data, no events): recognised and skipped")
    if "CloudTrailEvent" in keys and keys & {"EventId", "EventName", "EventTime"}:
        return Shape("export", 0.97, "CloudTrail event history (LookupEvents JSON: the CloudTrailEvent of each event is parsed)")
    if "QueryResultRows" in keys:
        return Shape("export", 0.97, "CloudTrail Lake query results (GetQueryResults JSON)")
    if "eventData" in keys and b'"ActivityAuditLog"' in head:
        return Shape("export", 0.95, "CloudTrail Lake integration events (the event is in eventData)")
    events = len(keys & CORE) >= 2 and bool(keys & SPECIFIC) and "s3SchemaVersion" not in keys
    if not events:
        lower = keys & LAKE
        if len(lower) >= 3 and {"eventtime", "eventname"} & lower:
            return Shape("export", 0.95, f"CloudTrail Lake query results ({len(lower)} lower-case CloudTrail columns)")
        if _ENVELOPE.match(head) and re.match(rb'\{\s*"Records"\s*:\s*\[\s*\]\s*\}\s*$', head):
            return Shape("records", 0.9, 'an empty {"Records": []} envelope (a CloudTrail delivery with no events)')
        return None
    shipper = "@timestamp" in keys and "eventTime" not in keys
    if _ENVELOPE.match(head):
        return Shape("records", 0.99, 'a {"Records": [...]} envelope of CloudTrail events')
    if head.startswith(b"["):
        return Shape("array", 0.97, "a JSON array of CloudTrail events")
    if b'"Records"' in head[:4096]:
        return Shape("records", 0.95, 'an object with a "Records" list of CloudTrail events')
    lines = [line for line in head.split(b"\n") if line.strip()]
    if len(lines) >= 2 and lines[1].lstrip().startswith(b"{") and lines[0].rstrip().endswith(b"}"):
        detail = "; @timestamp and no eventTime: a log shipper's output, eventTime taken from @timestamp" if shipper else ""
        return Shape("lines", 0.97, "JSON lines of CloudTrail events" + detail)
    return Shape("lines", 0.96, "a single CloudTrail event (one JSON object)")


def header(head: bytes) -> tuple[list[str], str] | None:
    """(column names, delimiter) of a CSV sample's first line, or None when it is not CSV-like."""
    text, _ = decode_sample(head)
    if not text.strip() or "\x00" in text[:4096]:
        return None
    delimiter, _, width = dialect(text)
    if width < 2:
        return None
    first = next(csv.reader(text.lstrip("\ufeff").splitlines()[:1], delimiter=delimiter), [])
    return first, delimiter


def _csv_shape(head: bytes) -> Shape | None:
    found = header(head)
    if found is None:
        return None
    columns = {norm(c) for c in found[0]}
    known = columns & (
        LAKE | CONSOLE | {"awsregion", "errorcode", "sourceipaddress", "readonly", "resources", "requestid", "eventdata"}
    )
    if "eventtime" not in columns or not columns & {"eventname", "eventdata"} or len(known) < 4:
        return None
    if columns & CONSOLE:
        detail = "; the full event in its 'CloudTrail event' column is parsed" if "cloudtrailevent" in columns else ""
        return Shape("export", 0.97, f"a CloudTrail console event-history export (CSV, {len(found[0])} columns){detail}")
    return Shape("export", 0.95, f"CloudTrail events as CSV (CloudTrail Lake query results: {len(known)} CloudTrail columns)")
