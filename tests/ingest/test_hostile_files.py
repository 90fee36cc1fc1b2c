"""Hostile and broken evidence (issue 19): decompression bombs, links and special files.

Each test reproduces a failure as it was reported, through the CLI's entry point where a user would meet
it, and checks that the good files of the same import are kept and every source's accounting holds."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from fixtures import PRINT_PEAK, peak_kib
from logsheet.ingest.decompress import Limits, inspect_file

LOGSHEET = str(Path(sys.executable).parent / "logsheet")
GOOD_LINES = [f"Dec  1 10:00:{i:02d} web sshd[42]: Failed password for root from 203.0.113.{i} port 22 ssh2" for i in range(20)]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LOGSHEET, *args], capture_output=True, text=True, timeout=300, env=env)


def bomb(path: Path, megabytes: int, byte: bytes = b"A") -> Path:
    """About ``megabytes`` of one repeated byte, gzip'd (≈1,000:1)."""
    block = byte * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as fh:
        for _ in range(megabytes):
            fh.write(block)
    return path


def assert_accounting(summary: dict[str, Any]) -> None:
    for s in summary["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s


def test_inspect_measures_multi_member_gzip_and_refuses_a_bomb(tmp_path: Path) -> None:
    two = tmp_path / "two.gz"
    two.write_bytes(gzip.compress(b"a\n" * 1000) + gzip.compress(b"b\n" * 1000))
    assert inspect_file(two, Limits(max_ratio=1000, ratio_floor=1000)).refused is None
    second_only = inspect_file(two, Limits(max_ratio=1000, ratio_floor=3000, max_bytes=3000))
    assert second_only.refused and "expands past 3,000 bytes" in second_only.refused  # the second member counts
    assert inspect_file(two, Limits()).sha256 == hashlib.sha256(two.read_bytes()).hexdigest()
    bombed = inspect_file(bomb(tmp_path / "b.log.gz", 80), Limits())
    assert bombed.compressed and bombed.refused and "decompression bomb" in bombed.refused
    plain = tmp_path / "plain.log"
    plain.write_bytes(b"A" * (80 << 20))
    assert inspect_file(plain, Limits()) == inspect_file(plain, Limits(max_ratio=1.5))  # never judged: not compressed


def test_a_gzip_bomb_among_good_logs_is_one_reject_in_bounded_memory(tmp_path: Path) -> None:
    """1: a 1 MB .log.gz of repeated bytes took 45 s and 11.4 GB, then 'internal error'."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "secure").write_text("\n".join(GOOD_LINES) + "\n")
    bomb(folder / "secure.1.gz", 1024)
    assert (folder / "secure.1.gz").stat().st_size < 1_100_000
    script = (
        "import sys\nfrom logsheet.cli import main\n"
        "sys.argv = ['logsheet', 'import', sys.argv[1], '--sheet', 'secure', '--json']\n"
        "try:\n    main()\nfinally:\n"
        "    " + PRINT_PEAK
    )
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=300)
    peak = peak_kib(done.stderr)
    assert peak < 2 * 1024 * 1024, f"peak memory {peak / 1024:.0f} MiB"
    summary = json.loads(done.stdout)
    assert summary["rows"] == len(GOOD_LINES)
    by_name = {Path(s["path"]).name: s for s in summary["sources"]}
    assert by_name["secure.1.gz"]["rejected"] == 1 and "decompression bomb" in by_name["secure.1.gz"]["note"]
    assert_accounting(summary)
    assert "decompression bomb" in run("rejects", "secure", "--format", "json").stdout


def test_a_bomb_of_nul_bytes_as_json_gz_is_refused(tmp_path: Path) -> None:
    """1: 1.5 MB of gzip'd NUL bytes as .json.gz took 16.6 GB."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "good.json").write_text("\n".join(json.dumps({"n": i, "who": "root"}) for i in range(10)) + "\n")
    bomb(folder / "zeros.json.gz", 1536, b"\0")
    done = run("import", str(folder), "--sheet", "j", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == 10 and summary["rejected"] == 1
    assert_accounting(summary)


def test_zip_and_tar_bombs_are_refused_member_by_member(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    with zipfile.ZipFile(folder / "logs.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("secure", "\n".join(GOOD_LINES) + "\n")
        zf.writestr("huge.log", b"A" * (300 << 20))
    with tarfile.open(folder / "more.tar.gz", "w:gz") as tf:
        data = b"\0" * (300 << 20)
        member = tarfile.TarInfo("zeros.log")
        member.size = len(data)
        tf.addfile(member, io.BytesIO(data))
        link = tarfile.TarInfo("passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    done = run("import", str(folder), "--sheet", "s", "--format", "syslog", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == len(GOOD_LINES)
    notes = {s["path"].split("!")[-1]: s["note"] for s in summary["sources"]}
    assert "decompression bomb" in notes["huge.log"] and "decompression bomb" in notes["zeros.log"]
    assert any("passwd" in w and "symbolic link" in w for w in summary["warnings"])
    assert_accounting(summary)


def test_special_files_and_links_are_skipped_with_a_note(tmp_path: Path) -> None:
    """3 and smaller: a FIFO hung the import, a dangling link aborted it, a link outside the folder was followed."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "secure").write_text("\n".join(GOOD_LINES) + "\n")
    os.mkfifo(folder / "pipe")
    (folder / "gone").symlink_to(tmp_path / "nowhere")
    outside = tmp_path / "outside.log"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "passwd").symlink_to(outside)
    inside = folder / "sub"
    inside.mkdir()
    (inside / "same").symlink_to(folder / "secure")
    done = run("import", str(folder), "--sheet", "s", "--format", "syslog", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    warnings = " | ".join(summary["warnings"])
    assert "pipe: skipped, a FIFO" in warnings
    assert "gone: skipped, a dangling link" in warnings
    assert "passwd: skipped, a link to" in warnings and "--follow-links" in warnings
    assert summary["rows"] == 2 * len(GOOD_LINES)  # the link inside the folder is read
    assert not any(s["path"].endswith("passwd") for s in summary["sources"])


def test_bad_expansion_setting_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("x\n")
    done = run("import", str(tmp_path / "a.log"), env={**os.environ, "LOGSHEET_MAX_EXPANSION": "lots"})
    assert done.returncode != 0
    assert "LOGSHEET_MAX_EXPANSION='lots' is not a number" in done.stderr and "Traceback" not in done.stderr


def test_follow_links_reads_a_link_outside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "secure").write_text("\n".join(GOOD_LINES) + "\n")
    outside = tmp_path / "elsewhere.log"
    outside.write_text("\n".join(GOOD_LINES[:3]) + "\n")
    (folder / "more").symlink_to(outside)
    done = run("import", str(folder), "--sheet", "s", "--format", "syslog", "--follow-links", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == len(GOOD_LINES) + 3
