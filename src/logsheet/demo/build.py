"""Building the demo workspace: generate the incident's raw evidence, then import it like any user would.

Every sheet comes from the generated raw evidence through the same importers a user's files go through:
``cloudtrail`` from the S3 delivery folder (over a thousand ``.json.gz`` files), ``secure`` from the raw
``/var/log/secure`` (syslog parser, with sshd events as columns), ``vpcflow`` from the raw flow log with its
header line (VPC flow parser). The three sheets make the case ``demo``.

The demo has a workspace of its own (``default_demo_home``: ``logsheet-demo`` beside the default workspace's
folder, ``~/.local/share/logsheet-demo`` on Linux), so that it never mixes with real evidence. Rebuilding it
replaces only the demo's own sheets: a sheet of the same name that is not the demo's stops it (never deleted),
and the saved views of the demo's sheets are deleted only when the caller says so (``replace_views``).

The demo workspace runs the detection rules after every import (``logsheet rules on-import on``), so the
incident's brute force, root login and instance-credential abuse are findings as soon as it opens.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from logsheet.core.errors import LogsheetError

DEMO_SHEETS = ("cloudtrail", "secure", "vpcflow")
DEMO_CASE = "demo"  # the case holding the demo's sheets (besides the default case)
DEMO_HOME_NAME = "logsheet-demo"
DEMO_YEAR = 2022
VPCFLOW_FORMAT = "vpcflow"


def default_demo_home() -> Path:
    """The demo's own workspace: ``logsheet-demo`` beside the default workspace folder (the per-user data
    directory's ``logsheet``), whatever LOGSHEET_HOME says (the CLI lets --home / LOGSHEET_HOME choose instead)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("logsheet", appauthor=False)).with_name(DEMO_HOME_NAME)


def saved_views_at_stake(ws: Any) -> dict[str, list[str]]:
    """The saved views that rebuilding the demo in ``ws`` would delete, by demo sheet. Refuses (LogsheetError)
    when a sheet named like a demo sheet is not the demo's: the demo never deletes someone's sheet."""
    _check_replaceable(ws)
    at_stake: dict[str, list[str]] = {}
    for name in DEMO_SHEETS:
        if ws.catalog.get_sheet(name) is not None:
            names = [str(v["name"]) for v in ws.views(name)]
            if names:
                at_stake[name] = names
    return at_stake


def build_demo(ws: Any, replace_views: bool = False) -> Iterator[str]:
    """Generate and import the demo incident into ``ws``; yields progress lines for the CLI.

    Refuses (LogsheetError, before anything changes) when a sheet named like a demo sheet is not the demo's, or
    when the demo's sheets have saved views and ``replace_views`` is false."""
    from logsheet.demo import generate

    at_stake = saved_views_at_stake(ws)
    if at_stake and not replace_views:
        raise LogsheetError(f"rebuilding the demo would delete {describe_views(at_stake)}")
    evidence = ws.root / "demo-evidence"
    shutil.rmtree(evidence, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=ws.root / "tmp") as scratch:
        yield "generating the demo incident (CloudTrail, /var/log/secure, VPC flow logs)..."
        files = generate(Path(scratch) / "evidence")
        shutil.move(str(Path(scratch) / "evidence"), evidence)
    relocate = lambda p: evidence / Path(p).relative_to(Path(scratch) / "evidence")  # noqa: E731
    plan = [
        ("cloudtrail", relocate(files.cloudtrail_dir), "cloudtrail", {}),
        # The raw /var/log/secure, parsed by the syslog parser; its lines carry no year (2022 is the incident's).
        ("secure", relocate(files.secure_log), "syslog", {"year": DEMO_YEAR}),
        ("vpcflow", relocate(files.vpcflow_log), VPCFLOW_FORMAT, {}),
    ]
    ws.set_rules_settings(on_import=True)
    for name, path, fmt, options in plan:
        if ws.catalog.get_sheet(name) is not None:
            ws.delete_sheet(name)
        summary = ws.import_paths([path], sheet=name, format=fmt, options={"demo": True, **options}, case=DEMO_CASE)
        found = (summary.rules or {}).get("findings", 0)
        yield (
            f"sheet {name!r}: {summary.rows:,} rows, {summary.duplicates:,} duplicates removed, {summary.rejected:,} rejected, "
            f"{found:,} finding{'' if found == 1 else 's'}"
        )
    yield f"demo workspace ready in {ws.root}; evidence files in {evidence}"


def describe_views(at_stake: dict[str, list[str]]) -> str:
    """``2 saved views (cloudtrail: 'a', 'b')``: what rebuilding would delete, in one line."""
    count = sum(len(names) for names in at_stake.values())
    listing = "; ".join(f"{sheet}: " + ", ".join(repr(n) for n in names) for sheet, names in at_stake.items())
    return f"{count} saved view{'s' if count != 1 else ''} ({listing})"


def _check_replaceable(ws: Any) -> None:
    for name in DEMO_SHEETS:
        record = ws.catalog.get_sheet(name)
        if record is None:
            continue
        imports = ws.catalog.imports(record.id)
        if not all(i["options"].get("demo") for i in imports):
            raise LogsheetError(
                f"sheet {name!r} in {ws.root} is not the demo's and the demo never replaces it: "
                "point --home / LOGSHEET_HOME at another workspace (or run `logsheet demo` without them)"
            )
