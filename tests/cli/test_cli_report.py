"""``logsheet report [--case NAME] [--format md|html] -o FILE`` through the CLI's entry point: the contract as
written (the format from --format, else from the file's extension), --view SHEET:VIEW, --title, --author, `-o -`,
and the refusals (an unknown case or view, a bad --view), one clear line each."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from fixtures import START, ct_record, ct_s3_key, write_gz_json
from logsheet.cli import main
from logsheet.query.spellings import build_query
from logsheet.workspace import Workspace

LOGSHEET = str(Path(sys.executable).parent / "logsheet")  # the installed console script


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def setup(inputs: Path) -> Path:
    """Sheet ``ct`` in case ``intrusion``, a row starred and commented, and its saved view ``from-one`` (views
    are saved from the UI or the API: here through the facade)."""
    source = write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": [ct_record(i) for i in range(30)]})
    ok("import", str(inputs / "ct"), "--sheet", "ct", "--case", "intrusion")
    ok("annotate", "ct", "--where", "eventTime = '2022-03-22T15:00:03Z'", "--star")
    ok("annotate", "ct", "--where", "eventTime = '2022-03-22T15:00:03Z'", "--comment", "first <b>call</b>")
    Workspace.open().save_view("ct", "from-one", build_query(where="sourceIPAddress = '10.0.1.1'"))
    return source


def test_the_cli_contract_writes_html_and_markdown(inputs: Path, tmp_path: Path) -> None:
    source = setup(inputs)
    out = tmp_path / "report.html"
    result = subprocess.run(
        [LOGSHEET, "report", "--case", "intrusion", "--format", "html", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote the html report of case 'intrusion' to {out}" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Case report: intrusion" in text
    assert hashlib.sha256(source.read_bytes()).hexdigest() in text
    assert "first &lt;b&gt;call&lt;/b&gt;" in text and "<svg" in text
    md = tmp_path / "report.md"
    ok("report", "--case", "intrusion", "--format", "md", "-o", str(md))
    assert md.read_text(encoding="utf-8").startswith("# Case report: intrusion\n")


def test_the_format_follows_the_extension_and_the_options_shape_the_report(inputs: Path, tmp_path: Path) -> None:
    setup(inputs)
    ok(
        "report",
        "--case",
        "intrusion",
        "-o",
        str(tmp_path / "r.markdown"),
        "--view",
        "ct:from-one",
        "--title",
        "IR-42",
        "--author",
        "Ann",
    )
    text = (tmp_path / "r.markdown").read_text(encoding="utf-8")
    assert text.startswith("# IR-42\n") and " by Ann " in text and "### ct: from-one" in text
    assert "8 row(s)." in text  # ct_record: 10.0.<i % 4>.1, 30 records: i = 1, 5, ... 29
    ok("report", "-o", str(tmp_path / "default.htm"))  # the default case
    assert "Case report: default" in (tmp_path / "default.htm").read_text(encoding="utf-8")
    stdout = ok("report", "--case", "intrusion", "--format", "md", "-o", "-").stdout
    assert stdout.startswith("# Case report: intrusion")


def test_refusals_are_one_clear_line(inputs: Path, tmp_path: Path) -> None:
    setup(inputs)
    target = tmp_path / "r.html"
    for args, message in [
        (("--case", "nope"), "no case"),
        (("--case", "intrusion", "--view", "ct:gone"), "sheet 'ct' has no saved view named 'gone' (its views: 'from-one')"),
        (("--case", "intrusion", "--view", "ct"), "a view is SHEET:VIEW"),
        (("--case", "intrusion", "--format", "pdf"), "Invalid value for '--format'"),
    ]:
        result = run("report", *args, "-o", str(target))
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert not target.exists() and not list(tmp_path.glob(".report-*"))
    assert run("report", "--case", "intrusion").exit_code == 2  # -o is required
