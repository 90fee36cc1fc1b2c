"""Generate docs/cli.md from the CLI's own --help (or, with --check, fail when it is out of date)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from logsheet.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = """# The logsheet command line

Generated from `logsheet --help` by `scripts/gen_cli_docs.py`; do not edit by hand (a test fails when this
file and the CLI disagree). The filter language used by `--where` is described in
[filter-language.md](filter-language.md); imports straight from S3 (`logsheet import s3://BUCKET/PREFIX`,
with `--account`, `--region`, `--since`, `--until`) in [importing.md](importing.md#straight-from-s3).
"""


def render() -> str:
    runner = CliRunner()
    parts = [
        HEADER,
        "## logsheet\n",
        "```text\n" + runner.invoke(main, ["--help"], prog_name="logsheet", terminal_width=100).output + "```\n",
    ]
    assert isinstance(main, click.Group)
    for name in sorted(main.commands):
        output = runner.invoke(main, [name, "--help"], prog_name="logsheet", terminal_width=100).output
        parts.append(f"## logsheet {name}\n\n```text\n{output}```\n")
    return "\n".join(parts)


def main_() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text() != text:
            print("docs/cli.md is out of date: run .venv/bin/python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
