"""The rows of one CSV file, parsed by Arrow's streaming CSV reader into a staging Parquet file of text
columns, with each column's type guessed on the way (vectorised, one batch at a time).

- Line endings: LF, CRLF and CR alone, mixed in one file, all end a row (as a spreadsheet reads them).
- A row with too many or too few fields is a reject with its row number (the header is row 1; blank lines
  are not counted, so it is the line number unless blank lines or a quoted value spanning lines come before
  it) and its raw text.
- An odd number of quote characters in the file means a quoted value never closed: Arrow reads it to the
  end of the file, so the file's last row is a reject ("the file ends inside this row"), never a silently
  cut value; so is the last row of a damaged .gz when it lacks its line end.
- A parse error Arrow cannot step over (a row longer than ``BLOCK``) ends the file: the rows before it are
  kept and the rest is one reject saying where it starts.
- Types: a column is ``integer`` when every non-blank value is an integer written as such (no leading zero,
  within BIGINT), else ``float`` when every value is a decimal of at most 15 significant digits, else a
  boolean or date guess that the engine confirms (``csvfmt._types``), else text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from logsheet.core.columns import POS, SOURCE
from logsheet.ingest.formats.base import ReadContext, SourceFile
from logsheet.ingest.formats.generic.textfile import MAX_LINE

BLOCK = MAX_LINE + (1 << 20)  # Arrow's block: it must hold a whole row
GUESSES = ("empty", "integer", "float", "boolean", "timestamp", "text")
EMPTY, INTEGER, FLOAT, BOOLEAN, TIMESTAMP, TEXT = range(len(GUESSES))
INTEGER_RE = "^[+-]?(0|[1-9][0-9]{0,17})$"  # as csvfmt.INTEGER_TEXT
DECIMAL_RE = "^[+-]?(0|[1-9][0-9]*)?([.][0-9]+)?([eE][+-]?[0-9]{1,3})?$"  # as csvfmt.DECIMAL_TEXT
DATE_RE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
BOOLEANS = pa.array(["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"])
DOUBLE_DIGITS = 15
GROUP_BYTES = 16 << 20  # staged rows are written in row groups of about this much text (DuckDB reads one whole)


class CsvStager:
    def __init__(self, target: Path, source: SourceFile, names: list[str], ctx: ReadContext) -> None:
        self.target, self.source, self.names, self.ctx = target, source, names, ctx
        self.schema = pa.schema([(SOURCE, pa.int64()), (POS, pa.int64()), *[(n, pa.string()) for n in names]])
        self.guess = [EMPTY] * len(names)
        self.confirm = [False] * len(names)  # a guess that moved on after values were seen: the engine checks
        self.seen = [False] * len(names)  # values seen in an earlier batch
        self.skipped: set[int] = set()  # row numbers that are no rows (rejects, blank lines)
        self.last_row = 0
        self.long_lines: list[int] = []  # lengths of the lines too long, in file order (see textfile.prepare)
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.RecordBatch] = []
        self._pending_bytes = 0

    @property
    def guesses(self) -> dict[str, tuple[int, bool]]:
        return {n: (g, c) for n, g, c in zip(self.names, self.guess, self.confirm)}

    def reject_row(self, number: int, reason: str, raw: str) -> None:
        self.skipped.add(number)
        self.ctx.reject(self.source, number, reason, raw)

    def long_line(self, number: int) -> None:
        length = self.long_lines.pop(0) if self.long_lines else 0
        self.reject_row(number, f"line {number}: line longer than {MAX_LINE:,} bytes ({length:,} bytes)", "")

    def _invalid(self, row: Any) -> str:
        if row.text == "\0":
            self.long_line(row.number)
            return "skip"
        self.reject_row(
            row.number, f"line {row.number}: {row.actual_columns} field(s) where the header has {row.expected_columns}", row.text
        )
        return "skip"

    def read(self, path: Path, delimiter: str, skip: int, cut_last: bool) -> None:
        """Stage the file's rows; ``cut_last``: its last row is damage (an unclosed quote, a cut stream)."""
        width = len(self.names)
        self.last_row = skip
        if not width:
            self._close()
            return
        read_options = pcsv.ReadOptions(use_threads=False, block_size=BLOCK, column_names=self.names, skip_rows=skip)
        parse_options = pcsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, newlines_in_values=True,
            ignore_empty_lines=True, invalid_row_handler=self._invalid,
        )  # fmt: skip
        convert_options = pcsv.ConvertOptions(
            column_types=dict.fromkeys(self.names, pa.string()), null_values=[""], strings_can_be_null=True
        )
        last: pa.RecordBatch | None = None
        try:
            options = {"read_options": read_options, "parse_options": parse_options, "convert_options": convert_options}
            with pcsv.open_csv(path, **options) as rows:
                for batch in rows:
                    if last is not None:
                        self._add(last)
                    last = batch
        except (pa.ArrowInvalid, pa.ArrowException) as exc:
            if last is not None:
                self._add(last)
                last = None
            self.ctx.reject(self.source, self.last_row + 1, f"row {self.last_row + 1} and after could not be read: {exc}", "")
        if last is not None and cut_last and last.num_rows and self._ends_file(last.num_rows):
            self._add(last.slice(0, last.num_rows - 1))
            cut = last.slice(last.num_rows - 1)
            number = self._numbers(1)[0]
            raw = delimiter.join("" if v is None else str(v) for v in cut.to_pylist()[0].values())
            self.reject_row(
                int(number), f"line {number}: the file ends inside this row (an unterminated quoted value, or cut short)", raw
            )
        elif last is not None:
            self._add(last)
        self._close()

    def _ends_file(self, count: int) -> bool:
        """Whether the last of the next ``count`` rows is the file's last row (no reject after it)."""
        return not self.skipped or int(self._numbers(count, peek=True)[-1]) > max(self.skipped)

    def _numbers(self, count: int, peek: bool = False) -> np.ndarray:
        """The row numbers of the next ``count`` rows read (rejected and blank rows have numbers too)."""
        start = self.last_row + 1
        if not any(start <= s < start + count + len(self.skipped) for s in self.skipped):
            numbers = np.arange(start, start + count, dtype=np.int64)
        else:
            out: list[int] = []
            n = start
            while len(out) < count:
                if n not in self.skipped:
                    out.append(n)
                n += 1
            numbers = np.array(out, dtype=np.int64)
        if count and not peek:
            self.last_row = int(numbers[-1])
        return numbers

    def add_numbered(self, batch: pa.RecordBatch, numbers: list[int]) -> None:
        """Rows whose row numbers the caller knows."""
        self._guess(batch)
        self.last_row = numbers[-1]
        self._append(batch, np.array(numbers, dtype=np.int64))

    def close(self) -> None:
        self._close()

    def _add(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        numbers = self._numbers(batch.num_rows)
        self._guess(batch)
        self._append(batch, numbers)

    def _append(self, batch: pa.RecordBatch, numbers: np.ndarray) -> None:
        arrays = [pa.array(np.full(batch.num_rows, self.source.id, dtype=np.int64)), pa.array(numbers), *batch.columns]
        self._pending.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        self._pending_bytes += batch.nbytes
        if self._pending_bytes >= GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target, self.schema, compression="zstd")
        self._writer.write_table(pa.Table.from_batches(self._pending, schema=self.schema))
        self._pending, self._pending_bytes = [], 0

    def _close(self) -> None:
        self._flush()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target, self.schema, compression="zstd")
        self._writer.close()

    def _guess(self, batch: pa.RecordBatch) -> None:
        """Move each column's guess on to the first type that also holds this batch's values. The columns
        at one guess are tested together, as one long array: a few calls per batch and type, not per column,
        and cheap tests first (digits only), the regular expressions only for the values they leave."""
        rows = batch.num_rows
        if not rows:
            return
        at = [i for i, g in enumerate(self.guess) if g != TEXT]
        moved: set[int] = set()
        while at:
            values, blank = _values([batch.column(i) for i in at])
            if any(self.guess[i] == EMPTY for i in at):
                present = ~_matrix(blank, rows)
                for row, i in enumerate(at):
                    if present[row] and self.guess[i] == EMPTY:
                        self.guess[i] = INTEGER
            failed = []
            for kind in sorted({self.guess[i] for i in at} - {EMPTY}):
                rows_of = [row for row, i in enumerate(at) if self.guess[i] == kind]
                fits = _matrix(pc.or_(blank, _fits(kind, values, blank)), rows)
                for row in rows_of:
                    if not fits[row]:
                        failed.append(at[row])
            for i in failed:
                self.guess[i] += 1
                moved.add(i)
            at = [i for i in failed if self.guess[i] != TEXT]
        for i in moved:
            if self.seen[i]:
                self.confirm[i] = True
        for i, g in enumerate(self.guess):
            if g != EMPTY:
                self.seen[i] = True


