"""The order a responder reads a CloudTrail sheet in: when, what, who, from where, did it work, where, with
what; then the rest. The web grid opens a sheet in this order (the sheet summary's ``column_order``); columns
not listed keep the reader's order after these."""

from __future__ import annotations

COLUMN_ORDER: tuple[str, ...] = (
    "eventTime",
    "eventName",
    "userIdentity.arn",
    "sourceIPAddress",
    "errorCode",
    "awsRegion",
    "userAgent",
    "eventSource",
    "userIdentity.type",
    "userIdentity.userName",
    "userIdentity.principalId",
    "userIdentity.accessKeyId",
    "userIdentity.accountId",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "resources",
    "readOnly",
    "eventType",
    "recipientAccountId",
    "eventID",
    "requestID",
)
