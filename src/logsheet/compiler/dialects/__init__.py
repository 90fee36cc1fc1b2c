"""What differs between engines, in one module per engine: :mod:`.duckdb` (the default), :mod:`.spark`,
:mod:`.trino`, on the shared :mod:`.base`. The regex and timestamp-format translations they use are
:mod:`logsheet.compiler.regex` and :mod:`logsheet.compiler.timeformat`."""

from __future__ import annotations

from logsheet.compiler.dialects.base import IPV4_PATTERN, Dialect, TableDialect
from logsheet.compiler.dialects.duckdb import DUCKDB, IPV6_HEX_UDF, IPV6_UDF, DuckDBDialect, ipv6_hex_digits, ipv6_in_network
from logsheet.compiler.dialects.spark import IPV6_PATTERN, SparkDialect, ipv6_hex
from logsheet.compiler.dialects.trino import TrinoDialect
from logsheet.compiler.regex import java_regex
from logsheet.compiler.timeformat import java_datetime_pattern

DIALECTS = ("duckdb", "spark", "trino")


def dialect_for(name: str, relation: str = "sheet") -> Dialect:
    """The dialect called ``name``; Spark and Trino read the sheet from a table or view called ``relation``."""
    if name == "duckdb":
        return DUCKDB
    if name == "spark":
        return SparkDialect(relation)
    if name == "trino":
        return TrinoDialect(relation)
    raise ValueError(f"unknown SQL dialect {name!r}; use one of {', '.join(DIALECTS)}")


__all__ = [
    "DIALECTS",
    "DUCKDB",
    "IPV4_PATTERN",
    "IPV6_PATTERN",
    "IPV6_HEX_UDF",
    "IPV6_UDF",
    "Dialect",
    "DuckDBDialect",
    "SparkDialect",
    "TableDialect",
    "TrinoDialect",
    "dialect_for",
    "ipv6_hex",
    "ipv6_hex_digits",
    "ipv6_in_network",
    "java_datetime_pattern",
    "java_regex",
]
