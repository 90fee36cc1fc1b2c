"""What a text-like file (CSV, plain text) holds before it is parsed: its encoding, told honestly, and its
lines, bounded.

One streaming pass (``scan``) reads the file (decompressed) in blocks and learns: its BOM, whether it is
valid UTF-8 (and if not, how many invalid sequences, where the first is, and how many valid multi-byte
characters there are beside them), whether it holds NUL bytes, the number of quote characters, and which
physical lines are longer than ``MAX_LINE`` bytes. ``choose`` decides the encoding from that:

- a BOM (UTF-8, UTF-16) or an explicit ``--encoding`` wins;
- valid UTF-8 is UTF-8;
- a file that is not valid UTF-8 anywhere (no valid multi-byte character, or fewer than one for every
  ``LEGACY_RATIO`` invalid sequences) is Windows-1252, with a note on the source saying so;
- otherwise it is UTF-8 with its invalid bytes replaced by U+FFFD, counted in the source's note.

``prepare`` then gives a UTF-8 file a parser can read: the original itself when it is plain valid UTF-8
with no line too long, else a copy in the staging folder (decompressed, transcoded, lines longer than
``MAX_LINE`` left out and reported as rejects with their line number). The original is never touched.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from logsheet.ingest.formats.base import SourceFile

BLOCK = 1 << 20
MAX_LINE = 8 << 20  # bytes: a physical line longer than this is a reject, never read into memory whole
LONG_LINE = b"\0"  # what stands for a line too long in a prepared copy
LEGACY_RATIO = 10  # invalid sequences per valid multi-byte character for a file to count as Windows-1252
_NON_LEAD = bytes(b for b in range(256) if not 0xC2 <= b <= 0xF4)  # deleted: what remains are UTF-8 lead bytes


@dataclass
class Scan:
    bom: str | None = None  # "utf-8-sig" or "utf-16"
    size: int = 0  # decompressed bytes
    invalid: int = 0  # invalid UTF-8 sequences
    first_invalid: int = -1  # byte offset of the first
    multibyte: int = 0  # valid UTF-8 multi-byte characters (approximately: lead bytes not part of an error)
    nul: int = 0
    control: int = 0  # bytes < 0x20 other than tab, CR, LF, FF, ESC (in the first block)
    head: int = 0  # bytes in the first block
    quotes: int = 0
    long_lines: list[tuple[int, int, int]] = field(default_factory=list)  # (line number, start offset, length)
    damage: str = ""  # a cut-short or damaged gzip stream
    ends_line: bool = True  # the last byte read ends a line (else a damaged file's last line is cut)


@dataclass
class Prepared:
    path: Path  # UTF-8 (no BOM) to parse
    encoding: str  # as read
    note: str = ""  # what the source's record says about its encoding
    replaced: int = 0
    removed_lines: list[int] = field(default_factory=list)  # physical line numbers left out (too long)
    scan: Scan = field(default_factory=Scan)


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_KEEP_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)


class Blocks:
    """A source's bytes (decompressed) in blocks; a cut-short or damaged gzip stream yields everything
    before the damage, then ends, with ``damage`` saying what happened and where."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.damage = ""

    def __iter__(self) -> Iterator[bytes]:
        with open(self.source.path, "rb") as fh:
            if not self.source.compressed:
                while block := fh.read(BLOCK):
                    yield block
                return
            inflate, done, started = zlib.decompressobj(wbits=31), 0, False
            while True:
                data = fh.read(BLOCK)
                if not data:
                    if started and not inflate.eof:
                        self.damage = f"the gzip stream is cut short after {done:,} bytes"
                    return
                while data:
                    try:
                        out = inflate.decompress(data, BLOCK)  # bounded: a block out at a time
                    except zlib.error as exc:
                        self.damage = f"the gzip stream is damaged after {done:,} bytes: {exc}"
                        return
                    started = True
                    done += len(out)
                    if out:
                        yield out
                    if inflate.eof:  # another member may follow
                        data = inflate.unused_data
                        inflate, started = zlib.decompressobj(wbits=31), bool(data)
                    else:
                        data = inflate.unconsumed_tail


def scan(source: SourceFile) -> Scan:
    """One streaming pass over the file (see the module's docstring)."""
    out = Scan()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    line, run, pending_cr = 1, 0, False  # line number, bytes since the line's start, a CR ending the last block
    fh = Blocks(source)
    first = True
    for block in fh:
        if first:
            first = False
            if block.startswith(codecs.BOM_UTF8):
                out.bom = "utf-8-sig"
            elif block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                out.bom = "utf-16"
            out.head = len(block)
            out.control = len(block.translate(None, _KEEP_CONTROL))
        out.nul += block.count(b"\0")
        out.quotes += block.count(b'"')
        if out.bom != "utf-16":
            _validate(decoder, block, out)
        line, run, pending_cr = _lines(block, out, line, run, pending_cr)
        out.ends_line = block.endswith((b"\n", b"\r"))
        out.size += len(block)
    if out.bom != "utf-16":
        _validate(decoder, b"", out, final=True)
    if run > MAX_LINE:
        out.long_lines.append((line, out.size - run, run))
    out.damage = fh.damage
    return out


