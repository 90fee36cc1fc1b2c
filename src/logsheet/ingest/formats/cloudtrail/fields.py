"""The CloudTrail sheet's columns, whatever the wrapper, and how one decoded record becomes them.

Every wrapper (S3 delivery, bare array, JSON lines, console or Lake export, single event) ends up as one JSON
record per row; :func:`columns` turns that record into the same typed columns:

- the stable scalar fields as text (never inferred: DuckDB would make request IDs UUIDs), ``eventTime`` as a
  UTC timestamp, ``readOnly`` / ``managementEvent`` as booleans (``"true"`` strings included);
- ``userIdentity.*`` and ``tlsDetails.*`` as dotted columns;
- the variable parts (``requestParameters``, ``responseElements``, ``resources``,
  ``userIdentity.sessionContext`` …) as JSON text, queried by path;
- ``extra``: every key the record holds that CloudTrail does not define (a shipper's ``@timestamp``,
  ``@version``, Datadog's ``aws``/``http``/``network``/``service``, an export's own columns), and unknown keys
  inside ``userIdentity`` and ``tlsDetails`` under those names, as one JSON object; blank when there is none.

Shipper fallbacks, used only when the CloudTrail field is absent: ``eventTime`` from ``@timestamp`` (Logstash,
Elastic), ``sourceIPAddress`` from ``network.client.ip``, ``userAgent`` from ``http.useragent`` and
``requestID`` from ``http.request_id`` (Datadog's remapping). The shipper's own keys stay in ``extra``.
"""

from __future__ import annotations

import json
from typing import Any

from sqlglot import exp

from logsheet.core.sqlnames import cast, func, ident, lit

TEXT_FIELDS = (
    "eventVersion",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestID",
    "eventID",
    "eventType",
    "apiVersion",
    "managementEvent",
    "readOnly",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "sessionCredentialFromConsole",
)
JSON_FIELDS = (
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "resources",
    "insightDetails",
    "edgeDeviceDetails",
    "addendum",
)
USER_IDENTITY_TEXT = (
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "invokedBy",
    "identityProvider",
    "credentialId",
)
USER_IDENTITY_JSON = ("sessionContext", "onBehalfOf", "inScopeOf")
TLS_TEXT = ("tlsVersion", "cipherSuite", "clientProvidedHostHeader")
BOOLEAN_FIELDS = ("readOnly", "managementEvent")
NESTED = {"userIdentity": USER_IDENTITY_TEXT + USER_IDENTITY_JSON, "tlsDetails": TLS_TEXT}
KNOWN = frozenset(TEXT_FIELDS + JSON_FIELDS + tuple(NESTED))
EXTRA = "extra"
TIME = "eventTime"
KEY = "eventID"

# Shipper spellings read when the CloudTrail field is absent: column -> path in the record.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "eventTime": ("@timestamp",),
    "sourceIPAddress": ("network", "client", "ip"),
    "userAgent": ("http", "useragent"),
    "requestID": ("http", "request_id"),
}
# A record holding none of these is not a CloudTrail event (a stray JSON object, a digest, a config file).
IDENTIFYING = ("eventID", "eventName", "eventSource", "eventTime", "@timestamp")
EVENT_DATA = "eventData"  # CloudTrail Lake integration events keep the event in here (mapped in Python)


def structure() -> str:
    """The JSON structure DuckDB's ``from_json`` decodes a record into (every scalar as text)."""
    shape: dict[str, Any] = {f: "VARCHAR" for f in TEXT_FIELDS} | {f: "JSON" for f in JSON_FIELDS}
    shape["userIdentity"] = {f: "VARCHAR" for f in USER_IDENTITY_TEXT} | {f: "JSON" for f in USER_IDENTITY_JSON}
    shape["tlsDetails"] = {f: "VARCHAR" for f in TLS_TEXT}
    shape[EVENT_DATA] = "JSON"
    for path in FALLBACKS.values():
        node = shape
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = "VARCHAR"
    return json.dumps(shape)


def _dot(expression: exp.Expr, *path: str) -> exp.Expr:
    for part in path:
        expression = exp.Dot(this=expression, expression=ident(part))
    return expression


