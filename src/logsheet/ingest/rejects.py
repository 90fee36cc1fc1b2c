"""Rejected records: kept aside with their source, position, reason and raw text, never dropped."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from logsheet.ingest.formats.base import SourceFile

MAX_RAW = 1 << 20  # raw text kept per reject (the original file keeps everything)
SCHEMA = pa.schema(
    [("source_id", pa.int64()), ("source", pa.string()), ("position", pa.int64()), ("reason", pa.string()), ("raw", pa.string())]
)


class RejectLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts: Counter[int] = Counter()
        self.examples: list[str] = []  # the first few "file: reason", for an import that yields nothing
        self._rows: list[tuple[int, str, int, str, str]] = []
        self._writer: pq.ParquetWriter | None = None

    def __call__(self, source: SourceFile, position: int, reason: str, raw: str) -> None:
        self.counts[source.id] += 1
        if len(self.examples) < 3:
            self.examples.append(f"{source.display}: {reason}")
        self._rows.append((source.id, source.display, position, reason, raw[:MAX_RAW]))
        if len(self._rows) >= 10_000:
            self._flush()

    def whole_file(self, source: SourceFile, reason: str) -> None:
        """A file that yielded nothing at all (counted as one rejected record)."""
        self(source, 0, reason, "")

    def _flush(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows))
        batch = pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, SCHEMA)], schema=SCHEMA)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, SCHEMA, compression="zstd")
        self._writer.write_batch(batch)
        self._rows = []

    def close(self) -> int:
        """Write what is pending; returns the number of rejects (0 means no file was written)."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
        return sum(self.counts.values())
