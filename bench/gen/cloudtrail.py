"""CloudTrail S3 deliveries: ``{"Records": [...]}`` in ``.json.gz`` files, the demo's everyday traffic.

The records come from the demo generator (:mod:`logsheet.demo.ct_background`): real CloudTrail shapes, sessions
of people and machines, request parameters, errors. File ``i`` is seeded with ``seed + i``, so files are made in
parallel and are the same on every run.
"""

from __future__ import annotations

import gzip
import json
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from logsheet.demo.ct_background import background_records
from logsheet.demo.ids import Ids

ACCOUNT = "111122223333"


def file_name(index: int) -> str:
    day = 19 + index % 5
    return (
        f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2022/03/{day:02d}/"
        f"{ACCOUNT}_CloudTrail_us-east-1_202203{day:02d}T{index % 24:02d}{index % 60:02d}Z_{index:06d}.json.gz"
    )


def write_file(out: Path, index: int, records: int, seed: int) -> int:
    ids = Ids(random.Random(seed + index))
    batch = background_records(ids, records)
    path = out / file_name(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"Records": batch}, separators=(",", ":")).encode()
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.write(data)
    return len(data)


def generate(out: Path, records: int = 1_000_000, files: int = 200, seed: int = 7, workers: int = 2) -> Path:
    """``records`` CloudTrail records in ``files`` deliveries under ``out``; skipped if a finished set is there."""
    done = out / ".complete"
    if done.exists() and done.read_text() == f"{records} {files} {seed}":
        return out
    per = [records // files + (1 if i < records % files else 0) for i in range(files)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(write_file, [out] * files, range(files), per, [seed] * files))
    done.write_text(f"{records} {files} {seed}")
    return out
