"""Column types as a person sees them, and their mapping to and from engine types.

A sheet's columns have one of a few logical types: ``text``, ``integer``, ``float``, ``boolean``,
``timestamp`` (always UTC), ``date``, ``json`` (nested values kept as JSON text, queried by path) and
``list`` (arrays, also JSON text). The catalog stores these; the compiler uses them to coerce literals and
pick operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

LogicalType = Literal["text", "integer", "float", "boolean", "timestamp", "date", "json"]
LOGICAL_TYPES: tuple[str, ...] = ("text", "integer", "float", "boolean", "timestamp", "date", "json")

# Engine type names (sqlglot's DataType.build spelling) for each logical type.
ENGINE_TYPE: dict[str, str] = {
    "text": "VARCHAR",
    "integer": "BIGINT",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "json": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a LogicalType

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


class Schema:
    """An ordered set of columns, looked up by exact name."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self._by_name = {c.name: c for c in self.columns}

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Column | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_json(self) -> list[dict[str, str]]:
        return [c.to_json() for c in self.columns]

    @classmethod
    def from_json(cls, data: list[dict[str, str]]) -> Schema:
        return cls(Column(d["name"], d["type"]) for d in data)


def logical_type(engine_type: str) -> str:
    """Map a DuckDB / Arrow type name to a logical type (nested and unknown types are json/text)."""
    t = engine_type.upper().strip()
    if t == "JSON" or t.startswith(("STRUCT", "MAP", "UNION")) or t.endswith("[]") or t.startswith("LIST"):
        return "json"
    if t in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "INT8",
        "INT16",
        "INT32",
        "INT64",
        "INT",
        "LONG",
        "SHORT",
    ):
        return "integer"
    if t in ("FLOAT", "DOUBLE", "REAL") or t.startswith("DECIMAL"):
        return "float"
    if t in ("BOOLEAN", "BOOL"):
        return "boolean"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "DATE":
        return "date"
    return "text"
