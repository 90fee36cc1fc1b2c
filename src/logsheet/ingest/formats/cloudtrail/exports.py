"""Every CloudTrail wrapper's record, as the CloudTrail event it stands for.

:func:`canonical` takes one record as a wrapper holds it and returns the event with CloudTrail's own field
names (or the reason it is not an event); the sheet's columns are then made from it like from any delivery.

- An event (``eventName``, ``eventSource`` …) is kept as it is.
- An event-history record (``aws cloudtrail lookup-events``, the console's JSON and CSV downloads) carries the
  whole event as text (``CloudTrailEvent`` / the ``CloudTrail event`` column): that text is the event. Its
  other columns are the console's summary of the same event, except the console's ``Resources`` /
  ``Resource type`` / ``Resource name`` (AWS's own extraction, not the event's ``resources``), which are kept
  in ``extra``. Without the full event, the summary columns are mapped: ``Event time`` → eventTime,
  ``User name`` → userIdentity.userName, ``AWS access key`` → userIdentity.accessKeyId, ``Event source``,
  ``AWS region``, ``Error code``, ``Source IP address``, ``Read only``.
- A CloudTrail Lake row (``eventid``, ``useridentity`` … or flattened ``useridentity.arn`` /
  ``userIdentity_arn``) is mapped by name, compared loosely (any case, ``.``/``_``/spaces ignored); nested
  values are decoded (:mod:`cloudtrail_values`). Lake's integration events keep their event in ``eventData``:
  its eventSource, eventName, userIdentity type and principalId, request and response are lifted to the
  CloudTrail columns when the record has none, and ``eventData`` itself stays in ``extra``.
- Columns that are not CloudTrail's (an export's own, a shipper's) are kept under their own names, so that
  they land in ``extra``.
"""

from __future__ import annotations

import json
from typing import Any

from logsheet.ingest.formats.cloudtrail.fields import IDENTIFYING, JSON_FIELDS, NESTED, TEXT_FIELDS
from logsheet.ingest.formats.cloudtrail.sniff import norm
from logsheet.ingest.formats.cloudtrail.values import blank, camel, event_time, nested

Path = tuple[str, ...]
FIELDS: dict[str, Path] = {norm(f): (f,) for f in TEXT_FIELDS + JSON_FIELDS + tuple(NESTED)}
FIELDS |= {norm(parent + child): (parent, child) for parent, children in NESTED.items() for child in children}
# Other spellings of CloudTrail fields in exports: the console's columns, LookupEvents, the OTRF honey-bucket CSV.
ALIASES: dict[str, Path] = {
    "username": ("userIdentity", "userName"),
    "awsaccesskey": ("userIdentity", "accessKeyId"),
    "accesskeyid": ("userIdentity", "accessKeyId"),
    "eventdatetime": ("eventTime",),
    "sourceip": ("sourceIPAddress",),
    "requestuseragent": ("userAgent",),
    "userid": ("userIdentity",),
}
EMBEDDED = ("cloudtrailevent", "eventjson")  # columns that hold the whole event as JSON text
CONSOLE_ONLY = ("resources", "resourcetype", "resourcename")  # the console's summary, not the event's own
EVENT_KEYS = frozenset(TEXT_FIELDS + JSON_FIELDS + tuple(NESTED))
_RESOURCE_NAMES = {"arn": "ARN", "arnprefix": "ARNPrefix", "accountid": "accountId"}
_LIFTED = (
    "eventSource",
    "eventName",
    "eventTime",
    "userAgent",
    "sourceIPAddress",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "recipientAccountId",
)


def canonical(record: Any, tabular: bool = False) -> tuple[dict[str, Any] | None, str]:
    """(event, "") or (None, reason). ``tabular``: the record is a row of text cells (CSV, Lake rows)."""
    if not isinstance(record, dict):
        return None, "not a JSON object"
    event = record if not tabular and _is_event(record) else _mapped(record)
    event = _lift_event_data(event)
    if not any(not blank(event.get(f)) for f in IDENTIFYING):
        return None, "not a CloudTrail event: it has no eventID, eventName, eventSource or eventTime"
    return event, ""


def _is_event(record: dict[str, Any]) -> bool:
    return any(k in record for k in ("eventName", "eventSource", "eventID", "eventTime", "eventVersion", "@timestamp"))


