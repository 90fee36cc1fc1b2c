"""``import-s3``: 1M CloudTrail records imported straight from a local S3 server against the same import from
local disk, in the same run (issue 17: within 1.5×).

The deliveries are ``import-cloudtrail``'s (200 ``.json.gz`` files, 135 MB, under their real
``AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`` keys), uploaded once to moto's S3 server (server
mode, on 127.0.0.1, in this process: the imports run in processes of their own, as always). The S3 contender
lists, downloads (8 at a time), hashes and imports them; the local one discovers, hashes and imports the same
files from disk. Both start from an empty workspace, alternate, and must report 1,000,000 rows.
"""

from __future__ import annotations

import logging
import statistics
from pathlib import Path

from bench import harness
from bench.gen import cloudtrail
from bench.scenarios.imports import _race

BUCKET = "bench-trail"
RECORDS = 1_000_000


def run(data: Path, reps: int) -> None:
    import os

    import boto3
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    folder = cloudtrail.generate(data / "cloudtrail-1m", RECORDS, 200)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        files = sorted(p for p in folder.rglob("*.json.gz"))
        total = 0
        for path in files:
            client.upload_file(str(path), BUCKET, str(path.relative_to(folder)))
            total += path.stat().st_size
        print(f"    uploaded {len(files)} objects, {total / 1e6:.0f} MB, to {endpoint}", flush=True)
        out = data / "out"
        figures = _race(
            data,
            reps,
            RECORDS,
            {
                "logsheet import (local disk)": ("logsheet_import", folder, out / "ws-ct-local"),
                "logsheet import s3:// (moto)": ("logsheet_import_s3", f"s3://{BUCKET}/", endpoint, out / "ws-ct-s3"),
            },
        )
    finally:
        server.stop()
    local, s3 = figures["logsheet import (local disk)"], figures["logsheet import s3:// (moto)"]
    ratio = s3.wall / local.wall
    cpu_local = statistics.median(r.cpu for r in local.runs)
    cpu_s3 = statistics.median(r.cpu for r in s3.runs)
    pairs = ", ".join(f"{b.wall / a.wall:.2f}×" for a, b in zip(local.runs, s3.runs))
    text = harness.table(
        f"Import: {RECORDS:,} CloudTrail records, {len(files)} deliveries ({total / 1e6:.0f} MB): from a local S3 server "
        "against local disk",
        figures,
        "logsheet import (local disk)",
        work=RECORDS,
    )
    text += (
        f"\nS3 / local disk: **{ratio:.2f}×** the time (target: at most 1.5×); repetition by repetition {pairs}; "
        f"CPU time (the import process's own, user + system) {cpu_s3:.1f} s against {cpu_local:.1f} s "
        f"(**{cpu_s3 / cpu_local:.2f}×**)\n"
    )
    harness.record(data, "import-s3", text, {"figures": figures, "ratio": ratio, "cpu_ratio": cpu_s3 / cpu_local})
