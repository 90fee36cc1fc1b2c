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
    """The content's lines, never holding more than ``limit`` bytes of one line in memory."""
    buffer = bytearray()
    number, offset, skipping = 1, 0, False
    for chunk in stream.chunks():
        buffer += chunk
        start = 0
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            if skipping:
                skipping = False
            else:
                yield Line(number, offset, bytes(buffer[start:end]))
            offset += end + 1 - start
            number += 1
            start = end + 1
        del buffer[:start]
        if not skipping and len(buffer) > limit:
            yield Line(number, offset, bytes(buffer[:RAW_KEPT]), too_long=True)
            skipping = True
        if skipping:
            offset += len(buffer)
            buffer.clear()
    if buffer and not skipping:
        yield Line(number, offset, bytes(buffer), unterminated=True)


def has_risky_numbers(source: SourceFile) -> bool:
    """Whether the content may hold a number DuckDB's reader could round (a bigger integer or a longer
    decimal than a double holds); also True for a damaged gzip stream (the record decoder reads what
    precedes the damage)."""
    stream = ByteStream(source)
    tail = b""
    for chunk in stream.chunks():
        if _risky(tail + chunk):
            return True
        tail = chunk[-32:]
    return bool(stream.damage)
