"""Plain text: a row per line. The fallback for anything no other format recognises.

Quirks: the last line may lack its newline; CRLF endings lose the CR; bytes that are not UTF-8 are kept
visibly as ``\\xNN`` escapes (never silently replaced), so no information is lost.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import col
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.ingest.formats.stage import StageWriter, parquet_table

name = "text"
description = "plain text, one row per line (the fallback)"


def sniff(sample: Sample) -> Detection | None:
    if b"\x00" in sample.head[:4096]:
        return Detection(name, 0.05, "binary content; read as text lines")
    return Detection(name, 0.1, "text that matches no known format: one row per line")


def decode_line(raw: bytes) -> str:
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    return raw.decode("utf-8", errors="backslashreplace")


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    path = ctx.new_path("text", ".parquet")
    writer = StageWriter(path, [("line_number", pa.int64()), ("line", pa.string())])
    for source in sources:
        number = 0
        with open_text(source) as fh:
            for number, raw in enumerate(fh, start=1):
                writer.add(source.id, number, number, decode_line(raw))
            if getattr(fh, "damage", ""):
                ctx.reject(source, number + 1, fh.damage, "")
    writer.close()
    select = exp.select(col(SOURCE), col(POS), col("line_number"), col("line")).from_(parquet_table([path]))
    return Staged(select=select, types={"line_number": "integer", "line": "text"})
