"""JSON files whose records hold more top-level keys than ``MAX_COLUMNS``: the file's first
``MAX_COLUMNS - 1`` keys (in first-seen order, decided from its first records) become sheet columns, and
every other key of a record is kept in one ``json`` column, ``more_fields``: a JSON object of exactly the
record's remaining keys and values, queryable with JSON paths (``more_fields.key_9000 = 'x'``).

Why: DuckDB's JSON reader and Parquet writer pay per column (10,000 keys × 10,000 records ran out of 11 GB),
and Python's ``json.loads`` takes about 11 ms for one record of 10,000 keys here. So a JSON-lines file is
read on a fast path: each line's head keys are decoded one value at a time (C scanner calls), and the rest
of the line is kept as written — its text, not a re-encoding — then checked as JSON by DuckDB (vectorised).
A line the fast path cannot take (not UTF-8, a number a double could round, nesting that may be too deep,
its keys not in the file's order, not valid JSON) sends the whole file to the record-by-record reader
(``jsonsalvage``: every exactness rule, every reject with its position), which splits each decoded record
the same way; so do arrays and concatenated documents.
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from logsheet.core.columns import POS, SOURCE
from logsheet.core.sqlnames import cast, col, func, lit, render
from logsheet.ingest.formats.base import ReadContext, SourceFile
from logsheet.ingest.formats.generic.jsonsalvage import _note, _Pass
from logsheet.ingest.formats.generic.jsonstream import ByteStream, _risky, lines
from logsheet.ingest.formats.generic.jsonvalues import MAX_DEPTH, Decoder
from logsheet.ingest.formats.stage import parquet_table

MAX_COLUMNS = 256  # as csvwide: a record of more keys keeps MAX_COLUMNS - 1 of them as columns
MORE = "more_fields"
SAMPLE_RECORDS = 1000
SAMPLE_DOCUMENT = 16 << 20  # a file that is not lines nor an array is sampled only when no larger (its first
# document may be all of it)
SAMPLE_KEYS = 200_000  # keys read (over all sampled records) before the sample stops
GROUP_BYTES = 16 << 20  # text per staged row group (DuckDB reads one whole)
_WS = re.compile(r"[ \t\n\r]*")
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_KINDS = (bool, int, float, str, dict, list)


# What DuckDB's JSON check lets through and JSON is not: NaN and infinities, trailing commas (also matched inside
# strings: such a file just takes the record-by-record reader).
LENIENT = r"[:,\[]\s*[-+]?(?i:nan|inf)|,\s*[}\]]"


class NotFast(Exception):
    """A line the fast path does not take: the file goes to the record-by-record reader."""


def sample_keys(source: SourceFile, kind: str) -> list[str]:
    """The top-level keys of the file's first records (first-seen order): its first ``SAMPLE_RECORDS``
    records, or fewer when they hold ``SAMPLE_KEYS`` keys in all."""
    keys: dict[str, None] = {}
    seen = 0
    if kind == "newline_delimited":
        values: Any = (_plain(line.data) for line in lines(ByteStream(source)))
    elif kind != "array" and source.size > SAMPLE_DOCUMENT:
        return []  # one document (or several) that may be the whole file: DuckDB's reader reads it
    else:
        values = (value for _, value in _Pass(source, _NoReject(), Decoder(), report=False).records(kind))  # type: ignore[arg-type]
    for records, value in enumerate(values, 1):
        if isinstance(value, dict):
            keys.update(dict.fromkeys(value))
            seen += len(value)
        if records >= SAMPLE_RECORDS or seen >= SAMPLE_KEYS:
            break
    return list(keys)


def _plain(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8", "replace").lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None


class _NoReject:
    def reject(self, *args: Any) -> None:
        return None


def is_wide(keys: list[str]) -> bool:
    return len(keys) > MAX_COLUMNS


def wide_names(keys: list[str]) -> tuple[list[str], str]:
    head = keys[: MAX_COLUMNS - 1]
    more, n = MORE, 2
    while more in head or more in (SOURCE, POS):
        more, n = f"{MORE}_{n}", n + 1
    return head, more


class _Stager:
    """Rows (head values as text, the rest as JSON text) to one staging Parquet file, with each head column's
    kinds of values seen."""

    def __init__(self, target: Path, source: SourceFile, head: list[str], more: str) -> None:
        self.target, self.source, self.head, self.more = target, source, head, more
        self.index = {k: i for i, k in enumerate(head)}
        self.schema = pa.schema([(SOURCE, pa.int64()), (POS, pa.int64()), *[(n, pa.string()) for n in [*head, more]]])
        self.kinds: list[set[type]] = [set() for _ in head]
        self.text_bytes = 0
        self.rows = 0
        self._rows: list[list[str | None]] = []
        self._numbers: list[int] = []
        self._size = 0
        self._writer: pq.ParquetWriter | None = None

    def add(self, number: int, values: list[str | None], size: int) -> None:
        self._rows.append(values)
        self._numbers.append(number)
        self._size += size
        self.text_bytes += size
        self.rows += 1
        if self._size >= GROUP_BYTES:
            self.flush()

    def add_record(self, number: int, record: Any) -> None:
        """A decoded record (record-by-record reader): split into head values and the rest."""
        record = record if isinstance(record, dict) else {"value": record}
        values: list[str | None] = [None] * (len(self.head) + 1)
        rest: dict[str, Any] = {}
        for key, value in record.items():
            at = self.index.get(key)
            if at is None:
                rest[key] = value
            elif value is not None:
                self.kinds[at].add(type(value))
                values[at] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        values[-1] = json.dumps(rest, ensure_ascii=False) if rest else None
        self.add(number, values, sum(len(v) for v in values if v))

    def flush(self) -> None:
        if not self._rows:
            return
        width = len(self.head) + 1
        arrays = [pa.array([self.source.id] * len(self._rows), pa.int64()), pa.array(self._numbers, pa.int64())]
        arrays += [pa.array([r[j] for r in self._rows], pa.string()) for j in range(width)]
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target, self.schema, compression="zstd")
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self._rows, self._numbers, self._size = [], [], 0

    def abandon(self) -> None:
        """Drop what was staged (the file is read again another way)."""
        self._rows, self._numbers = [], []
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        self.flush()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target, self.schema, compression="zstd")
        self._writer.close()


def _fast_line(text: str, index: dict[str, int], kinds: list[set[type]]) -> list[str | None]:
    """A line's head values (as text) and the rest of the object as written; raises NotFast."""
    values: list[str | None] = [None] * (len(index) + 1)
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text[i : i + 1] != "{":
        raise NotFast
    i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
    if text[i : i + 1] == "}":
        end = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        if end != len(text):
            raise NotFast
        return values
    found = 0
    seen = [False] * len(index)
    try:
        while True:
            if text[i : i + 1] != '"':
                raise NotFast
            key, after = scanstring(text, i + 1)
            at = index.get(key)
            if at is None or seen[at]:
                # a key of the rest before every head key (the file's keys are not in order, or the record
                # lacks some), or a head key repeated: the record-by-record reader sorts them out
                raise NotFast
            seen[at] = True
            j = _WS.match(text, after).end()  # type: ignore[union-attr]
            if text[j : j + 1] != ":":
                raise NotFast
            j = _WS.match(text, j + 1).end()  # type: ignore[union-attr]
            value, end = _scan(text, j)
            if type(value) is float and not math.isfinite(value):
                raise NotFast  # NaN, Infinity: not JSON (the record-by-record reader keeps them as text)
            if value is not None:
                kinds[at].add(type(value))
                values[at] = value if isinstance(value, str) else text[j:end]
                if isinstance(value, (dict, list)) and ("NaN" in values[at] or "Infinity" in values[at]):  # type: ignore[operator]
                    raise NotFast
            else:
                values[at] = None
            found += 1
            i = _WS.match(text, end).end()  # type: ignore[union-attr]
            if text[i : i + 1] == "}":
                if _WS.match(text, i + 1).end() != len(text):  # type: ignore[union-attr]
                    raise NotFast
                return values
            if text[i : i + 1] != ",":
                raise NotFast
            i = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
            if found == len(index):
                values[-1] = "{" + text[i:].rstrip(" \t\r\n")
                return values
    except (StopIteration, ValueError) as exc:
        raise NotFast from exc


