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
    if not name or not name.strip():
        raise LogsheetError("a sheet needs a name")
    if len(name) > 200:
        raise LogsheetError("a sheet name is at most 200 characters")
    if any(ord(ch) < 32 for ch in name):
        raise LogsheetError("a sheet name cannot contain control characters")