def _mapped(row: dict[str, Any]) -> dict[str, Any]:
    """A row whose columns name CloudTrail fields in any spelling, as an event (its other columns kept)."""
    keys = {norm(str(c)): c for c in row}
    console = any(k in keys for k in ("cloudtrailevent", "username", "awsaccesskey", "resourcetype"))
    embedded = next((nested(row[keys[k]]) for k in EMBEDDED if k in keys and not blank(row[keys[k]])), None)
    out: dict[str, Any] = {}
    leftovers: dict[str, Any] = {}
    for column, value in row.items():
        key = norm(str(column))
        if key in EMBEDDED:
            if not isinstance(embedded, dict) and not blank(value):
                leftovers[str(column)] = value  # the event text could not be read: keep it
            continue
        path = None if console and key in CONSOLE_ONLY else ALIASES.get(key) or FIELDS.get(key)
        if path is None:
            if not blank(value):
                leftovers[str(column)] = nested(value)  # a cell of JSON (or struct) text is kept decoded
        elif not blank(value):
            _put(out, path, _convert(path, value, lake=not console))
    if isinstance(embedded, dict):
        out = dict(embedded)
    for column, value in leftovers.items():
        out.setdefault(column, value)
    return out


def _convert(path: Path, value: Any, lake: bool) -> Any:
    if path == ("eventTime",):
        return event_time(value)
    top = path[0]
    if len(path) == 1 and top in TEXT_FIELDS:
        return value
    decoded = nested(value)
    if top == "resources" and lake:
        return camel(decoded, _RESOURCE_NAMES)
    if top in ("userIdentity", "tlsDetails") and lake:
        return camel(decoded)
    return decoded


def _put(out: dict[str, Any], path: Path, value: Any) -> None:
    if len(path) == 1:
        if isinstance(value, dict) and isinstance(out.get(path[0]), dict):
            out[path[0]] = {**value, **out[path[0]]}  # flattened columns win over the struct's copy
        else:
            out[path[0]] = value
        return
    parent = out.setdefault(path[0], {})
    if isinstance(parent, dict):
        parent[path[1]] = value


def _lift_event_data(event: dict[str, Any]) -> dict[str, Any]:
    """Lake integration events: the event's fields from ``eventData`` when the record has none of its own
    (names compared without case: Lake's query results lower-case them)."""
    data = next((nested(v) for k, v in event.items() if isinstance(k, str) and k.lower() == "eventdata"), None)
    if not isinstance(data, dict) or not blank(event.get("eventName")):
        return event
    found = {str(k).lower(): v for k, v in data.items()}
    out = dict(event)
    for field in _LIFTED:
        value = found.get(field.lower())
        if blank(out.get(field)) and not blank(value):
            out[field] = event_time(value) if field == "eventTime" else value
    identity = found.get("useridentity")
    if isinstance(identity, dict) and not isinstance(out.get("userIdentity"), dict):
        ids = {str(k).lower(): v for k, v in identity.items()}
        out["userIdentity"] = {k: ids[k.lower()] for k in ("type", "principalId") if k.lower() in ids}
    return out


def lookup_rows(document: Any) -> list[Any] | None:
    """The records of an export document, or None when the document is not one of the known wrappers:
    ``{"Records": [...]}``, ``{"Events": [...]}`` (LookupEvents), ``{"QueryResultRows": [[{col: value}, ...]]}``
    (Lake's GetQueryResults)."""
    if not isinstance(document, dict):
        return None
    for key in ("Records", "Events"):
        if isinstance(document.get(key), list):
            return list(document[key])
    rows = document.get("QueryResultRows")
    if isinstance(rows, list):
        return [_merge_cells(row) for row in rows]
    return None


def _merge_cells(row: Any) -> Any:
    if not isinstance(row, list):
        return row
    merged: dict[str, Any] = {}
    for cell in row:
        if isinstance(cell, dict):
            merged.update(cell)
    return merged


def is_digest(document: Any) -> bool:
    return isinstance(document, dict) and (
        "digestPublicKeyFingerprint" in document or {"digestStartTime", "awsAccountId"} <= document.keys()
    )


def dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, default=str)
