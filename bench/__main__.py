"""``python -m bench [SCENARIO ...]``: run the benchmarks (all of them when none is named); see bench/README.md."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from bench.scenarios import billion, detections, imports, pivot, queries, revisions, s3import, search, server, timeline


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("scenarios", nargs="*", help=f"some of: {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("LOGSHEET_BENCH_DATA", Path.home() / ".cache" / "logsheet-bench")),
        help="where generated inputs, workspaces and results go (default ~/.cache/logsheet-bench; 80 GB for all)",
    )
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each measurement (medians are reported)")
    parser.add_argument("--sizes", default="10M,100M", help="sheet sizes for queries and search: 10M, 100M")
    parser.add_argument("--only", help="queries: run only the queries whose name contains this text")
    parser.add_argument("--server-size", default="100M", help="sheet size for the server scenario")
    parser.add_argument("--rows", type=int, default=billion.ROWS, help="VPC flow records for the billion scenario")
    parser.add_argument("--against", default="HEAD~1", help="revisions: the git revision to compare this tree with")
    parser.add_argument("--revision-size", default="10M", choices=("1M", "10M"), help="revisions: sheet size for the queries")
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.data.mkdir(parents=True, exist_ok=True)
    for name in args.scenarios or list(SCENARIOS):
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        SCENARIOS[name](args)
        print(f"== {name}: {time.perf_counter() - started:.0f} s\n", flush=True)


SCENARIOS: dict[str, Callable[[argparse.Namespace], None]] = {
    "import-cloudtrail": lambda a: imports.run_cloudtrail(a.data, a.reps),
    "import-vpcflow": lambda a: imports.run_vpcflow(a.data, a.reps),
    "import-syslog": lambda a: imports.run_syslog(a.data, a.reps),
    "import-s3": lambda a: s3import.run(a.data, a.reps),
    "queries": lambda a: queries.run(a.data, a.reps, tuple(a.sizes.split(",")), a.only),
    "search": lambda a: search.run(a.data, a.reps, tuple(a.sizes.split(","))),
    "server": lambda a: server.run(a.data, a.reps, a.server_size),
    "detections": lambda a: detections.run(a.data, a.reps),
    "billion": lambda a: billion.run(a.data, a.reps, a.rows),
    "revisions": lambda a: revisions.run(a.data, a.reps, a.against, a.revision_size),
    "timeline": lambda a: timeline.run(
        a.data, a.reps, tuple(s for s in a.sizes.split(",") if s in timeline.CASES) or ("1M", "10M")
    ),
    "pivot": lambda a: pivot.run(a.data, a.reps, tuple(a.sizes.split(","))),
}

if __name__ == "__main__":
    main()
