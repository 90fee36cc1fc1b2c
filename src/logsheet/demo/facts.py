"""The exact truths of the demo data generated with the default seed, for tests and the demo script to assert.

Every count here is fixed by construction whatever the seed, except ``cloudtrail_files`` and ``secure_lines``,
which hold for the default seed. ``generate()`` recounts what it wrote and fails if any of them drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from logsheet.demo import hostile
from logsheet.demo.world import (
    LAUNCHED_INSTANCE_ID,
    LAUNCHED_INSTANCE_TYPE,
    SSH_ATTACKER_IP,
    WEB_INSTANCE_ID,
    WEB_PRIVATE_IP,
    WEB_PUBLIC_IP,
)

SEED_DEPENDENT = ("cloudtrail_files", "secure_lines")


@dataclass(frozen=True)
class DemoFacts:
    # CloudTrail, as delivered and after removing redelivered records (same eventID).
    cloudtrail_files: int
    cloudtrail_raw_records: int
    cloudtrail_duplicates: int
    cloudtrail_unique_records: int
    # After de-duplication.
    run_instances: int
    run_instances_with_error: int
    run_instances_aws_internal: int
    run_instances_from_attacker_ip: int
    attacker_api_ip: str
    attacker_api_requests: int
    attacker_list_buckets: int
    launch_time: str
    launched_instance_id: str
    launched_instance_type: str
    web_instance_id: str
    web_private_ip: str
    # /var/log/secure
    ssh_attacker_ip: str
    secure_lines: int
    brute_force_failed_password: int
    brute_force_failed_root: int
    brute_force_failed_invalid_admin: int
    accepted_password_root: int
    root_login_time: str
    # VPC flow logs
    vpcflow_rows: int
    vpcflow_attacker_ssh_rows: int
    # Planted hostile values, in background records only.
    hostile_cloudtrail: tuple[str, ...]
    hostile_secure: tuple[str, ...]

    @property
    def hostile_strings(self) -> tuple[str, ...]:
        return self.hostile_cloudtrail + self.hostile_secure


FACTS = DemoFacts(
    cloudtrail_files=1192,
    cloudtrail_raw_records=49_002,
    cloudtrail_duplicates=490,
    cloudtrail_unique_records=48_512,
    run_instances=7,
    run_instances_with_error=4,
    run_instances_aws_internal=2,
    run_instances_from_attacker_ip=5,
    attacker_api_ip=WEB_PUBLIC_IP,
    attacker_api_requests=12,
    attacker_list_buckets=1,
    launch_time="2022-03-22T15:48:02Z",
    launched_instance_id=LAUNCHED_INSTANCE_ID,
    launched_instance_type=LAUNCHED_INSTANCE_TYPE,
    web_instance_id=WEB_INSTANCE_ID,
    web_private_ip=WEB_PRIVATE_IP,
    ssh_attacker_ip=SSH_ATTACKER_IP,
    secure_lines=10_139,
    brute_force_failed_password=480,
    brute_force_failed_root=432,
    brute_force_failed_invalid_admin=48,
    accepted_password_root=1,
    root_login_time="2022-03-22T15:40:17Z",
    vpcflow_rows=120_000,
    vpcflow_attacker_ssh_rows=93,
    hostile_cloudtrail=hostile.CLOUDTRAIL,
    hostile_secure=hostile.SECURE,
)
