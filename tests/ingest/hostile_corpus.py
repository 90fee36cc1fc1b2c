"""A corpus of hostile files (issue 19, Build items 4 and 8): one file per kind of damage, for every format
logsheet reads, written by code into a folder.

Each :class:`Case` knows what it wrote: how many good records precede or surround the damage (all of them
must be kept), how many damaged records may go either way (kept, repaired, or set aside as rejects), and the
hostile values that must read back byte for byte. ``cases()`` is deterministic: the same bytes every run.

Kinds (only where the kind applies to the format):

- ``cut_plain``: the file ends in the middle of a record;
- ``cut_gzip``: a ``.gz`` whose stream ends in the middle (the good records are what ``zcat`` prints);
- ``gzip_garbage``: a whole gzip member followed by bytes that are not gzip;
- ``empty``: zero bytes; ``bom_only``: nothing but a UTF-8 BOM;
- ``nul_middle``: NUL bytes inside one record; ``invalid_utf8``: bytes that are not UTF-8 inside one record;
- ``cr_only`` and ``mixed_endings``: records ended by a lone CR, or by LF, CRLF and CR mixed;
- ``long_line``: one record longer than the reader's documented limit (syslog and VPC flow 1 MiB, CSV and
  text 8 MiB, JSON 64 MiB), the records around it good;
- ``duplicate_keys``: a JSON object repeating a key (the last value wins); for CSV a header naming a
  column twice;
- ``deep_nesting``: one record nested 10,000 deep;
- ``binary_blob``: random bytes named like the format (``.log``, ``.json``, ``.csv``, ``.parquet``);
- ``hostile_values``: formula-like cells (``=cmd|...``, ``+``, ``-``, ``@``), ``<script>``, ANSI escapes and
  bidi overrides, which must be kept exactly as written;
- ``cut_parquet``: a Parquet file cut in half (a reject, never a crash).
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import ct_record, records_text

N = 40  # records in a small case
BIG = 3000  # records in a case cut inside its gzip stream (enough for several deflate blocks)
MARKERS = {"syslog": "Failed", "vpcflow": "eni-0a1b2c3d", "json": "root", "csv": "root", "text": "of"}
LIMITS = {"syslog": 1 << 20, "vpcflow": 1 << 20, "csv": 8 << 20, "text": 8 << 20, "json": 64 << 20}

FORMULA = "=cmd|' /C calc'!A0"
HOSTILE = (
    FORMULA,
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07",
    "\u202egnp.exe\u202c \u2066isolated\u2069 \u200f",
)
# VPC flow fields hold no spaces or control characters: its hostile values are the ones a field can hold.
VPC_HOSTILE = ("=cmd|'/C+calc'!A0", "<script>alert(1)</script>", "\u202egnp.exe\u202c", "@SUM(1+1)")


@dataclass(frozen=True)
class Case:
    format: str
    kind: str
    name: str  # the file's name in the corpus folder
    data: bytes
    good: int  # good records the generator wrote: every one must be kept
    damaged: int = 0  # records that may be kept (repaired) or set aside
    column: str = ""  # the column the hostile values are in
    values: tuple[str, ...] = ()  # values that must read back byte for byte

    @property
    def damage_reject(self) -> bool:
        """The damage is a reject of its own (a gzip stream cut short or followed by garbage)."""
        return self.kind in ("cut_gzip", "gzip_garbage")

    @property
    def id(self) -> str:
        return f"{self.format}-{self.kind}"

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.data)
        return path


# ----------------------------------------------------------------------------------------- records per format
def syslog_line(i: int, message: str | None = None) -> str:
    text = message if message is not None else f"Failed password for root from 203.0.113.{i % 250} port {1000 + i} ssh2"
    return f"Dec  1 10:{i // 60 % 60:02d}:{i % 60:02d} web sshd[42]: {text}"


VPC_HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def vpc_line(i: int) -> str:
    src = f"10.0.{i // 250 % 250}.{i % 250}"
    return (
        f"2 123456789012 eni-0a1b2c3d {src} 10.0.1.1 443 {1024 + i % 60000} 6 10 840 {1600000000 + i} {1600000060 + i} ACCEPT OK"
    )


def json_line(i: int, msg: str | None = None) -> str:
    return json.dumps({"n": i, "who": "root", "msg": msg if msg is not None else f"event {i}"}, ensure_ascii=False)


def csv_line(i: int) -> str:
    return f'{i},root,"event {i}, seen"'


def text_line(i: int) -> str:
    return f"line {i} of the responder's notes"


def ct_line(i: int) -> str:
    return json.dumps(ct_record(i))


@dataclass(frozen=True)
class Lines:
    """A line-based format: its header (if any), its record lines, and file names."""

    format: str
    header: str | None
    line: Callable[[int], str]
    suffix: str

    def body(self, n: int, end: str = "\n") -> str:
        lines = ([self.header] if self.header else []) + [self.line(i) for i in range(n)]
        return end.join(lines) + end


LINE_FORMATS = (
    Lines("syslog", None, syslog_line, ".log"),
    Lines("vpcflow", VPC_HEADER, vpc_line, ".log"),
    Lines("json", None, json_line, ".json"),
    Lines("csv", "n,who,msg", csv_line, ".csv"),
    Lines("text", None, text_line, ".txt"),
)


def _readable(packed: bytes) -> bytes:
    """What ``zcat`` prints of a damaged gzip stream."""
    out = zlib.decompressobj(wbits=31)
    try:
        return out.decompress(packed)
    except zlib.error:  # pragma: no cover - the cut is at a block boundary only by chance
        return b""


def _blob(seed: int, size: int = 50_000) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


def _inject(line: str, marker: str, bad: bytes) -> bytes:
    """``line`` with ``bad`` bytes in place of ``marker`` (which it holds once)."""
    head, _, tail = line.partition(marker)
    return head.encode() + bad + tail.encode()


def line_cases(fmt: Lines) -> list[Case]:
    f, s, h = fmt.format, fmt.suffix, 1 if fmt.header else 0
    out: list[Case] = []
    body = fmt.body(N).encode()
    # cut in the middle of record 31 (plain)
    lines = body.split(b"\n")
    cut = b"\n".join(lines[: h + 30]) + b"\n" + lines[h + 30][: len(lines[h + 30]) // 2]
    out.append(Case(f, "cut_plain", f"cut_plain{s}", cut, good=30, damaged=1))
    # cut in the middle of the gzip stream
    packed = gzip.compress(fmt.body(BIG).encode(), mtime=0)
    half = packed[: len(packed) // 2]
    readable = _readable(half)
    complete = readable.count(b"\n") - h
    out.append(Case(f, "cut_gzip", f"cut_gzip{s}.gz", half, good=complete, damaged=1))
    # a gzip member with garbage after it
    garbage = gzip.compress(body, mtime=0) + b"\x00\x01not gzip at all\xff\xfe" * 20
    out.append(Case(f, "gzip_garbage", f"gzip_garbage{s}.gz", garbage, good=N))
    out.append(Case(f, "empty", f"empty{s}", b"", good=0))
    out.append(Case(f, "bom_only", f"bom_only{s}", b"\xef\xbb\xbf", good=0))
    # NUL bytes and invalid UTF-8 inside record 11 (its line is rewritten with the bad bytes)
    for kind, bad in (("nul_middle", b"\x00\x00\x00"), ("invalid_utf8", b"\xff\xfe\xc3(")):
        rows = [fmt.line(i) for i in range(N)]
        marker = MARKERS[f]
        damaged = _inject(rows[10], marker, marker[:2].encode() + bad + marker[2:].encode())
        parts = ([fmt.header.encode()] if fmt.header else []) + [r.encode() for r in rows]
        parts[h + 10] = damaged
        out.append(Case(f, kind, f"{kind}{s}", b"\n".join(parts) + b"\n", good=N - 1, damaged=1))
    out.append(Case(f, "cr_only", f"cr_only{s}", fmt.body(N, "\r").encode(), good=N))
    ends = ("\n", "\r\n", "\r")
    lines_text = ([fmt.header] if fmt.header else []) + [fmt.line(i) for i in range(N)]
    mixed = "".join(line + ends[i % 3] for i, line in enumerate(lines_text))
    out.append(Case(f, "mixed_endings", f"mixed_endings{s}", mixed.encode(), good=N))
    out.append(_long_line(fmt))
    out.append(Case(f, "binary_blob", f"binary_blob{s}", _blob(len(f)), good=0, damaged=10**6))
    out.extend(_hostile(fmt))
    if f == "json":
        out.extend(_json_only())
    if f == "csv":
        dup = ("n,who,who\n" + "".join(f"{i},first{i},second{i}\n" for i in range(N))).encode()
        out.append(Case(f, "duplicate_keys", "duplicate_keys.csv", dup, good=N))
    return out


def _long_line(fmt: Lines) -> Case:
    limit = LIMITS[fmt.format]
    f, s = fmt.format, fmt.suffix
    rows = [fmt.line(i) for i in range(N)]
    filler = "A" * (limit + 4096)
    rows[5] = {
        "syslog": syslog_line(5, filler),
        "vpcflow": vpc_line(5).replace("eni-0a1b2c3d", "eni-" + filler),
        "json": json_line(5, filler),
        "csv": f"5,root,{filler}",
        "text": filler,
    }[f]
    data = "\n".join(([fmt.header] if fmt.header else []) + rows) + "\n"
    return Case(f, "long_line", f"long_line{s}", data.encode(), good=N - 1)


def _hostile(fmt: Lines) -> list[Case]:
    f, s = fmt.format, fmt.suffix
    if f == "syslog":
        lines = [syslog_line(i, v) for i, v in enumerate(HOSTILE)]
        return [
            Case(
                f, "hostile_values", f"hostile_values{s}", ("\n".join(lines) + "\n").encode(), len(HOSTILE), 0, "message", HOSTILE
            )
        ]
    if f == "vpcflow":
        header = VPC_HEADER + " note"
        lines = [header] + [f"{vpc_line(i)} {v}" for i, v in enumerate(VPC_HOSTILE)]
        data = ("\n".join(lines) + "\n").encode()
        return [Case(f, "hostile_values", f"hostile_values{s}", data, len(VPC_HOSTILE), 0, "note", VPC_HOSTILE)]
    if f == "json":
        data = "".join(json_line(i, v) + "\n" for i, v in enumerate(HOSTILE)).encode()
        return [Case(f, "hostile_values", f"hostile_values{s}", data, len(HOSTILE), 0, "msg", HOSTILE)]
    if f == "csv":
        buffer = io.StringIO()
        import csv

        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["n", "who", "msg"])
        writer.writerows([i, "root", v] for i, v in enumerate(HOSTILE))
        data = buffer.getvalue().encode()
        return [Case(f, "hostile_values", f"hostile_values{s}", data, len(HOSTILE), 0, "msg", HOSTILE)]
    # text: one value a line (ANSI escapes are control bytes: forced text keeps them)
    data = ("\n".join(HOSTILE) + "\n").encode()
    return [Case(f, "hostile_values", f"hostile_values{s}", data, len(HOSTILE), 0, "line", HOSTILE)]


def _json_only() -> list[Case]:
    out: list[Case] = []
    lines = [json_line(i) for i in range(N)]
    lines[7] = '{"n": 7, "who": "first", "who": "root", "msg": "event 7"}'
    out.append(Case("json", "duplicate_keys", "duplicate_keys.json", ("\n".join(lines) + "\n").encode(), good=N))
    lines = [json_line(i) for i in range(N)]
    lines[9] = '{"n": 9, "deep": ' + '{"x": ' * 10_000 + "1" + "}" * 10_000 + "}"
    out.append(Case("json", "deep_nesting", "deep_nesting.json", ("\n".join(lines) + "\n").encode(), good=N - 1))
    # a JSON array cut in the middle of an element
    array = json.dumps([{"n": i, "who": "root"} for i in range(N)]).encode()
    cut_at = array.index(b'{"n": 31')
    out.append(Case("json", "cut_array", "cut_array.json", array[: cut_at + 5], good=31, damaged=1))
    return out


# ---------------------------------------------------------------------------------------------- CloudTrail
CT_NAME = "111122223333_CloudTrail_us-east-1_20220322T1500Z_{}.json"


def cloudtrail_cases() -> list[Case]:
    f = "cloudtrail"
    out: list[Case] = []

    def doc(n: int, sep: str = ",\n", first: int = 0) -> str:
        return records_text([ct_record(first + i) for i in range(n)], sep)

    def name(kind: str, gz: bool = False) -> str:
        return CT_NAME.format(kind) + (".gz" if gz else "")

    text = doc(N).encode()
    lines = text.split(b"\n")  # line 0 is '{"Records": [', then a record a line
    cut = b"\n".join(lines[:31]) + b"\n" + lines[31][: len(lines[31]) // 2]
    out.append(Case(f, "cut_plain", name("cut_plain"), cut, good=30, damaged=1))
    packed = gzip.compress(doc(BIG).encode(), mtime=0)
    half = packed[: len(packed) // 2]
    readable = _readable(half)
    out.append(Case(f, "cut_gzip", name("cut_gzip", True), half, good=readable.count(b"\n") - 1, damaged=1))
    garbage = gzip.compress(text, mtime=0) + b"\x00\x01not gzip at all\xff\xfe" * 20
    out.append(Case(f, "gzip_garbage", name("gzip_garbage", True), garbage, good=N))
    out.append(Case(f, "empty", name("empty"), b"", good=0))
    out.append(Case(f, "bom_only", name("bom_only"), b"\xef\xbb\xbf", good=0))
    for kind, bad in (("nul_middle", b"\x00\x00\x00"), ("invalid_utf8", b"\xff\xfe\xc3(")):
        rows = [ct_line(i) for i in range(N)]
        rows[10] = _inject(rows[10], "aws-cli", b"aw" + bad + b"s-cli").decode("latin-1")
        data = ('{"Records": [\n' + ",\n".join(rows) + "\n]}\n").encode("latin-1")
        out.append(Case(f, kind, name(kind), data, good=N - 1, damaged=1))
    out.append(Case(f, "cr_only", name("cr_only"), doc(N, ",\r").replace("\n", "\r").encode(), good=N))
    mixed = doc(N).split("\n")
    out.append(Case(f, "mixed_endings", name("mixed_endings"), "".join(
        line + ("\n", "\r\n", "\r")[i % 3] for i, line in enumerate(mixed)).encode(), good=N))  # fmt: skip
    rows = [ct_line(i) for i in range(N)]
    rows[7] = rows[7].replace('{"eventVersion"', '{"userAgent": "first", "eventVersion"', 1)
    out.append(Case(f, "duplicate_keys", name("duplicate_keys"), ('{"Records": [\n' + ",\n".join(rows) + "\n]}\n").encode(),
                    good=N, column="userAgent", values=("aws-cli/2.4.0 Python/3.8.8",)))  # fmt: skip
    rows = [ct_line(i) for i in range(N)]
    deep = '"requestParameters": ' + '{"x": ' * 10_000 + "1" + "}" * 10_000
    rows[9] = rows[9].replace('"requestParameters": ', deep + ', "ignored": ', 1)
    out.append(Case(f, "deep_nesting", name("deep_nesting"), ('{"Records": [\n' + ",\n".join(rows) + "\n]}\n").encode(),
                    good=N - 1, damaged=1))  # fmt: skip
    out.append(Case(f, "binary_blob", name("binary_blob"), _blob(7), good=0, damaged=10**6))
    hostile = [ct_record(i, userAgent=v) for i, v in enumerate(HOSTILE)]
    out.append(Case(f, "hostile_values", name("hostile_values"), records_text(hostile).encode(), len(HOSTILE), 0,
                    "userAgent", HOSTILE))  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------------- Parquet
def parquet_cases() -> list[Case]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def table(values: list[str]) -> bytes:
        sink = io.BytesIO()
        pq.write_table(pa.table({"n": list(range(len(values))), "msg": values}), sink)
        return sink.getvalue()

    f = "parquet"
    whole = table([f"event {i}" for i in range(N)])
    return [
        Case(f, "cut_parquet", "cut_parquet.parquet", whole[: len(whole) // 2], good=0, damaged=N),
        Case(f, "empty", "empty.parquet", b"", good=0),
        Case(f, "garbage_appended", "garbage_appended.parquet", whole + b"\x00garbage\xff" * 10, good=0, damaged=N),
        Case(f, "binary_blob", "binary_blob.parquet", b"PAR1" + _blob(11), good=0, damaged=10**6),
        Case(f, "hostile_values", "hostile_values.parquet", table(list(HOSTILE)), len(HOSTILE), 0, "msg", HOSTILE),
    ]


def good_file(fmt: str) -> tuple[str, bytes, int]:
    """A well-formed file of ``fmt`` (its name, bytes and record count), for a folder of hostile files."""
    if fmt == "cloudtrail":
        return CT_NAME.format("good"), records_text([ct_record(10_000 + i) for i in range(N)]).encode(), N
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = io.BytesIO()
        pq.write_table(pa.table({"n": list(range(N)), "msg": [f"good {i}" for i in range(N)]}), sink)
        return "good.parquet", sink.getvalue(), N
    lines = next(x for x in LINE_FORMATS if x.format == fmt)
    return f"good{lines.suffix}", lines.body(N).encode(), N


@functools.cache
def cases() -> list[Case]:
    """Every (format, kind) case, in a fixed order."""
    out = [c for fmt in LINE_FORMATS for c in line_cases(fmt)]
    return out + cloudtrail_cases() + parquet_cases()


def write_corpus(folder: Path) -> list[Path]:
    """Write every case into ``folder`` (one subfolder per format); returns the paths written."""
    written = []
    for case in cases():
        sub = folder / case.format
        sub.mkdir(parents=True, exist_ok=True)
        written.append(case.write(sub))
    return written
