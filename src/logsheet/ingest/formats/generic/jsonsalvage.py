"""The record-by-record reader for the JSON files DuckDB's reader refuses (or could round).

It streams the file — decompressing as it goes, never holding more than one record (at most
``MAX_RECORD_BYTES``) — and writes the good records to a staged JSON-lines file for DuckDB, each with its
position; every bad record is a reject with its line number (or element number) and byte offset, and what
was changed to keep a record (duplicate keys, bytes that are not UTF-8, numbers kept as text) is counted in
the source's note. When the stream is cut short, every complete record before the damage is kept and the
damage is one reject that says where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from logsheet.ingest.formats.base import ReadContext, SourceFile
from logsheet.ingest.formats.generic.jsonstream import CHUNK, MAX_RECORD_BYTES, RAW_KEPT, ByteStream, lines
from logsheet.ingest.formats.generic.jsonvalues import Decoder, Refused, decode_text

POSITION_KEY = "__logsheet_pos"
_SEPARATORS = re.compile(r"[\s,]*")


@dataclass
class Salvaged:
    staged: SourceFile | None  # the staged JSON-lines file of the good records (None: there were none)
    note: str  # what was changed to keep the records, for the source's note ("" when nothing)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Pass:
    """One pass over a source: good records to ``out``, rejects to ``reject`` (None: counted already)."""

    def __init__(self, source: SourceFile, ctx: ReadContext, decoder: Decoder, report: bool) -> None:
        self.source, self.ctx, self.decoder, self.report = source, ctx, decoder, report
        self.kept = 0
        self.bad_bytes = 0
        self.bad_records = 0
        self.first_bad = ""
        self.surrogates = 0  # lone UTF-16 surrogates (``"\\ud800"``) replaced by U+FFFD
        self.first_surrogate = 0
        self.damage_told = False
        self.next_position = 1

    def reject(self, position: int, reason: str, raw: str) -> None:
        if self.report:
            self.ctx.reject(self.source, position, reason, raw[:RAW_KEPT])

    def text(self, data: bytes, where: str) -> str:
        text, bad = decode_text(data)
        if bad:
            self.bad_bytes += bad
            self.bad_records += 1
            self.first_bad = self.first_bad or where
        return text

    def records(self, kind: str) -> Iterator[tuple[int, Any]]:
        stream = ByteStream(self.source)
        if kind == "newline_delimited":
            yield from self._lines(stream)
        else:
            yield from self._values(stream, kind == "array")
        if stream.damage and not self.damage_told:
            self.reject(self.next_position, f"{stream.damage}; the records before it are kept", "")

    def _lines(self, stream: ByteStream) -> Iterator[tuple[int, Any]]:
        for line in lines(stream):
            self.next_position = line.number + 1
            where = f"line {line.number} (byte {line.offset:,})"
            if line.too_long:
                self.reject(line.number, f"{where} is longer than {MAX_RECORD_BYTES:,} bytes", self.text(line.data, ""))
                continue
            text = self.text(line.data, f"line {line.number}")
            if line.number == 1:
                text = text.lstrip("\ufeff")
            if not text.strip():
                continue
            try:
                yield line.number, self.decoder.loads(text)
            except Refused as exc:
                self.reject(line.number, f"{where} is {exc}", text)
            except json.JSONDecodeError as exc:
                cut = " (the file ends inside it)" if line.unterminated else ""
                if line.unterminated and stream.damage:
                    cut, self.damage_told = f" (cut short: {stream.damage})", True
                reason = f"{where} is not valid JSON{cut}: {exc.msg} (column {exc.colno})"
                self.reject(line.number, reason, text)

    def _values(self, stream: ByteStream, array: bool) -> Iterator[tuple[int, Any]]:
        """A JSON array's elements, or a sequence of JSON documents, read as far as they are valid."""
        chunks = stream.chunks()
        buffer, consumed, position, at_end, opened = "", 0, 0, False, not array
        pending = b""

        def more() -> bool:
            nonlocal buffer, at_end, pending
            chunk = next(chunks, None)
            if chunk is None:
                at_end = True
                if pending:
                    buffer += self.text(pending, f"element {position + 1}")
                    pending = b""
                return False
            data = pending + chunk
            cut = _utf8_boundary(data)
            buffer += self.text(data[:cut], f"element {position + 1}")
            pending = data[cut:]
            return True

        i = 0
        more()
        buffer = buffer.lstrip("\ufeff")
        while True:
            match = _SEPARATORS.match(buffer, i) if opened else re.compile(r"\s*").match(buffer, i)
            i = match.end() if match else i
            if i >= len(buffer):
                if (at_end or not more()) and i >= len(buffer):
                    if array and opened:
                        cut = f" (cut short: {stream.damage})" if stream.damage else ""
                        self.damage_told = bool(cut)
                        self.reject(position + 1, f"the array is not closed: the file ends inside it{cut}", "")
                    return
                continue
            if not opened:
                if buffer[i] != "[":
                    self.reject(1, "not a JSON array", buffer[i : i + RAW_KEPT])
                    return
                opened, i = True, i + 1
                continue
            if array and buffer[i] == "]":
                return
            try:
                value, end = self.decoder.raw_decode(buffer, i)
            except Refused as exc:
                end = _value_end(buffer, i)
                if end < 0 and not at_end and len(buffer) - i <= MAX_RECORD_BYTES:
                    more()
                    continue
                position += 1
                offset = consumed + len(buffer[:i].encode("utf-8", "surrogatepass"))
                reason = f"element {position} (byte {offset:,}) is {exc}"
                if end < 0:
                    self.reject(position, f"{reason}; the rest of the file could not be read", buffer[i : i + RAW_KEPT])
                    return
                self.reject(position, reason, buffer[i : min(end, i + RAW_KEPT)])
                i = end
                continue
            except json.JSONDecodeError as exc:
                if not at_end and len(buffer) - i <= MAX_RECORD_BYTES:
                    if i:
                        consumed += len(buffer[:i].encode("utf-8", "surrogatepass"))
                        buffer, i = buffer[i:], 0
                    more()
                    continue
                position += 1
                offset = consumed + len(buffer[:i].encode("utf-8", "surrogatepass"))
                too_long = not at_end
                reason = (
                    f"element {position} (byte {offset:,}) is longer than {MAX_RECORD_BYTES:,} bytes"
                    if too_long
                    else f"element {position} (byte {offset:,}) is not valid JSON: {exc.msg}"
                )
                if stream.damage:
                    reason, self.damage_told = f"{reason} (cut short: {stream.damage})", True
                self.reject(position, reason + "; the rest of the file could not be read", buffer[i : i + RAW_KEPT])
                return
            position += 1
            self.next_position = position + 1
            yield position, value
            i = end
            if i > CHUNK:  # drop what is read (rarely: copying the rest after every element would be quadratic)
                consumed += len(buffer[:i].encode("utf-8", "surrogatepass"))
                buffer, i = buffer[i:], 0


