"""Background CloudTrail records carrying the hostile values of ``hostile``.

They come from ``qa-fuzzer``, a user whose log-injection test suite ran on 2022-03-20, and from a user with a
non-ASCII name; every record is otherwise a valid CloudTrail record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from logsheet.demo import ct_agents as ua
from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_identity as iam
from logsheet.demo import ct_kinds_storage as storage
from logsheet.demo import hostile
from logsheet.demo.clock import utc
from logsheet.demo.ct_common import EC2_DENIED, IAM_DENIED, fixed
from logsheet.demo.ct_identity import iam_user
from logsheet.demo.ct_record import Call, Caller, Draw, Error, EventKind, Record, make_record
from logsheet.demo.ids import Ids, stable_id
from logsheet.demo.world import FUZZER_IP, VPC_ID

_CREATE_SECURITY_GROUP = EventKind("ec2", "CreateSecurityGroup", False, errors=(EC2_DENIED,))
_PUT_USER_POLICY = EventKind("iam", "PutUserPolicy", False, errors=(IAM_DENIED,), global_region=True)
_CREATE_BUCKET = EventKind("s3", "CreateBucket", False, global_region=True)
_POLICY_TOO_BIG = ("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user qa-fuzzer")
_BAD_BUCKET = ("InvalidBucketName", "The specified bucket is not valid.")
_FUZZ_START = utc(2022, 3, 20, 10, 14, 0)
_TAGGED_INSTANCE = "i-0d4c6e8a0b2f4a6c8"

Build = Callable[[Draw], Call]


def _tag(value: str) -> Build:
    def build(draw: Draw) -> Call:
        tag = {"key": "Name", "value": value}
        params = {"resourcesSet": {"items": [{"resourceId": _TAGGED_INSTANCE}]}, "tagSet": {"items": [tag]}}
        return Call(params, {"requestId": draw.ids.uuid(), "_return": True})

    return build


def _upload(key: str) -> Build:
    return lambda draw: storage.object_call(draw, "acme-web-static", key, upload=True)


def _security_group(draw: Draw) -> Call:
    params = {"groupName": "fuzz-sg", "groupDescription": hostile.CONTROL_CHARS, "vpcId": VPC_ID}
    return Call(params, {"requestId": draw.ids.uuid(), "_return": True, "groupId": "sg-0" + draw.ids.hex(16)})


_POLICY = {"userName": "qa-fuzzer", "policyName": "fuzz-long", "policyDocument": hostile.LONG_VALUE}
_BUCKET = {"bucketName": hostile.SQL_BUCKET, "Host": "s3.amazonaws.com"}

# (kind, parameters, user agent, error)
_FUZZ_STEPS: tuple[tuple[EventKind, Build, str, Error | None], ...] = (
    (iam.GET_CALLER_IDENTITY, iam.GET_CALLER_IDENTITY.draw_call, hostile.XSS_IMG, None),
    (compute.DESCRIBE_REGIONS, compute.DESCRIBE_REGIONS.draw_call, hostile.XSS_SCRIPT, None),
    (compute.CREATE_TAGS, _tag(hostile.FORMULA_HYPERLINK), ua.BOTO3, None),
    (compute.CREATE_TAGS, _tag(hostile.FORMULA_DDE), ua.BOTO3, None),
    (compute.CREATE_TAGS, _tag(hostile.FORMULA_AT), ua.BOTO3, None),
    (compute.CREATE_TAGS, _tag(hostile.FORMULA_MINUS), ua.BOTO3, None),
    (storage.PUT_OBJECT, _upload(hostile.RTL_OVERRIDE), ua.BOTO3, None),
    (storage.PUT_OBJECT, _upload(hostile.QUOTES), ua.BOTO3, None),
    (_CREATE_SECURITY_GROUP, _security_group, ua.BOTO3, None),
    (_PUT_USER_POLICY, fixed(_POLICY), ua.BOTO3, _POLICY_TOO_BIG),
    (_CREATE_BUCKET, fixed(_BUCKET), ua.BOTO3, _BAD_BUCKET),
)
_UNICODE_STEPS = (iam.GET_CALLER_IDENTITY, storage.LIST_BUCKETS, compute.DESCRIBE_INSTANCES)


def hostile_records(ids: Ids) -> list[Record]:
    """The fuzzer's requests a few seconds apart, then the non-ASCII user's short CLI session."""
    fuzzer = Caller(iam_user("qa-fuzzer", stable_id("AKIA", "qa-fuzzer", 16)), FUZZER_IP, ua.BOTO3)
    records = []
    ts = _FUZZ_START
    for kind, build, agent, error in _FUZZ_STEPS:
        ts += ids.rng.randint(1, 9)
        call = build(Draw(ids, "us-east-1", ts))
        records.append(make_record(kind, dataclasses.replace(fuzzer, user_agent=agent), ts, "us-east-1", call, ids, error))
    user = iam_user(hostile.UNICODE_USER, stable_id("AKIA", hostile.UNICODE_USER, 16))
    for kind in _UNICODE_STEPS:
        ts += ids.rng.randint(20, 300)
        caller = Caller(user, "198.51.100.31", ua.render(ua.AWS_CLI_MAC, kind))
        records.append(make_record(kind, caller, ts, "us-east-1", kind.draw_call(Draw(ids, "us-east-1", ts)), ids, None))
    return records
