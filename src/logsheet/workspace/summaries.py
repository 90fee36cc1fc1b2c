"""What a sheet is, in one summary: built once from the catalog, shown by ``logsheet sheets`` / ``logsheet
info`` and by the API's ``GET /api/sheets`` / ``GET /api/sheets/{name}``.

Three JSON shapes, each the one its readers have always had:

- :meth:`SheetSummary.to_json`: everything (``ws.info``, ``logsheet info --json``, ``GET /api/sheets/{name}``):
  columns with types, the format's preferred column order (what the web grid opens with), sources with their
  SHA-256 and accounting, imports.
- :meth:`SheetSummary.to_listing_json`: a row of the files page (``GET /api/sheets``): ``sources`` is the
  number of source files, no imports.
- :meth:`SheetSummary.to_brief_json`: a line of ``logsheet sheets --json``: ``columns`` is the number of columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from logsheet.core.schema import Column
from logsheet.ingest import formats
from logsheet.store.catalog import Catalog, SheetRecord, SourceRecord

JSONValue = Union[str, int, float, bool, None, Sequence["JSONValue"], Mapping[str, "JSONValue"]]
JSONObject = dict[str, JSONValue]


@dataclass(frozen=True)
class SheetSummary:
    name: str
    format: str
    rows: int
    rejected: int
    duplicates_removed: int
    time_column: str | None
    columns: tuple[Column, ...]  # the sheet schema's columns, in order
    column_order: tuple[str, ...]  # the format's preferred columns this sheet has, in the order a responder reads them
    bytes: int
    created_at: str
    updated_at: str
    sources: tuple[SourceRecord, ...]
    imports: tuple[JSONObject, ...]  # each import's id, times, options and summary, oldest first

    @classmethod
    def of(cls, record: SheetRecord, catalog: Catalog) -> SheetSummary:
        return cls(
            name=record.name,
            format=record.format,
            rows=record.row_count,
            rejected=record.reject_count,
            duplicates_removed=record.duplicate_count,
            time_column=record.time_column,
            columns=record.schema.columns,
            column_order=tuple(formats.column_order(record.format, [c.name for c in record.schema.columns])),
            bytes=record.bytes,
            created_at=record.created_at,
            updated_at=record.updated_at,
            sources=tuple(catalog.sources(record.id)),
            imports=tuple(catalog.imports(record.id)),
        )

    def to_json(self) -> JSONObject:
        return {
            "name": self.name,
            "format": self.format,
            "rows": self.rows,
            "rejected": self.rejected,
            "duplicates_removed": self.duplicates_removed,
            "time_column": self.time_column,
            "columns": [c.to_json() for c in self.columns],
            "column_order": list(self.column_order),
            "bytes": self.bytes,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "sources": [s.to_json() for s in self.sources],
            "imports": list(self.imports),
        }

    def to_listing_json(self) -> JSONObject:
        return {
            "name": self.name,
            "format": self.format,
            "rows": self.rows,
            "columns": [c.to_json() for c in self.columns],
            "rejected": self.rejected,
            "duplicates_removed": self.duplicates_removed,
            "bytes": self.bytes,
            "time_column": self.time_column,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "sources": len(self.sources),
        }

    def to_brief_json(self) -> JSONObject:
        return {
            "name": self.name,
            "format": self.format,
            "rows": self.rows,
            "columns": len(self.columns),
            "rejected": self.rejected,
            "bytes": self.bytes,
            "time_column": self.time_column,
            "updated_at": self.updated_at,
        }


__all__ = ["JSONObject", "JSONValue", "SheetSummary"]
