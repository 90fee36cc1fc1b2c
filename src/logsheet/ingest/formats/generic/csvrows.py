"""The rows of one CSV file, parsed by Arrow's streaming CSV reader into a staging Parquet file of text
columns, with each column's type guessed on the way (vectorised, one batch at a time).

- Line endings: LF, CRLF and CR alone, mixed in one file, all end a row (as a spreadsheet reads them).
- A row with too many or too few fields is a reject with its row number (the header is row 1; the row
  number is the line number unless a quoted value spans lines) and its raw text; blank lines are no rows.
- An odd number of quote characters in the file means a quoted value never closed: Arrow reads it to the
  end of the file, so the file's last row is a reject ("unterminated quoted value"), never a silently cut
  value.
- A parse error Arrow cannot step over (a row longer than ``BLOCK``) ends the file: the rows before it are
  kept and the rest is one reject saying where it starts.
- Types: a column is ``integer`` when every non-blank value is an integer written as such (no leading zero,
  within BIGINT), else ``float`` when every value is a decimal of at most 15 significant digits, else a
  boolean or date guess that the engine confirms (``csvfmt._types``), else text.
"""

from __future__ import annotations

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
GROUP_BYTES = 64 << 20  # staged rows are written in row groups of about this much text


class CsvStager:
    def __init__(self, target: Path, source: SourceFile, names: list[str], ctx: ReadContext) -> None:
        self.target, self.source, self.names, self.ctx = target, source, names, ctx
        self.schema = pa.schema([(SOURCE, pa.int64()), (POS, pa.int64()), *[(n, pa.string()) for n in names]])
        self.guess = [EMPTY] * len(names)
        self.confirm = [False] * len(names)  # a guess that moved on after values were seen: the engine checks
        self.skipped: set[int] = set()  # row numbers that are no rows (rejects, blank lines)
        self.last_row = 0
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.RecordBatch] = []
        self._pending_bytes = 0

    @property
    def guesses(self) -> dict[str, tuple[int, bool]]:
        return {n: (g, c) for n, g, c in zip(self.names, self.guess, self.confirm)}

    def reject_row(self, number: int, reason: str, raw: str) -> None:
        self.skipped.add(number)
        self.ctx.reject(self.source, number, reason, raw)

    def _invalid(self, row: Any) -> str:
        if row.text == "" or row.text.strip("\r\n") == "":
            self.skipped.add(row.number)
            return "skip"
        self.reject_row(
            row.number, f"line {row.number}: {row.actual_columns} field(s) where the header has {row.expected_columns}", row.text
        )
        return "skip"

    def read(self, path: Path, delimiter: str, skip: int, odd_quotes: bool) -> None:
        width = len(self.names)
        self.last_row = skip
        if not width:
            self._close()
            return
        read_options = pcsv.ReadOptions(use_threads=False, block_size=BLOCK, column_names=self.names, skip_rows=skip)
        parse_options = pcsv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, newlines_in_values=True,
            ignore_empty_lines=False, invalid_row_handler=self._invalid,
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
        if last is not None and odd_quotes and last.num_rows and self._ends_file(last.num_rows):
            self._add(last.slice(0, last.num_rows - 1))
            cut = last.slice(last.num_rows - 1)
            number = self._numbers(1)[0]
            raw = delimiter.join("" if v is None else str(v) for v in cut.to_pylist()[0].values())
            self.reject_row(int(number), f"line {number}: unterminated quoted value (the file is cut short?)", raw)
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

    def _add(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        numbers = self._numbers(batch.num_rows)
        self._guess(batch)
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
        for i, column in enumerate(batch.columns):
            if self.guess[i] == TEXT:
                continue
            values = pc.utf8_trim(column.drop_null(), characters=" ")
            values = values.filter(pc.not_equal(values, ""))
            if not len(values):
                continue
            guess = max(self.guess[i], INTEGER)
            while guess < TEXT and not _fits(guess, values):
                guess += 1
            if self.guess[i] != EMPTY and guess != self.guess[i]:
                self.confirm[i] = True
            self.guess[i] = guess


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(mask).as_py())


def _fits(guess: int, values: pa.Array) -> bool:
    if guess == INTEGER:
        return _all(pc.match_substring_regex(values, INTEGER_RE))
    if guess == FLOAT:
        if not _all(pc.match_substring_regex(values, DECIMAL_RE)) or not _all(pc.match_substring_regex(values, "[0-9]")):
            return False
        mantissa = pc.replace_substring_regex(values, "[eE].*$", "")
        digits = pc.utf8_trim(pc.replace_substring_regex(mantissa, "[^0-9]", ""), characters="0")
        if int(pc.max(pc.utf8_length(digits)).as_py() or 0) > DOUBLE_DIGITS:
            return False
        try:
            return _all(pc.is_finite(pc.cast(values, pa.float64())))
        except pa.ArrowInvalid:
            return False
    if guess == BOOLEAN:
        return _all(pc.is_in(pc.utf8_lower(values), value_set=BOOLEANS))
    if guess == TIMESTAMP:
        return _all(pc.match_substring_regex(values, DATE_RE))
    return True
