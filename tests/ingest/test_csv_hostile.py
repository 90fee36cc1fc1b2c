"""Hostile and broken CSV and text files (issue 19, Build items 3-6), through the CLI's entry point.

Each test reproduces a failure as the issue states it and checks that the file's good rows are kept, its
bad ones are rejects with their position and reason, and every source's accounting holds."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    return subprocess.run([LOGSHEET, *args], capture_output=True, text=True, timeout=300, env=env)


def imported(path: Path, sheet: str, home: Path, *extra: str) -> dict[str, Any]:
    done = run("import", str(path), "--sheet", sheet, "--json", *extra, home=home)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    for s in summary["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    return summary


def rows(sheet: str, home: Path) -> list[dict[str, Any]]:
    done = run("query", sheet, "--format", "json", "--limit", "10000", home=home)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def rejects(sheet: str, home: Path) -> list[dict[str, Any]]:
    done = run("rejects", sheet, "--format", "json", "--limit", "10000", home=home)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


# The import's own peak: VmHWM starts afresh at exec (ru_maxrss keeps the forking parent's, pytest's, size).
PEAK = "print('PEAK', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)\n"


def peak(stderr: str) -> int:
    """The child's peak resident memory in KiB, as PEAK printed it."""
    return int(stderr.split("PEAK")[-1].split()[0])


EXPECTED = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "z"}]


def test_cr_only_and_mixed_line_endings_read_right_also_among_good_files(tmp_path: Path) -> None:
    """4: a CSV with CR-only line endings aborted the import ("internal error"), even among good CSVs."""
    home, folder = tmp_path / "home", tmp_path / "case"
    folder.mkdir()
    (folder / "cr.csv").write_bytes(b"a,b\r1,x\r2,y\r3,z\r")
    (folder / "mixed.csv").write_bytes(b'a,b\r\n1,x\n2,"y"\r3,z')
    (folder / "good.csv").write_bytes(b"a,b\n1,x\n2,y\n3,z\n")
    for name in ("cr", "mixed"):
        summary = imported(folder / f"{name}.csv", name, home)
        assert summary["rows"] == 3 and summary["rejected"] == 0
        assert [{k: r[k] for k in ("a", "b")} for r in rows(name, home)] == EXPECTED
    summary = imported(folder, "all", home)
    assert summary["format"] == "csv" and summary["rows"] == 9 and summary["rejected"] == 0
    assert sorted((r["a"], r["b"]) for r in rows("all", home)) == sorted((e["a"], e["b"]) for e in EXPECTED * 3)


def test_ragged_rows_with_forced_csv_are_rejects_with_line_numbers(tmp_path: Path) -> None:
    """4: a ragged CSV imported with -f csv aborted the import (and DuckDB counted some lines twice)."""
    home = tmp_path / "home"
    random.seed(7)
    lines, expected_bad = ["a,b,c"], []
    for i in range(2, 3002):
        width = random.choice([1, 2, 3, 3, 3, 4, 5])
        lines.append(",".join(str(i * 10 + j) for j in range(width)))
        if width != 3:
            expected_bad.append((i, width))
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = imported(path, "r", home, "-f", "csv")
    assert summary["sources"][0]["records_read"] == 3000
    assert summary["rejected"] == len(expected_bad) and summary["rows"] == 3000 - len(expected_bad)
    found = rejects("r", home)
    assert [(r["position"], r["raw"].count(",") + 1) for r in found] == expected_bad
    assert all(f"{w} field(s) where the header has 3" in r["reason"] for r, (_, w) in zip(found, expected_bad))
    assert len(rows("r", home)) == summary["rows"]