def _validate(decoder: codecs.IncrementalDecoder, block: bytes, out: Scan, final: bool = False) -> None:
    offset = out.size
    out.multibyte += len(block.translate(None, _NON_LEAD))
    while True:
        try:
            decoder.decode(block, final)
            break
        except UnicodeDecodeError as exc:  # exc.start is relative to the decoder's buffer + this block
            buffered = len(exc.object) - len(block)
            at = offset - buffered + exc.start
            out.invalid += 1
            if out.first_invalid < 0:
                out.first_invalid = at
            consumed = exc.end - buffered
            decoder.reset()
            out.multibyte -= 1 if 0xC2 <= exc.object[exc.start] <= 0xF4 else 0
            block, offset = block[max(consumed, 0) :], offset + max(consumed, 0)
            if not block and not final:
                break


def _lines(block: bytes, out: Scan, line: int, run: int, pending_cr: bool) -> tuple[int, int, bool]:
    """Count physical lines (LF, CRLF or CR) and note those longer than MAX_LINE."""
    lf, cr, crlf = block.count(b"\n"), block.count(b"\r"), block.count(b"\r\n")
    ends = lf + cr - crlf - (1 if pending_cr and block.startswith(b"\n") else 0)
    if not ends:
        return line, run + len(block), False
    first = min(i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0)
    last = max(block.rfind(b"\n"), block.rfind(b"\r"))
    if run + first > MAX_LINE:
        out.long_lines.append((line, out.size - run, run + first))
    # lines wholly inside one block are shorter than BLOCK < MAX_LINE
    return line + ends, len(block) - last - 1, block.endswith(b"\r")


def choose(found: Scan, given: str | None) -> tuple[str, str]:
    """(Python codec, note) for a scanned file."""
    if given:
        return given, f"read as {given} (--encoding)"
    if found.bom:
        return found.bom, ""
    if not found.invalid:
        return "utf-8", ""
    if found.multibyte * LEGACY_RATIO < found.invalid:
        return "cp1252", (
            f"not UTF-8 ({found.invalid:,} invalid byte sequence(s), first at byte {found.first_invalid:,}, and "
            f"{max(found.multibyte, 0):,} valid multi-byte character(s)): read as Windows-1252"
        )
    return "utf-8", ""


class Counted:
    """A codec error handler that replaces what cannot be decoded with U+FFFD and counts it."""

    def __init__(self) -> None:
        self.count = 0
        self.name = f"logsheet-counted-{id(self)}"
        codecs.register_error(self.name, self)

    def __call__(self, exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        self.count += 1
        return "\ufffd", exc.end


def prepare(source: SourceFile, found: Scan, encoding: str, note: str, new_path: Callable[[str, str], Path]) -> Prepared:
    """A UTF-8 file to parse (see the module's docstring)."""
    plain = encoding in ("utf-8", "utf_8") and not found.invalid and not found.bom
    if plain and not source.compressed and not found.long_lines:
        return Prepared(source.path, encoding, note, scan=found)
    target = new_path(f"utf8-{source.id}", ".txt")
    errors = Counted()
    removed = [number for number, _, _ in found.long_lines]
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors.name)
    ranges = sorted((start, start + length) for _, start, length in found.long_lines)
    offset = 0  # of the block in the original (decompressed) stream
    with open(target, "wb") as out:
        for block in Blocks(source):
            kept, at = [], 0
            for lo, hi in ranges:  # a long line's bytes become one NUL: the parser's reject marks its place
                first = lo >= offset
                lo, hi = max(lo - offset, 0), min(hi - offset, len(block))
                if lo < hi:
                    kept.append(block[at:lo] + (LONG_LINE if first else b""))
                    at = hi
            kept.append(block[at:])
            offset += len(block)
            out.write(decoder.decode(b"".join(kept)).encode("utf-8"))
        out.write(decoder.decode(b"", True).encode("utf-8"))
    text_note = note
    if errors.count:
        replaced = f"{errors.count:,} invalid {encoding} byte sequence(s) replaced by U+FFFD"
        if found.first_invalid >= 0 and encoding.startswith("utf"):
            replaced += f" (the first at byte {found.first_invalid:,})"
        text_note = "; ".join(n for n in (note, replaced) if n)
    return Prepared(target, encoding, text_note, errors.count, removed, found)


def is_binary(found: Scan) -> str:
    """Why a file looks binary ('' when it does not): NUL bytes, or many control bytes in its first block."""
    if found.bom == "utf-16":
        return ""
    if found.nul:
        return f"binary content ({found.nul:,} NUL byte(s))"
    if found.head and found.control * 20 > found.head:
        return f"binary content ({found.control:,} control bytes in the first {found.head:,})"
    return ""
