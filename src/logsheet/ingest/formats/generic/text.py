"""Plain text: a row per line. The fallback for anything no other format recognises.

Quirks: the last line may lack its newline; LF, CRLF and a lone CR all end a line; bytes that are not
UTF-8 are kept visibly as ``\\xNN`` escapes (never silently replaced), and the source's note counts the
lines that hold them. A BOM (UTF-8, UTF-16) or ``--encoding`` wins: the file is then decoded with that
codec (what it cannot decode is replaced by U+FFFD and counted). A line longer than ``MAX_LINE`` bytes
is a reject (its first MiB kept), never read into memory whole. A file that looks binary (NUL bytes, or
more than 1 in 20 control bytes in its first MiB) is refused with a reject saying so, unless the format
is forced with ``--format text``: then it is imported, with a note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import col
from logsheet.ingest.formats.base import Detection, ReadContext, Sample, SourceFile, Staged, open_text
from logsheet.ingest.formats.generic import textfile
from logsheet.ingest.formats.generic.textfile import MAX_LINE
from logsheet.ingest.formats.stage import StageWriter, parquet_table

name = "text"
description = "plain text, one row per line (the fallback)"


def sniff(sample: Sample) -> Detection | None:
    if b"\x00" in sample.head[:4096]:
        return Detection(name, 0.05, "binary content: refused unless forced with --format text")
    return Detection(name, 0.1, "text that matches no known format: one row per line")


def decode_line(raw: bytes) -> str:
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    return raw.decode("utf-8", errors="backslashreplace")


def lines(fh: Any) -> Iterator[tuple[bytes | None, int]]:
    """(line without its end, or None when longer than MAX_LINE; its length in bytes), for LF, CRLF or CR."""
    while chunk := fh.readline(MAX_LINE + 1):
        if len(chunk) > MAX_LINE and not chunk.endswith(b"\n"):
            length = len(chunk)
            while (more := fh.readline(1 << 20)) and not more.endswith(b"\n"):
                length += len(more)
            yield None, length + len(more)
            continue
        body = chunk[:-1] if chunk.endswith(b"\n") else chunk
        if body.endswith(b"\r"):
            body = body[:-1]
        if b"\r" in body:
            for part in body.split(b"\r"):
                yield part, len(part)
        else:
            yield body, len(body)


def read(sources: list[SourceFile], ctx: ReadContext) -> Staged:
    path = ctx.new_path("text", ".parquet")
    writer = StageWriter(path, [("line_number", pa.int64()), ("line", pa.string())])
    notes: dict[int, str] = {}
    forced = ctx.options.get("format") == name
    for source in sources:
        found = textfile.scan(source)
        binary = textfile.is_binary(found)
        if binary and not forced:
            reason = f"{binary}: not imported as text lines; force it with --format text"
            ctx.reject(source, 0, reason, "")
            notes[source.id] = reason
            continue
        given = ctx.options.get("encoding")
        encoding, note = textfile.choose(found, given) if (given or found.bom) else ("utf-8", "")
        said = [binary + ": imported as text lines (--format text)"] if binary else []
        escaped = _read_source(source, found, encoding, note, writer, ctx, said)
        if escaped:
            said.append(f"{escaped:,} line(s) hold bytes that are not UTF-8, kept as \\xNN escapes")
        if said:
            notes[source.id] = "; ".join(said)
    writer.close()
    select = exp.select(col(SOURCE), col(POS), col("line_number"), col("line")).from_(parquet_table([path]))
    return Staged(select=select, types={"line_number": "integer", "line": "text"}, notes=notes)


def _read_source(
    source: SourceFile, found: textfile.Scan, encoding: str, note: str, writer: StageWriter, ctx: ReadContext, said: list[str]
) -> int:
    """Stage one source's lines; returns how many lines kept invalid UTF-8 as escapes."""
    reading = source
    if encoding != "utf-8":  # decoded once into a UTF-8 copy (long lines are this reader's to report)
        ready = textfile.prepare(source, dataclasses.replace(found, long_lines=[]), encoding, note, ctx.new_path)
        reading = SourceFile(source.id, ready.path, source.display, source.size, source.sha256)
        if ready.note:
            said.append(ready.note)
    number, escaped = 0, 0
    with open_text(reading) as fh:
        for number, (raw, length) in enumerate(lines(fh), start=1):
            if raw is None:
                ctx.reject(source, number, f"line {number}: line longer than {MAX_LINE:,} bytes ({length:,} bytes)", "")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", errors="backslashreplace")
                escaped += 1
            writer.add(source.id, number, number, text)
        if getattr(fh, "damage", ""):
            ctx.reject(source, number + 1, fh.damage, "")
    return escaped
