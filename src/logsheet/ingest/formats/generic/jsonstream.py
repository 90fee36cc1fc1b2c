"""A JSON source's bytes as a bounded stream: decompressed as they are read, lines of at most a set length.

A gzip stream that is cut short or damaged ends where the damage starts — every byte before it is handed
on, as ``zcat`` would print it — and ``damage`` says what happened and where (the decompressed byte offset).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from logsheet.ingest.formats.base import SourceFile

CHUNK = 1 << 20
MAX_RECORD_BYTES = 64 << 20  # the longest line (or array element) read; a longer one is a reject
RAW_KEPT = 64 << 10  # how much of a bad record's text its reject keeps
GZIP_MAGIC = b"\x1f\x8b"

# A JSON number a double or a 64-bit integer may not hold exactly has 16 or more digits (with its point), or an
# exponent of three digits. Found by mapping every byte to its class (digit or point -> 0, e/E -> e, sign -> +,
# anything else -> space) and searching plain bytes, which runs at memory speed (a regular expression over
# dense JSON ran at 25 MB/s). Only a hint — digits inside strings match too; the record decoder decides.
_CLASSES = bytes(
    ord("0") if chr(b) in "0123456789." else ord("e") if chr(b) in "eE" else ord("+") if chr(b) in "+-" else 32
    for b in range(256)
)
_RISKY = (b"0" * 16, b"e000", b"e+000")


def _risky(data: bytes) -> bool:
    classes = data.translate(_CLASSES)
    return any(pattern in classes for pattern in _RISKY)


class ByteStream:
    """Chunks of a source's content (decompressed); ``offset`` counts the bytes handed out so far."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.offset = 0
        self.damage = ""

    def chunks(self) -> Iterator[bytes]:
        with open(self.source.path, "rb") as fh:
            produce = self._gunzip(fh) if self.source.compressed else iter(lambda: fh.read(CHUNK), b"")
            for chunk in produce:
                self.offset += len(chunk)
                yield chunk

    def _gunzip(self, fh: object) -> Iterator[bytes]:
        read = fh.read  # type: ignore[attr-defined]
        inflate = zlib.decompressobj(31)
        pending, started = b"", False
        while True:
            if not pending:
                pending = read(CHUNK)
                if not pending:
                    if started and not inflate.eof:
                        yield inflate.flush()
                        self.damage = f"the gzip stream is cut short after {self.offset:,} decompressed bytes"
                    return
            if inflate.eof:  # another gzip member follows (or padding, or trailing garbage that zcat ignores too)
                if not pending.startswith(GZIP_MAGIC[: len(pending)]):
                    if pending.strip(b"\0"):  # zero padding is silent (gzip says nothing of it either)
                        self.damage = (
                            f"bytes that are not gzip follow the gzip stream after {self.offset:,} decompressed "
                            "bytes; they were not read"
                        )
                    return
                inflate, started = zlib.decompressobj(31), False
            try:
                out = inflate.decompress(pending, CHUNK)
            except zlib.error as exc:
                self.damage = f"the gzip stream is damaged after {self.offset:,} decompressed bytes: {exc}"
                return
            started = True
            pending = inflate.unused_data if inflate.eof else inflate.unconsumed_tail
            if out:
                yield out


@dataclass
class Line:
    number: int  # 1-based line number
    offset: int  # byte offset of the line's start in the (decompressed) content
    data: bytes  # the line without its newline (for a line too long: its first RAW_KEPT bytes)
    too_long: bool = False
    unterminated: bool = False  # the last line, without a newline (a cut-short file ends like this)


def lines(stream: ByteStream, limit: int = MAX_RECORD_BYTES) -> Iterator[Line]:
    """The content's lines, never holding more than ``limit`` bytes of one line in memory. A line ends at LF,
    CRLF or a lone CR (JSON never holds a raw CR inside a value, so a lone CR can only end a record); a line
    longer than ``limit`` comes as ``too_long``, with its first bytes."""
    buffer = bytearray()
    number, offset, skipping = 1, 0, False
    for chunk in stream.chunks():
        buffer += chunk
        start = 0
        while True:
            end, width = _line_end(buffer, start)
            if end < 0:
                break
            if skipping:
                skipping = False
            elif end - start > limit:
                yield Line(number, offset, bytes(buffer[start : start + RAW_KEPT]), too_long=True)
            else:
                yield Line(number, offset, bytes(buffer[start:end]))
            offset += end + width - start
            number += 1
            start = end + width
        del buffer[:start]
        if not skipping and len(buffer) > limit:
            yield Line(number, offset, bytes(buffer[:RAW_KEPT]), too_long=True)
            skipping = True
        if skipping:
            offset += len(buffer)
            buffer.clear()
    if buffer.endswith(b"\r"):  # a lone CR ending the file ends its last line
        del buffer[-1:]
        if buffer and not skipping:
            yield Line(number, offset, bytes(buffer))
    elif buffer and not skipping:
        yield Line(number, offset, bytes(buffer), unterminated=True)


def _line_end(buffer: bytearray, start: int) -> tuple[int, int]:
    """Where the line starting at ``start`` ends and how wide its end is (LF 1, CRLF 2, CR 1); (-1, 0) when
    the buffer does not hold its end yet (a CR last in the buffer may still be followed by LF)."""
    lf = buffer.find(b"\n", start)
    cr = buffer.find(b"\r", start, lf if lf >= 0 else len(buffer))
    if cr < 0:
        return (lf, 1) if lf >= 0 else (-1, 0)
    if cr + 1 == lf:
        return cr, 2
    if cr + 1 == len(buffer):
        return -1, 0
    return cr, 1


def has_risky_numbers(source: SourceFile, by_line: bool = True) -> bool:
    """Whether the content may hold a number DuckDB's reader could round (a bigger integer or a longer
    decimal than a double holds); also True for a damaged gzip stream (the record decoder reads what
    precedes the damage) and, ``by_line`` (JSON lines), for a line longer than MAX_RECORD_BYTES (DuckDB's
    ``maximum_object_size`` is not a hard limit: it reads a longer object, where the record decoder makes it
    the documented reject)."""
    stream = ByteStream(source)
    tail = b""
    run = 0  # bytes since the last line end
    for chunk in stream.chunks():
        if _risky(tail + chunk):
            return True
        if not by_line:
            tail = chunk[-32:]
            continue
        ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if not ends:
            run += len(chunk)
        else:  # the line running into this chunk ends at its first line end; later ones fit in a chunk
            if run + min(ends) > MAX_RECORD_BYTES:
                return True
            run = len(chunk) - max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) - 1
        if run > MAX_RECORD_BYTES:
            return True
        tail = chunk[-32:]
    return bool(stream.damage)