def _fast(source: SourceFile, stager: _Stager, ctx: ReadContext) -> bool:
    """Stage a JSON-lines file on the fast path; False when a line is not for it (nothing reported yet)."""
    stream = ByteStream(source)
    for line in lines(stream):
        if line.too_long or line.data.count(b"{") + line.data.count(b"[") > MAX_DEPTH or _risky(line.data):
            return False
        try:
            text = line.data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if line.number == 1:
            text = text.lstrip("\ufeff")
        if not text.strip():
            continue
        try:
            values = _fast_line(text, stager.index, stager.kinds)
        except NotFast:
            return False
        stager.add(line.number, values, len(line.data))
    if stream.damage:
        return False
    stager.close()
    return _tail_valid(stager, ctx)


def _tail_valid(stager: _Stager, ctx: ReadContext) -> bool:
    """Every kept rest is a JSON object (checked by DuckDB's JSON functions and RE2, vectorised)."""
    more = col(stager.more)
    bad = exp.and_(
        exp.Not(this=exp.Is(this=more, expression=exp.Null())),
        exp.or_(
            exp.Not(this=func("json_valid", more)),
            exp.NEQ(this=func("json_type", more), expression=lit("OBJECT")),
            func("regexp_matches", more, lit(LENIENT)),
        ),
    )
    query = exp.select(exp.Count(this=exp.Star())).from_(parquet_table([stager.target])).where(bad)
    found = ctx.con.execute(render(query)).fetchone()
    return bool(found) and found[0] == 0  # type: ignore[index]


