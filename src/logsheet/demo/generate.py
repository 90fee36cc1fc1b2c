"""``generate()``: writes the reference incident's raw evidence into a folder, deterministically from a seed."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path

from logsheet.demo.cloudtrail import write_cloudtrail
from logsheet.demo.facts import FACTS, SEED_DEPENDENT, DemoFacts
from logsheet.demo.secure import secure_events, write_secure
from logsheet.demo.ssh_plan import plan_ssh
from logsheet.demo.tally import measure
from logsheet.demo.vpcflow import flow_rows, write_vpcflow
from logsheet.demo.world import DEFAULT_SEED


@dataclass(frozen=True)
class DemoFiles:
    """Where ``generate()`` put each piece of evidence."""

    cloudtrail_dir: Path
    secure_log: Path
    secure_rows: Path
    vpcflow_log: Path
    vpcflow_rows: Path

    @classmethod
    def under(cls, out_dir: Path) -> DemoFiles:
        return cls(
            cloudtrail_dir=out_dir / "cloudtrail",
            secure_log=out_dir / "secure",
            secure_rows=out_dir / "secure.ndjson",
            vpcflow_log=out_dir / "vpcflow.log",
            vpcflow_rows=out_dir / "vpcflow.ndjson",
        )


def generate(out_dir: Path, seed: int = DEFAULT_SEED) -> DemoFiles:
    """Write CloudTrail, ``secure`` and VPC flow logs under ``out_dir``; same seed, same bytes.

    Refuses a folder whose ``cloudtrail`` subfolder already holds files, so that two data sets never mix.
    Raises ``RuntimeError`` if what was written does not match ``FACTS``.
    """
    files = DemoFiles.under(out_dir)
    if files.cloudtrail_dir.exists() and any(files.cloudtrail_dir.iterdir()):
        raise FileExistsError(f"{files.cloudtrail_dir} is not empty")
    files.cloudtrail_dir.mkdir(parents=True, exist_ok=True)
    plan = plan_ssh(random.Random(f"{seed}:ssh"))
    deliveries = write_cloudtrail(files.cloudtrail_dir, seed)
    events = secure_events(plan, random.Random(f"{seed}:secure"))
    write_secure(files.secure_log, files.secure_rows, events)
    rows = flow_rows(plan, random.Random(f"{seed}:vpcflow"))
    write_vpcflow(files.vpcflow_log, files.vpcflow_rows, rows)
    _check(measure(deliveries, events, rows), seed)
    return files


def _check(measured: DemoFacts, seed: int) -> None:
    expected = FACTS
    if seed != DEFAULT_SEED:
        expected = dataclasses.replace(FACTS, **{name: getattr(measured, name) for name in SEED_DEPENDENT})
    if measured != expected:
        drift = {
            field.name: (getattr(expected, field.name), getattr(measured, field.name))
            for field in dataclasses.fields(DemoFacts)
            if getattr(expected, field.name) != getattr(measured, field.name)
        }
        raise RuntimeError(f"generated data does not match FACTS (expected, got): {drift}")
