"""The options of one import, parsed and checked once for every shell (the CLI, the upload endpoint, Python).

``ImportOptions(...)`` refuses a bad value when it is built, with the same one-line message whoever gave it;
``from_mapping`` reads the spellings a form or a JSON object carries (text for numbers and flags); ``to_json``
is what the catalog records with the import and what the formats read (``ReadContext.options``).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logsheet.core.errors import LogsheetError
from logsheet.ingest.formats.vpcflow.fields import given_fields

FIRST_YEAR, LAST_YEAR = 1970, 2100
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")
UTC_NAMES = ("UTC", "Z", "ETC/UTC")


class InvalidImportOption(LogsheetError):
    """An import option with a value logsheet cannot use (a typo in a field name, an unknown time zone, ...)."""


@dataclass(frozen=True)
class ImportOptions:
    """How to read the files of one import.

    ``keep_duplicates``: keep records delivered twice (CloudTrail: same eventID); ``year``: syslog, the year
    of a file's last line when its time stamps carry none; ``timezone``: the zone of time stamps without one
    (an IANA name, default UTC); ``fields``: VPC flow logs without a header line, their field names;
    ``follow_links``: read links (to files or folders) that lead outside the folder given;
    ``demo``: marks the imports ``logsheet demo`` makes (the only sheets it replaces without ``--force``);
    ``encoding``: the text encoding of CSV and text files (a Python codec name), instead of the per-file
    choice (a BOM, else UTF-8, else Windows-1252 for a file that is not UTF-8 anywhere).
    """

    keep_duplicates: bool = False
    year: int | None = None
    timezone: str | None = None
    fields: tuple[str, ...] | None = None
    demo: bool = False
    follow_links: bool = False
    encoding: str | None = None

    def __post_init__(self) -> None:
        for name in ("keep_duplicates", "demo", "follow_links"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidImportOption(f"{name} must be true or false, not {getattr(self, name)!r}")
        if self.year is not None:
            if isinstance(self.year, bool) or not isinstance(self.year, int):
                raise InvalidImportOption(f"--year must be a whole number, not {str(self.year)!r}")
            if not FIRST_YEAR <= self.year <= LAST_YEAR:
                raise InvalidImportOption(
                    f"--year must be a number such as 2022, not {str(self.year)!r} (years {FIRST_YEAR} to {LAST_YEAR})"
                )
        if self.timezone is not None:
            _check_zone(self.timezone)
        if self.encoding is not None:
            _check_encoding(self.encoding)
        if self.fields is not None:
            if isinstance(self.fields, str) or not all(isinstance(f, str) for f in self.fields):
                raise InvalidImportOption("--fields is a list of VPC flow log field names")
            if not self.fields:
                raise InvalidImportOption("--fields names no field")
            try:
                given_fields(list(self.fields))
            except LogsheetError as exc:
                raise InvalidImportOption(str(exc)) from None

    @classmethod
    def from_mapping(cls, given: Mapping[str, object] | None) -> ImportOptions:
        """The options of a form, a query string or a JSON object: ``year`` may be text, ``fields`` a string of
        names separated by spaces or commas, flags ``true``/``false`` (or ``1``/``0``, ``yes``/``no``); empty
        text means "not given". An unknown key is refused."""
        given = dict(given or {})
        unknown = sorted(k for k in given if k not in _KEYS)
        if unknown:
            raise InvalidImportOption(f"unknown import option(s): {', '.join(unknown)}; options: {', '.join(_KEYS)}")
        return cls(
            keep_duplicates=_flag("keep_duplicates", given.get("keep_duplicates")),
            year=_year(given.get("year")),
            timezone=_text(given.get("timezone")),
            fields=_names(given.get("fields")),
            demo=_flag("demo", given.get("demo")),
            follow_links=_flag("follow_links", given.get("follow_links")),
            encoding=_encoding(given.get("encoding")),
        )

    @classmethod
    def of(cls, options: ImportOptions | Mapping[str, object] | None) -> ImportOptions:
        """``options`` as given to the Python API: already ImportOptions, or a mapping (``from_mapping``)."""
        return options if isinstance(options, ImportOptions) else cls.from_mapping(options)

    def to_json(self) -> dict[str, Any]:
        """Only the options given (defaults left out), as the catalog has always recorded them."""
        out: dict[str, Any] = {}
        if self.demo:
            out["demo"] = True
        if self.keep_duplicates:
            out["keep_duplicates"] = True
        if self.year is not None:
            out["year"] = self.year
        if self.timezone is not None:
            out["timezone"] = self.timezone
        if self.fields is not None:
            out["fields"] = list(self.fields)
        if self.follow_links:
            out["follow_links"] = True
        if self.encoding is not None:
            out["encoding"] = self.encoding
        return out


_KEYS = ("keep_duplicates", "year", "timezone", "fields", "demo", "follow_links", "encoding")
ENCODING_HINT = "use a Python codec name such as utf-8, cp1252, latin-1 or utf-16"


def _check_encoding(name: object) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidImportOption(f"unknown encoding {name!r}; {ENCODING_HINT}")
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InvalidImportOption(f"unknown encoding {name!r}; {ENCODING_HINT}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InvalidImportOption(f"{name!r} is not a text encoding; {ENCODING_HINT}")


def _encoding(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidImportOption(f"unknown encoding {value!r}; {ENCODING_HINT}")
    return value.strip() or None


def _check_zone(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidImportOption(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC")
    if name.upper() in UTC_NAMES:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidImportOption(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC") from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidImportOption(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris or UTC")
    return value.strip() or None


def _flag(name: str, value: object) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidImportOption(f"{name} must be true or false, not {value!r}")


def _year(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value  # checked (range, bool) by the dataclass
    text = str(value).strip()
    if not text:
        return None
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise InvalidImportOption(f"--year must be a whole number, not {str(value)!r}")
    return int(text)


def _names(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        names = tuple(f for f in value.replace(",", " ").split() if f)
        return names or None
    if isinstance(value, (list, tuple)):
        return tuple(value) or None
    raise InvalidImportOption("--fields is a list of VPC flow log field names")
