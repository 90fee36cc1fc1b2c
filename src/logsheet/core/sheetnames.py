"""What a sheet may be called, and the name a sheet gets from its first path."""

from __future__ import annotations

from pathlib import Path

from logsheet.core.errors import LogsheetError


def default_sheet_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".zip", ".tgz", ".tar", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".log", ".txt", ".parquet"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name or "sheet"


def validate_sheet_name(name: str) -> None:
    _validate_name(name, "sheet")


def validate_case_name(name: str) -> None:
    """A case (a named set of sheets) is named as a sheet is."""
    _validate_name(name, "case")


def validate_ioc_list_name(name: str) -> None:
    """An IOC list is named as a sheet is."""
    _validate_name(name, "list of IOCs")


def _validate_name(name: str, what: str) -> None:
    if not name or not name.strip():
        raise LogsheetError(f"a {what} needs a name")
    if len(name) > 200:
        raise LogsheetError(f"a {what} name is at most 200 characters")
    if any(ord(ch) < 32 for ch in name):
        raise LogsheetError(f"a {what} name cannot contain control characters")
