"""Building the demo workspace: generate the incident's raw evidence, then import it like any user would.

Every sheet comes from the generated raw evidence through the same importers a user's files go through:
``cloudtrail`` from the S3 delivery folder (over a thousand ``.json.gz`` files), ``secure`` from the raw
``/var/log/secure`` (syslog parser, with sshd events as columns), ``vpcflow`` from the raw flow log with its
header line (VPC flow parser).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from logsheet.core.errors import LogsheetError

DEMO_SHEETS = ("cloudtrail", "secure", "vpcflow")
DEMO_YEAR = 2022
VPCFLOW_FORMAT = "vpcflow"


def build_demo(ws: Any, force: bool = False) -> Iterator[str]:
    """Generate and import the demo incident into ``ws``; yields progress lines for the CLI."""
    from logsheet.demo import generate

    _check_replaceable(ws, force)
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
    for name, path, fmt, options in plan:
        if ws.catalog.get_sheet(name) is not None:
            ws.delete_sheet(name)
        summary = ws.import_paths([path], sheet=name, format=fmt, options={"demo": True, **options})
        yield (f"sheet {name!r}: {summary.rows:,} rows, {summary.duplicates:,} duplicates removed, {summary.rejected:,} rejected")
    yield f"demo workspace ready in {ws.root}; evidence files in {evidence}"
    yield "try: logsheet query cloudtrail --where \"eventName = 'RunInstances'\" --count"


def _check_replaceable(ws: Any, force: bool) -> None:
    for name in DEMO_SHEETS:
        record = ws.catalog.get_sheet(name)
        if record is None or force:
            continue
        imports = ws.catalog.imports(record.id)
        if not all(i["options"].get("demo") for i in imports):
            raise LogsheetError(
                f"sheet {name!r} exists and is not the demo's; use --force to replace it, "
                "or point --home / LOGSHEET_HOME at another workspace"
            )
