"""Counts the facts of what was generated, so that ``generate()`` can hold it to ``FACTS``.

The hostile strings are taken as planted; the tests search the written files for each of them.
"""

from __future__ import annotations

from logsheet.demo import hostile
from logsheet.demo.clock import iso_z
from logsheet.demo.ct_delivery import Delivery
from logsheet.demo.ct_record import Record
from logsheet.demo.facts import DemoFacts
from logsheet.demo.secure_lines import SyslogEvent
from logsheet.demo.vf_traffic import FlowRow
from logsheet.demo.world import SSH_ATTACKER_IP, WEB_INSTANCE_ID, WEB_PRIVATE_IP, WEB_PUBLIC_IP


def measure(deliveries: list[Delivery], events: list[SyslogEvent], rows: list[FlowRow]) -> DemoFacts:
    raw = [rec for delivery in deliveries for rec in delivery.records]
    unique = list({rec["eventID"]: rec for rec in raw}.values())
    runs = [rec for rec in unique if rec["eventName"] == "RunInstances"]
    attacker = [rec for rec in unique if rec["sourceIPAddress"] == WEB_PUBLIC_IP]
    (launch,) = [rec for rec in runs if rec["sourceIPAddress"] == WEB_PUBLIC_IP and "errorCode" not in rec]
    failed = [e for e in events if e.message.startswith("Failed password") and f"from {SSH_ATTACKER_IP} " in e.message]
    accepted = [e for e in events if e.message.startswith("Accepted password for root ")]
    return DemoFacts(
        cloudtrail_files=len(deliveries),
        cloudtrail_raw_records=len(raw),
        cloudtrail_duplicates=len(raw) - len(unique),
        cloudtrail_unique_records=len(unique),
        run_instances=len(runs),
        run_instances_with_error=sum("errorMessage" in rec for rec in runs),
        run_instances_aws_internal=sum(rec["sourceIPAddress"] == "AWS Internal" for rec in runs),
        run_instances_from_attacker_ip=sum(rec["sourceIPAddress"] == WEB_PUBLIC_IP for rec in runs),
        attacker_api_ip=WEB_PUBLIC_IP,
        attacker_api_requests=len(attacker),
        attacker_list_buckets=sum(rec["eventName"] == "ListBuckets" for rec in attacker),
        launch_time=launch["eventTime"],
        launched_instance_id=_launched_instance(launch),
        launched_instance_type=launch["requestParameters"]["instanceType"],
        web_instance_id=WEB_INSTANCE_ID,
        web_private_ip=WEB_PRIVATE_IP,
        ssh_attacker_ip=SSH_ATTACKER_IP,
        secure_lines=len(events),
        brute_force_failed_password=len(failed),
        brute_force_failed_root=sum(e.message.startswith("Failed password for root ") for e in failed),
        brute_force_failed_invalid_admin=sum(e.message.startswith("Failed password for invalid user admin ") for e in failed),
        accepted_password_root=len(accepted),
        root_login_time=iso_z(accepted[0].ts) if accepted else "",
        vpcflow_rows=len(rows),
        vpcflow_attacker_ssh_rows=sum(row.src == SSH_ATTACKER_IP and row.dport == 22 for row in rows),
        hostile_cloudtrail=hostile.CLOUDTRAIL,
        hostile_secure=hostile.SECURE,
    )


def _launched_instance(rec: Record) -> str:
    return str(rec["responseElements"]["instancesSet"]["items"][0]["instanceId"])
