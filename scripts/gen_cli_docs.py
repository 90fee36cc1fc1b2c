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
[filter-language.md](filter-language.md); the formula language of `--formula "NAME = EXPR"` (on `query` and
`export`: a new column, usable in `--where`, `--columns`, `--group-by` and `--sort`) in
[formulas.md](formulas.md).

**Row steps** on `query` and `export` (and `pivot-table`) change the number of rows, after the view's own
steps and in this order: every `--split-rows COL:DELIM` (one row per part; the part replaces `COL`), every
`--explode PATH` (one row per element of the JSON array at `PATH`: a JSON column, whose element replaces it,
or a path such as `responseElements.instancesSet.items`, whose element goes to a column named after its last
key, `items`; the element's fields found in the first 1,000 elements, or `--explode-fields`, become columns
`items.instanceId`, ...), then `--dedupe KEY[,KEY]` (one row per key: `--keep first|last` by `--dedupe-by COL`,
default the sheet's time column, with a `duplicates` column; the duplicates among the rows `--where` keeps). `--where`, `--group-by` and `--sort` then see
their rows: `logsheet query cloudtrail --where "eventName = 'RunInstances'" --explode
responseElements.instancesSet.items -c eventTime,items.instanceId` lists one row per launched instance. Each
part keeps its row's id (see [architecture.md](architecture.md#row-steps-and-row-ids)). `logsheet pivot-table`
is a pivot table of a view (rows × columns × an aggregate, with totals); `logsheet pivot` is the entity pivot
across a case.
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