def columns(s: exp.Expr, r: exp.Expr, k: exp.Expr) -> list[tuple[str, exp.Expr, str]]:
    """(column, expression, logical type) in sheet order, over ``s`` (the record decoded with
    :func:`structure`), ``r`` (the record as JSON text) and ``k`` (its :func:`keys`)."""

    def text(field: str) -> exp.Expr:
        value = _dot(s, field)
        if field in FALLBACKS and field != TIME:
            value = exp.Coalesce(this=value, expressions=[_dot(s, *FALLBACKS[field])])
        return value

    def stamp(value: exp.Expr) -> exp.Expr:
        return cast(value, "TIMESTAMPTZ", safe=True)

    time = exp.Coalesce(this=stamp(_dot(s, TIME)), expressions=[stamp(_dot(s, *FALLBACKS[TIME]))])
    out: list[tuple[str, exp.Expr, str]] = [(TIME, time, "timestamp")]
    for field in TEXT_FIELDS:
        if field == TIME:
            continue
        if field in BOOLEAN_FIELDS:
            out.append((field, cast(text(field), "BOOLEAN", safe=True), "boolean"))
        else:
            out.append((field, text(field), "text"))
        if field == "eventName":
            out += [(f"userIdentity.{u}", _dot(s, "userIdentity", u), "text") for u in USER_IDENTITY_TEXT]
            out += [(f"userIdentity.{u}", _dot(s, "userIdentity", u), "json") for u in USER_IDENTITY_JSON]
    out += [(f, _dot(s, f), "json") for f in JSON_FIELDS]
    out += [(f"tlsDetails.{t}", _dot(s, "tlsDetails", t), "text") for t in TLS_TEXT]
    out.append((EXTRA, extra(r, k), "json"))
    return out


def names() -> list[str]:
    """The sheet's data columns, in order (the same for every wrapper)."""
    return [n for n, _, _ in columns(exp.column("s"), exp.column("r"), exp.column("k"))]


def keys(r: exp.Expr) -> exp.Expr:
    """The record's keys at the top, in userIdentity and in tlsDetails, in one parse: ``k`` of :func:`columns`."""
    return func("json_keys", r, exp.Array(expressions=[lit("$"), *[lit(f"$.{n}") for n in NESTED]]))


def readable(s: exp.Expr) -> exp.Expr:
    """True when the decoded record is an event the fast path reads as it is: it holds at least one field that
    identifies a CloudTrail event, and it is not a Lake integration event (eventData and no eventName)."""

    def present(*path: str) -> exp.Expr:
        return exp.Not(this=exp.Is(this=_dot(s, *path), expression=exp.Null()))

    lake = exp.and_(present(EVENT_DATA), exp.Is(this=_dot(s, "eventName"), expression=exp.Null()))
    return exp.and_(exp.paren(exp.or_(*[present(f) for f in IDENTIFYING])), exp.Not(this=exp.paren(lake)))


def _nulls(keys: Any) -> exp.Expr:
    """A JSON merge patch that removes ``keys`` (RFC 7396: a null member deletes)."""
    return cast(lit(json.dumps(dict.fromkeys(keys))), "JSON")


def _strings(values: Any) -> exp.Expr:
    return exp.Array(expressions=[lit(v) for v in values])


def _all_known(k: exp.Expr) -> exp.Expr:
    """True when every key of the record is CloudTrail's (the usual case, decided without building ``extra``).
    A nested key whose value has no keys (text, a list, null, ``{}``) is left to the full computation."""
    top = func("list_extract", k, lit(1))
    conditions = [func("list_has_all", _strings(sorted(KNOWN)), top)]
    for index, (name, known) in enumerate(NESTED.items(), start=2):
        inner = exp.Coalesce(this=func("list_extract", k, lit(index)), expressions=[exp.Array(expressions=[])])
        conditions.append(func("list_has_all", _strings(known), inner))
        valueless = exp.and_(func("list_contains", top, lit(name)), exp.EQ(this=func("len", inner), expression=lit(0)))
        conditions.append(exp.Not(this=exp.paren(valueless)))
    return exp.and_(*conditions)


def extra(r: exp.Expr, k: exp.Expr) -> exp.Expr:
    """The record's keys that CloudTrail does not define, as one JSON object (NULL when there are none)."""
    return exp.Case(ifs=[exp.If(this=_all_known(k), true=exp.Null())], default=_unknown(r))


def _unknown(r: exp.Expr) -> exp.Expr:
    outside = func("json_merge_patch", r, _nulls(sorted(KNOWN)))
    members: list[exp.Expr] = []
    for name, known in NESTED.items():
        path = lit(f"$.{name}")
        unknown = exp.Nullif(this=func("json_merge_patch", func("json_extract", r, path), _nulls(known)), expression=lit("{}"))
        is_object = exp.EQ(this=func("json_type", r, path), expression=lit("OBJECT"))
        # An object keeps only its unknown keys; anything else (a string, a list) is kept whole.
        value = exp.Case(ifs=[exp.If(this=is_object, true=unknown)], default=func("json_extract", r, path))
        members += [lit(name), value]
    merged = func("json_merge_patch", outside, func("json_object", *members))
    return exp.Nullif(this=merged, expression=lit("{}"))
