"""Decoding one JSON record exactly, whatever it holds.

- Duplicate keys: the last value wins (as JSON parsers do); the record is counted, for the source's note.
- Nesting deeper than ``MAX_DEPTH`` levels (DuckDB's JSON reader refuses 128): the record is refused, with
  the reason, instead of the recursion error that aborted the import.
- Numbers: an integer within 64 bits stays an integer, a number a double holds exactly as written (its
  shortest form means the same number) stays a number; any other (``123456789012345678901234567890``,
  ``0.12345678901234567890123``, ``1e400``) is kept as its text. A column where one number is kept as text
  (or where integers past 2^53 meet decimals, which a double would round) is text in every record.
- Bytes that are not UTF-8 are replaced by U+FFFD and counted, never a whole-file change of encoding.
"""

from __future__ import annotations

import codecs
import json
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 127  # levels of objects and arrays in one record: what DuckDB's JSON reader reads (it refuses 128)
INT64 = (-(2**63), 2**63 - 1)
EXACT_IN_DOUBLE = 2**53

_INEXACT, _BIG_INT, _FLOAT = 1, 2, 4
Path = tuple[str, ...]


class Refused(ValueError):
    """A record that is valid JSON but cannot be kept (too deep)."""


class _Number:
    """A number as written, until the record's walk decides what it becomes."""

    __slots__ = ("text", "value", "kind")

    def __init__(self, text: str, value: Any, kind: int) -> None:
        self.text, self.value, self.kind = text, value, kind


def _parse_int(text: str) -> _Number:
    if len(text.lstrip("-")) <= 19:
        value = int(text)
        if INT64[0] <= value <= INT64[1]:
            return _Number(text, value, _BIG_INT if abs(value) > EXACT_IN_DOUBLE else 0)
    return _Number(text, None, _INEXACT)


def _parse_float(text: str) -> _Number:
    value = float(text)
    try:
        exact = value not in (float("inf"), float("-inf")) and Decimal(repr(value)) == Decimal(text)
    except InvalidOperation:
        exact = False
    return _Number(text, value, _FLOAT) if exact else _Number(text, None, _INEXACT)


def _parse_constant(text: str) -> _Number:
    return _Number(text, None, _INEXACT)  # NaN, Infinity: not JSON; kept as text


_bad_bytes = threading.local()


def _count_bad(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _bad_bytes.n = getattr(_bad_bytes, "n", 0) + 1
    return "\ufffd", exc.end


codecs.register_error("logsheet-json-count", _count_bad)


def decode_text(data: bytes) -> tuple[str, int]:
    """UTF-8 text of a record and how many invalid byte sequences were replaced by U+FFFD."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        _bad_bytes.n = 0
        text = data.decode("utf-8", "logsheet-json-count")
        return text, int(_bad_bytes.n)


class Decoder:
    """Decodes records; ``stats`` collects, per column path, what kinds of numbers it held."""

    def __init__(self, text_paths: frozenset[Path] = frozenset()) -> None:
        self.text_paths = text_paths
        self.stats: dict[Path, int] = {}
        self.duplicates = 0  # records with a duplicate key
        self.first_duplicate = ""
        self.as_text = 0  # numbers kept as text
        self._dup_in_record = ""
        self._decoder = json.JSONDecoder(
            object_pairs_hook=self._pairs,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        record = dict(pairs)
        if len(record) != len(pairs) and not self._dup_in_record:
            seen: set[str] = set()
            self._dup_in_record = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return record

    def loads(self, text: str) -> Any:
        """One record; raises json.JSONDecodeError or Refused."""
        value, end = self.raw_decode(text, 0)
        if text[end:].strip():
            raise json.JSONDecodeError("Extra data", text, end)
        return value

    def raw_decode(self, text: str, index: int) -> tuple[Any, int]:
        self._dup_in_record = ""
        try:
            value, end = self._decoder.raw_decode(text, index)
        except RecursionError:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels") from None
        value = self._settle(value)
        if self._dup_in_record:
            self.duplicates += 1
            self.first_duplicate = self.first_duplicate or self._dup_in_record
        return value, end

    def _settle(self, value: Any) -> Any:
        """Replace every _Number by what it becomes; check the depth (iteratively: no recursion limit)."""
        if isinstance(value, _Number):
            return self._number(value, ())
        stack: list[tuple[Any, Path, int]] = [(value, (), 1)]
        while stack:
            container, path, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise Refused(f"nested deeper than {MAX_DEPTH} levels")
            items = container.items() if isinstance(container, dict) else enumerate(container)
            for key, item in list(items):
                child = (*path, key if isinstance(key, str) else "[]")
                if isinstance(item, _Number):
                    container[key] = self._number(item, child)
                elif isinstance(item, (dict, list)):
                    stack.append((item, child, depth + 1))
        return value

    def _number(self, number: _Number, path: Path) -> Any:
        if number.kind:
            self.stats[path] = self.stats.get(path, 0) | number.kind
        if number.kind == _INEXACT or path in self.text_paths:
            self.as_text += 1
            return number.text
        return number.value

    def text_paths_needed(self) -> frozenset[Path]:
        """Paths whose numbers must all be text: one was inexact, or big integers met decimals there."""
        return frozenset(p for p, kinds in self.stats.items() if kinds & _INEXACT or (kinds & _BIG_INT and kinds & _FLOAT))
