"""Which sheets a Sigma rule's log source means, and what its field names are there.

A :class:`Mapping` ties one log source (``product``, ``service``, ``category``) to a sheet format, with the
columns its fields are stored in and the columns a keyword (field-less) detection searches. The built-in ones:

- ``product: aws, service: cloudtrail`` → ``cloudtrail`` sheets. Field names are CloudTrail's own
  (``eventName``, ``userIdentity.arn``); nested ones are JSON paths into the column that holds them
  (``requestParameters.ipPermissions.items[0].ipRanges``), which the compiler resolves against the sheet.
- ``product: linux`` with no service, or ``service: auth``, ``sshd`` or ``syslog`` → ``syslog`` sheets, whose
  keywords are searched in ``message``.
- ``product: aws, service: vpcflow`` → ``vpcflow`` sheets, with the flow log's own field names as the reader
  stores them (``srcaddr``, ``dstaddr``, ``srcport``, ``dstport``, ``protocol``, ``action``, ``bytes``,
  ``log-status`` ...; times in ``start`` and ``end``).

Anything else comes from a user mapping file (:func:`load_mapping`), YAML such as::

    mappings:
      - logsource: {product: okta, service: okta}
        format: json
        fields: {eventType: event_type, actor.alternateId: actor_email}
        keywords: [message]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from logsheet.core.errors import LogsheetError

LOGSOURCE_KEYS = ("product", "service", "category")


@dataclass(frozen=True)
class LogSource:
    """A Sigma log source; empty strings are fields the rule (or mapping) does not set."""

    product: str = ""
    service: str = ""
    category: str = ""

    def describe(self) -> str:
        parts = [f"{k}: {getattr(self, k)}" for k in LOGSOURCE_KEYS if getattr(self, k)]
        return ", ".join(parts) or "no log source"

    def covers(self, rule: LogSource) -> bool:
        """Whether rules for ``rule`` run on sheets of this source: every key the rule sets is set here to the
        same value (a rule for ``product: linux`` runs on ``product: linux, service: auth`` sheets, not the
        other way round)."""
        return all(not getattr(rule, k) or getattr(rule, k).lower() == getattr(self, k).lower() for k in LOGSOURCE_KEYS)


@dataclass(frozen=True)
class Mapping:
    """One log source on one sheet format: ``fields`` renames a Sigma field to its column (or JSON path);
    ``keywords`` are the columns a keyword detection searches (none: every column, as the search box does)."""

    logsource: LogSource
    format: str
    fields: dict[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()

    def column(self, sigma_field: str) -> str:
        return self.fields.get(sigma_field, sigma_field)


BUILTIN: tuple[Mapping, ...] = (
    Mapping(LogSource("aws", "cloudtrail"), "cloudtrail"),
    Mapping(LogSource("linux"), "syslog", keywords=("message",)),
    Mapping(LogSource("linux", "auth"), "syslog", keywords=("message",)),
    Mapping(LogSource("linux", "sshd"), "syslog", keywords=("message",)),
    Mapping(LogSource("linux", "syslog"), "syslog", keywords=("message",)),
    Mapping(LogSource("aws", "vpcflow"), "vpcflow"),
)


def mapping_for(rule: LogSource, sheet_format: str, user: Iterable[Mapping] = ()) -> Mapping | None:
    """The mapping that runs a rule of this log source on sheets of this format: the user's first (their
    field names win), then the built-in ones; None when no mapping covers it."""
    for m in (*user, *BUILTIN):
        if m.format == sheet_format and _exactly(m.logsource, rule):
            return m
    for m in (*user, *BUILTIN):
        if m.format == sheet_format and m.logsource.covers(rule):
            return m
    return None


def formats_for(rule: LogSource, user: Iterable[Mapping] = ()) -> list[str]:
    """The sheet formats some mapping runs this log source on (to say where a refused rule would run)."""
    return sorted({m.format for m in (*user, *BUILTIN) if m.logsource.covers(rule)})


def _exactly(a: LogSource, b: LogSource) -> bool:
    return all(getattr(a, k).lower() == getattr(b, k).lower() for k in LOGSOURCE_KEYS)


# ------------------------------------------------------------------------------------------ mapping files
class MappingError(LogsheetError):
    """A mapping file that cannot be read; says which entry and why."""


def load_mapping(source: str | Path) -> list[Mapping]:
    """The mappings of a YAML mapping file (a path, or the YAML text itself)."""
    text = _text(source)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping file does not parse as YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("mappings"), list):
        raise MappingError("a mapping file is a YAML object with a 'mappings' list")
    return [_entry(i, e) for i, e in enumerate(data["mappings"])]


def _text(source: str | Path) -> str:
    if isinstance(source, Path) or ("\n" not in source and Path(source).expanduser().is_file()):
        path = Path(source).expanduser()
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read mapping file {str(path)!r}: {exc}") from None
    return str(source)


def _entry(index: int, entry: Any) -> Mapping:
    where = f"mappings[{index}]"
    if not isinstance(entry, dict):
        raise MappingError(f"{where}: an object with 'logsource' and 'format'")
    unknown = set(entry) - {"logsource", "format", "fields", "keywords"}
    if unknown:
        raise MappingError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: logsource, format, fields, keywords)")
    source = entry.get("logsource")
    if not isinstance(source, dict) or not source or set(source) - set(LOGSOURCE_KEYS):
        raise MappingError(f"{where}.logsource: an object with some of {', '.join(LOGSOURCE_KEYS)}")
    if not all(isinstance(v, str) and v for v in source.values()):
        raise MappingError(f"{where}.logsource: values are non-empty text")
    fmt = entry.get("format")
    if not isinstance(fmt, str) or not fmt:
        raise MappingError(f"{where}.format: the sheet format, such as 'json' or 'syslog'")
    fields = entry.get("fields") or {}
    if not isinstance(fields, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in fields.items()):
        raise MappingError(f"{where}.fields: an object of Sigma field → column name")
    keywords = entry.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise MappingError(f"{where}.keywords: a list of column names")
    return Mapping(LogSource(**{k: str(v) for k, v in source.items()}), fmt, dict(fields), tuple(keywords))
