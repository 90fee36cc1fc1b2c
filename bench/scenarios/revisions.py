"""This tree against another revision of logsheet (``--against REV``, default ``HEAD~1``), side by side: the same
query cases on the same sheet and the same CloudTrail import, each revision in its own interpreter, alternating
in rotating order, medians. For a refactoring the answer should be "no slower"; the table says by how much.

The other revision is checked out with ``git worktree add --detach`` under the data folder (and removed at the
end); both read one workspace, built by this tree (the workspace format is the same across revisions that
this compares; a revision that cannot read it fails loudly).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench import harness
from bench.gen import cloudtrail, sheets
from bench.scenarios.queries import workspace

DRIVER = harness.ROOT / "bench" / "revision_driver.py"


def _checkout(data: Path, rev: str) -> Path:
    target = data / "revision" / rev.replace("/", "_").replace("~", "-")
    if target.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(target)], cwd=harness.ROOT, check=False)
        shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(target), rev], cwd=harness.ROOT, check=True)
    return target


def _measure(src: Path, *args: object) -> dict[str, float]:
    run = harness.run_process([sys.executable, str(DRIVER), *map(str, args)], env={"PYTHONPATH": f"{src}:{harness.ROOT}"})
    found = json.loads(run.output.strip().splitlines()[-1])
    assert Path(found.pop("logsheet")).resolve() == (src / "logsheet").resolve(), f"the driver did not import {src}"
    return found


def run(data: Path, reps: int, against: str, size: str = "10M") -> None:
    ws = workspace(data)
    sheet = sheets.build(ws, "ct", f"ct{size.lower()}", {"10M": 10_000_000, "1M": 1_000_000}[size]) if size != "1M" else "ct"
    deliveries = cloudtrail.generate(data / "cloudtrail-200k", 200_000, 40)
    other = _checkout(data, against)
    trees = {"this tree": harness.ROOT / "src", against: other / "src"}
    try:
        per_case: dict[str, dict[str, list[float]]] = {}
        for rep in range(reps):
            names = list(trees)
            for name in names[rep % 2 :] + names[: rep % 2]:
                home = data / "ws-revision-import"
                shutil.rmtree(home, ignore_errors=True)
                found = _measure(trees[name], "queries", ws.root, sheet, 3) | _measure(trees[name], "import", home, deliveries)
                for case, seconds in found.items():
                    per_case.setdefault(case, {}).setdefault(name, []).append(seconds)
                figures = ", ".join(f"{k}: {v:.3f} s" for k, v in found.items())
                print(f"    rep {rep + 1}/{reps} {name:<12} {figures}", flush=True)
        lines = [
            f"### This tree against {against}: queries on {ws.sheet(sheet).row_count:,} CloudTrail rows, import of 200k records",
            "",
            f"| case | this tree | {against} | this tree / {against} |",
            "|---|---:|---:|---:|",
        ]
        for case, by_tree in per_case.items():
            a, b = statistics.median(by_tree["this tree"]), statistics.median(by_tree[against])
            lines.append(f"| {case} | {a * 1000:,.0f} ms | {b * 1000:,.0f} ms | {a / b:.2f}× |")
        harness.record(data, "revisions", "\n".join(lines) + "\n", {"against": against, "runs": per_case})
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=harness.ROOT, check=False)
