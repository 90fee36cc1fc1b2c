"""The range table the enrich step joins: one row per network, its bounds, prefix length and facts.

IPv4 networks have numeric bounds (``lo``, ``hi``); IPv6 networks 32-hex-digit bounds (``lo6``, ``hi6``), which
compare as text like the numbers. Every row carries ``__rowid`` (its position: the tie-breaker) and
``__source`` like a sheet's rows, so both engines read the table as they read a sheet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from logsheet.compiler.enrich import RANGE_COLUMNS
from logsheet.core.columns import ROWID, SOURCE
from logsheet.core.schema import Column, Schema

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ARROW = {"integer": pa.int64(), "text": pa.string()}


def range_schema(facts: Iterable[tuple[str, str]]) -> Schema:
    """The logical schema of a range table with these ``(name, type)`` facts."""
    return Schema(Column(name, type_) for name, type_ in (*RANGE_COLUMNS, *facts))


def bounds(network: Network) -> dict[str, Any]:
    if network.version == 4:
        low, high = int(network.network_address), int(network.broadcast_address)
        return {"lo": low, "hi": high, "lo6": None, "hi6": None, "bits": network.prefixlen}
    return {
        "lo": None,
        "hi": None,
        "lo6": f"{int(network.network_address):032x}",
        "hi6": f"{int(network.broadcast_address):032x}",
        "bits": network.prefixlen,
    }


BATCH_ROWS = 100_000


def write_ranges(rows: Iterable[dict[str, Any]], schema: Schema, path: Path) -> int:
    """Write the rows (each a network's ``bounds`` and facts) to ``path`` atomically, a batch at a time (a GeoIP
    City file holds millions of networks); the number of rows written."""
    fields = [pa.field(ROWID, pa.int64()), pa.field(SOURCE, pa.int64())]
    fields += [pa.field(c.name, ARROW[c.type]) for c in schema]
    arrow_schema = pa.schema(fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    written = 0
    try:
        with pq.ParquetWriter(partial, arrow_schema, compression="zstd") as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH_ROWS:
                    writer.write_table(_table(batch, written, schema, arrow_schema))
                    written += len(batch)
                    batch = []
            writer.write_table(_table(batch, written, schema, arrow_schema))
            written += len(batch)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return written


def _table(rows: list[dict[str, Any]], first: int, schema: Schema, arrow_schema: pa.Schema) -> pa.Table:
    columns: dict[str, list[Any]] = {ROWID: list(range(first, first + len(rows))), SOURCE: [0] * len(rows)}
    for c in schema:
        columns[c.name] = [row.get(c.name) for row in rows]
    return pa.table(columns, schema=arrow_schema)


__all__ = ["bounds", "range_schema", "write_ranges"]