def _slow(source: SourceFile, kind: str, target: Path, head: list[str], more: str, ctx: ReadContext) -> tuple[_Stager, str]:
    """Stage any JSON file record by record (jsonsalvage's reader and its rules); the stager and the note."""
    run = _Pass(source, ctx, Decoder(), report=True)
    stager = _Stager(target, source, head, more)
    for position, record in run.records(kind):
        stager.add_record(position, record)
        run.kept += 1
    stager.close()
    text_paths = run.decoder.text_paths_needed()
    if text_paths:  # numbers a double would round: read again with those columns' numbers as text
        run = _Pass(source, ctx, Decoder(text_paths), report=False)
        stager = _Stager(target, source, head, more)
        for position, record in run.records(kind):
            stager.add_record(position, record)
            run.kept += 1
        stager.close()
    return stager, _note(run)


def stage(source: SourceFile, kind: str, keys: list[str], ctx: ReadContext) -> tuple[Path, _Stager, str]:
    """Stage a wide file; returns the staging Parquet file, its stager (kinds, sizes) and the source's note."""
    head, more = wide_names(keys)
    target = ctx.new_path(f"jsonwide-{source.id}", ".parquet")
    stager = _Stager(target, source, head, more)
    note = ""
    if not (kind == "newline_delimited" and _fast(source, stager, ctx)):
        stager.abandon()
        stager, note = _slow(source, kind, target, head, more, ctx)
    wide = (
        f"{len(keys):,} top-level keys in its first records: the first {len(head):,} are sheet columns, the "
        f"others ({keys[len(head)]} … {keys[-1]}, and any key not among the first) are kept as a JSON object "
        f"in the column {more!r}"
    )
    return target, stager, "; ".join(n for n in (note, wide) if n)


def column_type(kinds: set[type]) -> tuple[str, str]:
    """(engine type, logical type) of a head column from the kinds of values it held."""
    if not kinds or kinds == {str}:
        return "VARCHAR", "text"
    if kinds == {bool}:
        return "BOOLEAN", "boolean"
    if kinds == {int}:
        return "BIGINT", "integer"
    if kinds <= {int, float}:
        return "DOUBLE", "float"
    if kinds <= {dict, list}:
        return "JSON", "json"
    return "VARCHAR", "text"


def select(parts: list[tuple[Path, _Stager]]) -> tuple[exp.Select, dict[str, str], int, int]:
    """The staged parts as one relation with typed columns; (select, types, text bytes, rows)."""
    kinds: dict[str, set[type]] = {}
    more_names: list[str] = []
    for _, stager in parts:
        for name, seen in zip(stager.head, stager.kinds):
            kinds.setdefault(name, set()).update(seen)
        if stager.more not in more_names:
            more_names.append(stager.more)
    projections: list[exp.Expr] = [col(SOURCE), col(POS)]
    types: dict[str, str] = {}
    for name, seen in kinds.items():
        engine, logical = column_type(seen)
        value = col(name) if engine == "VARCHAR" else cast(col(name), engine)
        projections.append(exp.alias_(value, name, quoted=True))
        types[name] = logical
    for name in more_names:
        projections.append(exp.alias_(cast(col(name), "JSON"), name, quoted=True))
        types[name] = "json"
    table = parquet_table([p for p, _ in parts])
    text_bytes = sum(s.text_bytes for _, s in parts)
    rows = sum(s.rows for _, s in parts)
    return exp.select(*projections).from_(table), types, text_bytes, rows
