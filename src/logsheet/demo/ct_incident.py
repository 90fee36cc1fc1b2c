"""The planted incident in CloudTrail, scripted to the second.

From the web server's public IP, with the instance role's credentials, the attacker runs the AWS CLI as root:
recon (12 requests in all, one ListBuckets), then five RunInstances of which four fail and the one at
15:48:02 launches a t2.micro. Meanwhile bob, in the console, launches two instances of his own (the two
"AWS Internal" RunInstances that make the analyst look twice).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from logsheet.demo import ct_agents as ua
from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_identity as iam
from logsheet.demo import ct_kinds_storage as storage
from logsheet.demo.clock import utc
from logsheet.demo.ct_common import IAM_DENIED, fixed
from logsheet.demo.ct_console import console_login
from logsheet.demo.ct_identity import console_user
from logsheet.demo.ct_instance import InstanceSession, session_at
from logsheet.demo.ct_launch import RUN_INSTANCES, Launch, run_instances_call
from logsheet.demo.ct_record import Call, Caller, Draw, Error, EventKind, Record, make_record
from logsheet.demo.ids import Ids
from logsheet.demo.world import (
    ACCOUNT_ID,
    API_RECON_START,
    LAUNCH_TIME,
    LAUNCHED_INSTANCE_ID,
    LAUNCHED_INSTANCE_TYPE,
    VPN_IP,
    WEB_PUBLIC_IP,
    WEB_ROLE,
)

_VCPU_LIMIT = (
    "Client.VcpuLimitExceeded",
    "You have requested more vCPU capacity than your current vCPU limit of 0 allows for the instance bucket that "
    "the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request "
    "an adjustment to this limit.",
)
_DRY_RUN = ("Client.DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
_NO_KEY_PAIR = ("Client.InvalidKeyPair.NotFound", "The key pair 'kp-2203' does not exist")
_PASS_ROLE_DENIED = (
    "Client.UnauthorizedOperation",
    "You are not authorized to perform this operation. Encoded authorization failure message: "
    + base64.urlsafe_b64encode(hashlib.sha512(b"iam:PassRole ops-admin-profile").digest() * 4).decode().rstrip("="),
)
_ADMIN_PROFILE = f"arn:aws:iam::{ACCOUNT_ID}:instance-profile/ops-admin-profile"
_AMAZON_IMAGES = {
    "executableBySet": {},
    "imagesSet": {},
    "ownersSet": {"items": [{"owner": "amazon"}]},
    "filterSet": {"items": [{"name": "name", "valueSet": {"items": [{"value": "amzn2-ami-hvm-*-x86_64-gp2"}]}}]},
}


@dataclass(frozen=True)
class Step:
    """One scripted request."""

    ts: int
    kind: EventKind
    build: Callable[[Draw], Call]
    error: Error | None = None


@dataclass(frozen=True)
class Incident:
    """The incident's records, and the eventIDs CloudTrail must deliver a second time."""

    records: list[Record]
    redelivered_ids: tuple[str, ...]


def _launch(launch: Launch) -> Callable[[Draw], Call]:
    return lambda draw: run_instances_call(draw, launch)


def _at(hour: int, minute: int, second: int) -> int:
    return utc(2022, 3, 22, hour, minute, second)


ATTACKER_STEPS = (
    Step(API_RECON_START, iam.GET_CALLER_IDENTITY, fixed(None)),
    Step(_at(15, 42, 31), storage.LIST_BUCKETS, storage.LIST_BUCKETS.draw_call),
    Step(_at(15, 43, 2), iam.LIST_ROLES, fixed(None), IAM_DENIED),
    Step(_at(15, 43, 20), iam.LIST_ATTACHED_ROLE_POLICIES, fixed({"roleName": WEB_ROLE}), IAM_DENIED),
    Step(_at(15, 44, 10), compute.DESCRIBE_INSTANCES, fixed({"instancesSet": {}, "filterSet": {}})),
    Step(_at(15, 44, 50), compute.DESCRIBE_IMAGES, fixed(_AMAZON_IMAGES)),
    Step(_at(15, 45, 15), compute.DESCRIBE_SECURITY_GROUPS, compute.DESCRIBE_SECURITY_GROUPS.draw_call),
    Step(_at(15, 46, 21), RUN_INSTANCES, _launch(Launch("t2.micro", user_data=True)), _DRY_RUN),
    Step(_at(15, 46, 58), RUN_INSTANCES, _launch(Launch("p3.2xlarge", max_count=4, user_data=True)), _VCPU_LIMIT),
    Step(_at(15, 47, 31), RUN_INSTANCES, _launch(Launch("t2.micro", key_name="kp-2203", user_data=True)), _NO_KEY_PAIR),
    Step(LAUNCH_TIME, RUN_INSTANCES, _launch(Launch(LAUNCHED_INSTANCE_TYPE, LAUNCHED_INSTANCE_ID, user_data=True))),
    Step(
        _at(15, 48, 49),
        RUN_INSTANCES,
        _launch(Launch("t2.micro", instance_profile=_ADMIN_PROFILE, user_data=True)),
        _PASS_ROLE_DENIED,
    ),
)
_BOB_LOGIN = _at(15, 31, 48)
BOB_STEPS = (
    Step(_at(15, 33, 2), compute.DESCRIBE_SUBNETS, compute.DESCRIBE_SUBNETS.draw_call),
    Step(_at(15, 33, 5), compute.DESCRIBE_IMAGES, fixed(_AMAZON_IMAGES)),
    Step(_at(15, 34, 40), compute.DESCRIBE_KEY_PAIRS, compute.DESCRIBE_KEY_PAIRS.draw_call),
    Step(_at(15, 35, 12), RUN_INSTANCES, _launch(Launch("m5.large", "i-0715c2e9a8d3b6f41", key_name="bob-2021"))),
    Step(_at(15, 59, 40), RUN_INSTANCES, _launch(Launch("m5.large", "i-0c3a9e6b1d8f2a457", key_name="bob-2021"))),
)


def incident_records(sessions: list[InstanceSession], ids: Ids) -> Incident:
    """The attacker's 12 requests and bob's console session, with the ListBuckets and the successful launch
    marked for redelivery."""
    attacker = session_at(sessions, API_RECON_START).caller(WEB_PUBLIC_IP, ua.AWS_CLI_LINUX)
    attacks = [_record(step, attacker, ids) for step in ATTACKER_STEPS]
    bob = Caller(console_user("bob", ids.access_key(), _BOB_LOGIN), ua.AWS_INTERNAL, ua.AWS_INTERNAL, console=True)
    console = [console_login("bob", VPN_IP, _BOB_LOGIN, ids)] + [_record(step, bob, ids) for step in BOB_STEPS]
    redelivered = tuple(rec["eventID"] for rec in attacks if rec["eventName"] == "ListBuckets" or _launched(rec))
    return Incident(attacks + console, redelivered)


def _record(step: Step, caller: Caller, ids: Ids) -> Record:
    call = step.build(Draw(ids, "us-east-1", step.ts))
    sent = dataclasses.replace(caller, user_agent=ua.render(caller.user_agent, step.kind))
    return make_record(step.kind, sent, step.ts, "us-east-1", call, ids, step.error)


def _launched(rec: Record) -> bool:
    return rec["eventName"] == "RunInstances" and rec["responseElements"] is not None
