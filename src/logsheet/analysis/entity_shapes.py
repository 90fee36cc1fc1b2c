"""Entity kinds by value shape: what a generic sheet's text columns hold, and what kind a pivoted value is.

A column is taken to hold an entity kind when most (:data:`MOST`) of its non-blank sampled values have that
kind's shape: IPv4/IPv6 addresses (``ip``), AWS access key ids (``AKIA…``/``ASIA…``: ``access_key``), EC2
instance ids (``i-`` and 8 or 17 hex digits: ``instance``) and ARNs (``arn:…``: ``user``, the principal a
responder follows). Account ids (12 digits) are named only by the formats that declare them: a column of
12-digit numbers is as likely a phone number or an order id.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

MOST = 0.8  # the share of a column's non-blank sampled values that must have a kind's shape

_ACCESS_KEY = re.compile(r"(AKIA|ASIA)[A-Z0-9]{12,124}")
_INSTANCE = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:.+")
_ACCOUNT = re.compile(r"[0-9]{12}")


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def shape_kind(value: str) -> str | None:
    """The entity kind a value's shape says it is (``ip``, ``access_key``, ``instance``, ``user`` for an ARN),
    or None."""
    text = value.strip()
    if is_ip(text):
        return "ip"
    if _ACCESS_KEY.fullmatch(text):
        return "access_key"
    if _INSTANCE.fullmatch(text):
        return "instance"
    if _ARN.fullmatch(text):
        return "user"
    return None


def value_kind(value: str) -> str | None:
    """The kind a pivoted value is on its face: its shape's, or ``account`` for twelve digits; None when its
    shape says nothing (a user or host name: the pivot then tells by the columns that hold it)."""
    found = shape_kind(value)
    if found is None and _ACCOUNT.fullmatch(value.strip()):
        return "account"
    return found


def column_kind(values: Iterable[object]) -> str | None:
    """The kind most (:data:`MOST`) of a column's non-blank sampled values have, or None."""
    present = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not present:
        return None
    counts: dict[str, int] = {}
    for value in present:
        kind = shape_kind(value)
        if kind is not None:
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return None
    kind, hits = max(counts.items(), key=lambda item: item[1])
    return kind if hits >= MOST * len(present) else None