def _values(columns: list[pa.Array]) -> tuple[pa.Array, pa.Array]:
    """The columns' values end to end, trimmed of spaces as the engine's TRIM does, and where they are blank."""
    values = pc.fill_null(pa.concat_arrays(columns), "")  # no nulls: every mask below is plainly true or false
    padded = pc.or_(pc.starts_with(values, " "), pc.ends_with(values, " "))
    if pc.any(padded).as_py():
        values = pc.utf8_trim(values, characters=" ")
    blank = pc.fill_null(pc.equal(values, ""), True)
    return values, blank


def _matrix(mask: pa.Array, rows: int) -> np.ndarray:
    """A mask over columns laid end to end (``rows`` values each), reduced to one flag per column: all true."""
    flat = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
    if not flat.size:
        return np.zeros(0, dtype=bool)
    reduced = np.asarray(flat.reshape(-1, rows).all(axis=1), dtype=bool)
    return reduced


def _fits(kind: int, values: pa.Array, blank: pa.Array) -> pa.Array:
    """Per value: whether it is exactly of ``kind`` (see the module's docstring); blanks are left to the caller.
    Plain digit strings are judged without a regular expression; the rest go through it."""
    digits = pc.fill_null(pc.ascii_is_decimal(values), False)
    length = pc.utf8_length(values)
    no_leading_zero = pc.or_(pc.equal(length, 1), pc.invert(pc.starts_with(values, "0")))
    if kind == INTEGER:
        plain = pc.and_(digits, pc.and_(pc.less_equal(length, 18), no_leading_zero))
        return _or_regex(plain, values, blank, lambda v: pc.match_substring_regex(v, INTEGER_RE))
    if kind == FLOAT:
        plain = pc.and_(digits, pc.and_(pc.less_equal(length, DOUBLE_DIGITS), no_leading_zero))
        return _or_regex(plain, values, blank, _decimal)
    if kind == BOOLEAN:
        return pc.is_in(pc.utf8_lower(values), value_set=BOOLEANS)
    if kind == TIMESTAMP:
        return pc.match_substring_regex(values, DATE_RE)
    return pc.fill_null(pc.equal(values, values), True)


def _or_regex(plain: pa.Array, values: pa.Array, blank: pa.Array, slow: Callable[[pa.Array], pa.Array]) -> pa.Array:
    rest = pc.invert(pc.or_(plain, blank))
    if not pc.any(rest).as_py():
        return plain
    checked = pc.fill_null(slow(pc.if_else(rest, values, "")), False)
    return pc.or_(plain, pc.and_(rest, checked))


def _decimal(values: pa.Array) -> pa.Array:
    decimal = pc.and_(pc.match_substring_regex(values, DECIMAL_RE), pc.match_substring_regex(values, "[0-9]"))
    mantissa = pc.replace_substring_regex(values, "[eE].*$", "")
    digits = pc.utf8_trim(pc.replace_substring_regex(mantissa, "[^0-9]", ""), characters="0")
    decimal = pc.fill_null(pc.and_(decimal, pc.less_equal(pc.utf8_length(digits), DOUBLE_DIGITS)), False)
    as_number = pc.cast(pc.if_else(decimal, values, "0"), pa.float64())
    return pc.and_(decimal, pc.is_finite(as_number))