def test_a_quote_that_never_closes_mid_file_is_one_reject(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = tmp_path / "q.csv"
    path.write_text('a,b\n1,2\n"3,4\n5,6\n')
    done = run("import", str(path), "--sheet", "q", "-f", "csv", "--json", home=home)
    summary = json.loads(done.stdout)
    assert summary["rows"] == 1 and summary["rejected"] == 1
    assert rejects("q", home)[0]["position"] == 3


def test_truncated_csv_keeps_what_precedes_the_damage(tmp_path: Path) -> None:
    """4 (Build): a CSV cut mid-row and mid-quoted-field; the cut row is a reject with its line."""
    home = tmp_path / "home"
    body = "a,b\n" + "".join(f'{i},"value {i}"\n' for i in range(1, 101))
    mid_row = tmp_path / "mid_row.csv"
    mid_row.write_text(body + "101")
    summary = imported(mid_row, "row", home)
    assert summary["rows"] == 100 and summary["rejected"] == 1
    assert rejects("row", home)[0]["position"] == 102
    mid_quote = tmp_path / "mid_quote.csv"
    mid_quote.write_text(body + '101,"value 1')
    summary = imported(mid_quote, "quote", home)
    assert summary["rows"] == 100 and summary["rejected"] == 1
    cut = rejects("quote", home)[0]
    assert cut["position"] == 102 and "the file ends inside this row" in cut["reason"]
    assert rows("quote", home)[-1]["b"] == "value 100"


def test_a_csv_gz_cut_in_half_keeps_every_row_zcat_reads(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = b"n,word\n" + b"".join(b"%d,w%d\n" % (i, i) for i in range(200_000))
    packed = gzip.compress(data)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    readable = zlib.decompressobj(wbits=31).decompress(packed[: len(packed) // 2])  # what zcat prints
    complete = readable.count(b"\n") - 1  # lines after the header that end
    summary = imported(path, "gz", home)
    assert summary["rows"] == complete
    source = summary["sources"][0]
    assert source["rejected"] == 2  # the cut row and the damage
    reasons = [r["reason"] for r in rejects("gz", home)]
    assert any("gzip stream is cut short" in r for r in reasons)
    assert any("field(s) where the header has 2" in r or "the file ends inside this row" in r for r in reasons)


def test_one_invalid_byte_does_not_make_the_file_latin_1(tmp_path: Path) -> None:
    """6: one invalid byte made the whole file Latin-1: naïve became naÃ¯ve and 日本 æ—¥æœ¬, silently."""
    home = tmp_path / "home"
    path = tmp_path / "mixed.csv"
    path.write_bytes("word,n\nnaïve,1\n日本,2\n".encode() + b"bad\xe9,3\nok,4\n")
    summary = imported(path, "m", home)
    assert [r["word"] for r in rows("m", home)] == ["naïve", "日本", "bad\ufffd", "ok"]
    note = summary["sources"][0]["note"]
    assert "1 invalid utf-8 byte sequence(s) replaced by U+FFFD" in note and "byte 28" in note
    text = imported(path, "t", home, "-f", "text")
    assert [r["line"] for r in rows("t", home)][1:4] == ["naïve,1", "日本,2", "bad\\xe9,3"]
    assert "1 line(s) hold bytes that are not UTF-8" in text["sources"][0]["note"]


def test_windows_1252_bom_and_explicit_encoding(tmp_path: Path) -> None:
    home = tmp_path / "home"
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("word,n\nnaïve,1\ncafé €5,2\n".encode("cp1252"))
    summary = imported(legacy, "legacy", home)
    assert [r["word"] for r in rows("legacy", home)] == ["naïve", "café €5"]
    assert "read as Windows-1252" in summary["sources"][0]["note"]
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("word,n\n日本,1\n".encode("utf-16"))
    imported(utf16, "u16", home)
    assert rows("u16", home)[0]["word"] == "日本"
    # an explicit encoding wins over the per-file choice, and says so
    summary = imported(legacy, "latin", home, "--encoding", "latin-1")
    assert summary["sources"][0]["note"] == "read as latin-1 (--encoding)"
    assert rows("latin", home)[1]["word"] == "café \x805"
    bad = run("import", str(legacy), "--encoding", "klingon", home=home)
    assert bad.returncode != 0 and bad.stderr.strip().count("\n") == 0
    assert "unknown encoding 'klingon'" in bad.stderr and "Traceback" not in bad.stderr


def test_a_binary_file_is_refused_unless_forced(tmp_path: Path) -> None:
    """Smaller: a binary file imported as 834 rows of text without a word."""
    home, folder = tmp_path / "home", tmp_path / "case"
    folder.mkdir()
    random.seed(3)
    (folder / "blob.bin").write_bytes(bytes(random.randrange(256) for _ in range(50_000)))
    (folder / "notes.txt").write_text("first\nsecond\n")
    summary = imported(folder, "n", home)
    by_name = {Path(s["path"]).name: s for s in summary["sources"]}
    assert summary["rows"] == 2 and by_name["blob.bin"]["rejected"] == 1
    assert "binary content" in by_name["blob.bin"]["note"] and "--format text" in by_name["blob.bin"]["note"]
    alone = run("import", str(folder / "blob.bin"), "--sheet", "b", home=home)
    assert alone.returncode != 0 and "binary content" in alone.stderr
    forced = imported(folder / "blob.bin", "forced", home, "-f", "text")
    assert forced["rows"] > 0 and "imported as text lines (--format text)" in forced["sources"][0]["note"]


def test_a_csv_wider_than_the_column_limit_keeps_its_tail_as_a_json_object(tmp_path: Path) -> None:
    home = tmp_path / "home"
    names = [f"c{j}" for j in range(300)]
    body = [",".join(names)] + [",".join(str(i * 1000 + j) for j in range(300)) for i in range(20)]
    body[3] = body[3].replace(",2299", ',"2,299"')  # a quoted field in the tail: its value, unquoted
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(body) + "\n")
    summary = imported(path, "w", home)
    assert len(summary["columns"]) == 256 and summary["columns"][-1] == {"name": "more_columns", "type": "json"}
    assert "300 columns: the first 255 are sheet columns" in summary["sources"][0]["note"]
    got = rows("w", home)
    assert got[0]["c0"] == 0 and got[0]["c254"] == 254
    assert list(json.loads(got[0]["more_columns"]).items()) == [(f"c{j}", str(j)) for j in range(255, 300)]
    assert json.loads(got[2]["more_columns"])["c299"] == "2,299"
    assert json.loads(got[2]["more_columns"])["c298"] == "2298"


@pytest.mark.slow
def test_ten_thousand_columns_by_ten_thousand_rows_in_a_minute_and_bounded_memory(tmp_path: Path) -> None:
    """7: 1,000 columns × 20 rows took 29 s; 2,000 failed out of memory; 10,000 failed at once."""
    home = tmp_path / "home"
    path = tmp_path / "wide.csv"
    width = 10_000
    cells = [str(j) for j in range(width)]
    with open(path, "w") as fh:
        fh.write(",".join(f"c{j}" for j in range(width)) + "\n")
        for i in range(10_000):
            fh.write(",".join(cells[i % 7 :] + cells[: i % 7]) + "\n")
    script = (
        "import sys\nfrom logsheet.cli import main\n"
        "sys.argv = ['logsheet', 'import', sys.argv[1], '--sheet', 'wide', '--json', '-q']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n" + PEAK
    )
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300, env=env)
    peak_kib = peak(done.stderr)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == 10_000 and summary["rejected"] == 0
    assert summary["columns"][-1] == {"name": "more_columns", "type": "json"}
    assert summary["elapsed_seconds"] < 60, summary["elapsed_seconds"]
    assert peak_kib < 2 * 1024 * 1024, f"peak memory {peak_kib / 1024:.0f} MiB"
    print(f"10,000 × 10,000 CSV: {summary['elapsed_seconds']:.1f} s, peak {peak_kib / 1024:.0f} MiB")
    found = run("query", "wide", "--where", "more_columns.c9001 = '9001'", "--count", home=home)
    assert found.returncode == 0 and found.stdout.strip() == str(len(range(0, 10_000, 7))), found.stdout + found.stderr


@pytest.mark.slow
def test_a_200_mb_line_is_a_reject_in_bounded_memory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for kind, fmt in (("csv", "csv"), ("txt", "text")):
        path = tmp_path / f"long.{kind}"
        with open(path, "wb") as fh:
            fh.write(b"a,b\n1,x\n")
            block = b"y" * (1 << 20)
            for _ in range(200):
                fh.write(block)
            fh.write(b"\n2,z\n")
        script = (
            "import sys\nfrom logsheet.cli import main\n"
            f"sys.argv = ['logsheet', 'import', sys.argv[1], '--sheet', '{kind}', '--json', '-q', '-f', '{fmt}']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n" + PEAK
        )
        env = {**os.environ, "LOGSHEET_HOME": str(home)}
        done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        peak_kib = peak(done.stderr)
        assert peak_kib < 600 * 1024, f"peak memory {peak_kib / 1024:.0f} MiB"
        summary = json.loads(done.stdout)
        assert summary["rows"] == (2 if kind == "csv" else 3) and summary["rejected"] == 1
        (reject,) = rejects(kind, home)
        assert reject["position"] == 3 and "line longer than 8,388,608 bytes" in reject["reason"]