def _value_end(text: str, start: int) -> int:
    """The end of the JSON object or array that starts at ``start`` (brackets counted outside strings), or
    -1 when it does not end within ``text``; for skipping a record too deep to decode."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def _utf8_boundary(data: bytes) -> int:
    """The end of the last complete UTF-8 sequence in ``data`` (a chunk may end inside a character)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) if back >= need else len(data) - back
    return len(data)


def salvage(source: SourceFile, kind: str, ctx: ReadContext) -> Salvaged:
    """Read a source record by record (``kind``: newline_delimited, array or auto)."""
    target = ctx.new_path(f"json-{source.id}", ".ndjson")
    first = _write(_Pass(source, ctx, Decoder(), report=True), kind, target)
    done = first
    text_paths = first.decoder.text_paths_needed()
    if text_paths:  # numbers a double would round in a column: read again with that column's numbers as text
        done = _write(_Pass(source, ctx, Decoder(text_paths), report=False), kind, target)
    note = _note(done)
    if not done.kept:
        target.unlink(missing_ok=True)
        return Salvaged(None, note)
    return Salvaged(SourceFile(source.id, target, source.display, source.size, source.sha256), note)


def _write(run: _Pass, kind: str, target: Any) -> _Pass:
    with open(target, "w", encoding="utf-8") as out:
        for position, record in run.records(kind):
            record = record if isinstance(record, dict) else {"value": record}
            record[POSITION_KEY] = position
            text = json.dumps(record, ensure_ascii=False)
            if _SURROGATE.search(text):  # JSON may escape half of a UTF-16 pair; no UTF-8 text can hold it
                text, count = _SURROGATE.subn("\ufffd", text)
                run.surrogates += count
                run.first_surrogate = run.first_surrogate or position
            out.write(text)
            out.write("\n")
            run.kept += 1
    return run


def _note(run: _Pass) -> str:
    decoder, parts = run.decoder, []
    if decoder.duplicates:
        parts.append(
            f"{decoder.duplicates:,} record(s) repeat a key (first: {decoder.first_duplicate!r}); "
            "the last value of each was kept, as JSON says"
        )
    if run.bad_bytes:
        parts.append(
            f"{run.bad_bytes:,} invalid UTF-8 byte sequence(s) in {run.bad_records:,} record(s) (first at "
            f"{run.first_bad}) replaced by U+FFFD; the original file keeps them"
        )
    if decoder.as_text:
        parts.append(f"{decoder.as_text:,} number(s) kept as text: no 64-bit integer or double holds them exactly")
    if run.surrogates:
        parts.append(
            f"{run.surrogates:,} unpaired UTF-16 surrogate escape(s) (first in record {run.first_surrogate:,}) "
            "replaced by U+FFFD; the original file keeps them"
        )
    return "; ".join(parts)
