"""Cell values of CloudTrail exports, back to what the event held.

Quirks handled here:
- Nested values arrive as JSON text (console, most Lake exports), as Trino's struct/map text from CloudTrail
  Lake (``{type=IAMUser, principalid=AIDA…, sessioncontext={attributes={…}}}``), or as Python-dict text
  (``{'type': 'AWSAccount', …}``, the OTRF honey-bucket export). Each is tried in that order; Python text is
  read with ``ast.literal_eval`` (literals only, never code). What none of them reads stays text.
- Trino's text is ambiguous (a value may hold ``", "``): a value ends at ``}`` or at ``, `` followed by
  ``name=``, which is right for the names CloudTrail uses.
- Lake lower-cases the names of struct fields (``principalid``); the ones CloudTrail defines get their
  CloudTrail spelling back (``principalId``). Map keys (``requestParameters``) are kept as they are.
- Times: ISO 8601 with ``Z``, an offset or none (Lake's ``2023-01-05 13:51:00.000``, taken as UTC), the
  console's ``Mar 22, 2022, 3:48:02 PM`` and ``2022-03-22, 03:48:02 PM``, epoch seconds or milliseconds.
"""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime
from typing import Any

# CloudTrail's own spelling of struct field names that Lake lower-cases.
CAMEL_NAMES = (
    "principalId", "accountId", "accessKeyId", "userName", "invokedBy", "identityProvider", "credentialId",
    "sessionContext", "onBehalfOf", "inScopeOf", "attributes", "creationDate", "mfaAuthenticated", "sessionIssuer",
    "webIdFederationData", "federatedProvider", "sourceIdentity", "ec2RoleDelivery", "ec2IssuedInVPC", "assumedRoot",
    "userId", "identityStoreArn", "sourceArn", "sourceAccount", "issuerType", "credentialsIssuedTo", "tlsVersion",
    "cipherSuite", "clientProvidedHostHeader", "type", "arn",
)  # fmt: skip
CAMEL = {n.lower(): n for n in CAMEL_NAMES}
_CONSOLE_TIMES = ("%b %d, %Y, %I:%M:%S %p", "%Y-%m-%d, %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%d/%m/%Y, %H:%M:%S")
_NAME = re.compile(r",\s*[A-Za-z0-9_@:.\-]+=")


def blank(value: Any) -> bool:
    """No value: None, empty or blank text, an empty list or object."""
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list | dict) and not value)


def nested(value: Any) -> Any:
    """A nested value from its text (JSON, Trino struct text or Python-dict text); other values as they are."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text or text[0] not in "{[":
        return value
    for reader in (json.loads, _python_literal, trino):
        try:
            return reader(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return value


def _python_literal(text: str) -> Any:
    value = ast.literal_eval(text)
    if not isinstance(value, dict | list):
        raise ValueError("not a container")
    return value


def camel(value: Any, names: dict[str, str] = CAMEL) -> Any:
    """Lake's lower-cased struct field names back to CloudTrail's spelling, recursively."""
    if isinstance(value, dict):
        return {names.get(k, k): camel(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v, names) for v in value]
    return value


def trino(text: str) -> Any:
    """Parse Trino's text of a struct or map (``{a=1, b={c=x}}``) or array (``[x, y]``)."""
    value, end = _value(text, 0, "")
    if text[end:].strip():
        raise ValueError(f"unexpected text at {end}")
    if not isinstance(value, dict | list):
        raise ValueError("not a struct, map or array")
    return value


def _value(text: str, i: int, closer: str) -> tuple[Any, int]:
    if text.startswith("{", i):
        out: dict[str, Any] = {}
        i += 1
        while i < len(text) and text[i] != "}":
            equals = text.find("=", i)
            if equals < 0:
                raise ValueError("a struct field without '='")
            key = text[i:equals].strip()
            value, i = _value(text, equals + 1, "}")
            out[key] = value
            i = _after_separator(text, i)
        return out, i + 1
    if text.startswith("[", i):
        items: list[Any] = []
        i += 1
        while i < len(text) and text[i] != "]":
            value, i = _value(text, i, "]")
            items.append(value)
            i = _after_separator(text, i)
        return items, i + 1
    end = _scalar_end(text, i, closer)
    raw = text[i:end].strip()
    return (None if raw == "null" else raw), end


def _after_separator(text: str, i: int) -> int:
    if text.startswith(",", i):
        i += 1
        while i < len(text) and text[i] == " ":
            i += 1
    return i


def _scalar_end(text: str, i: int, closer: str) -> int:
    """Where a scalar ends: at the closer of its container, or at a separator before the next field."""
    if closer == "}":
        close = _closing(text, i, "}")
        separator = _NAME.search(text, i, close)
        return separator.start() if separator else close
    close = _closing(text, i, "]")
    comma = text.find(",", i, close)
    return comma if comma >= 0 else close


def _closing(text: str, i: int, closer: str) -> int:
    end = text.find(closer, i)
    if end < 0:
        raise ValueError(f"no closing {closer!r}")
    return end


def event_time(value: Any) -> Any:
    """An event time as ISO 8601 UTC text when it can be read; otherwise the value as it was."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return value
    if not isinstance(value, str):
        return value
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return event_time(float(text))
    parsed = _iso(text) or _console(text)
    if parsed is None:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _console(text: str) -> datetime | None:
    for pattern in _CONSOLE_TIMES:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None
