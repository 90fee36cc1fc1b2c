"""Catalog of identity and governance actions: IAM, STS, CloudTrail, CloudWatch, Health."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from logsheet.demo.clock import console_stamp
from logsheet.demo.ct_common import IAM_DENIED, fixed, pick
from logsheet.demo.ct_identity import role_arn
from logsheet.demo.ct_record import Call, Draw, EventKind
from logsheet.demo.ct_resources import ROLES
from logsheet.demo.ids import stable_id
from logsheet.demo.world import ACCOUNT_ID


def _iam(name: str, build: Callable[[Draw], Call] = fixed(None), read_only: bool = True) -> EventKind:
    return EventKind("iam", name, read_only, build, (IAM_DENIED,), global_region=True)


def _role_param(draw: Draw) -> Call:
    return Call({"roleName": pick(draw, ROLES)})


def assume_role_call(draw: Draw, role: str, session: str, access_key: str, *, path: str = "/") -> Call:
    """The parameters, response and resources of an ``AssumeRole`` that issued ``access_key``."""
    arn = role_arn(role, path)
    params = {"roleArn": arn, "roleSessionName": session, "durationSeconds": 3600}
    response = {
        "credentials": {
            "accessKeyId": access_key,
            "sessionToken": "IQoJb3JpZ2luX2VjE" + draw.ids.b64(120),
            "expiration": console_stamp(draw.ts + 3600),
        },
        "assumedRoleUser": {
            "assumedRoleId": f"{stable_id('AROA', role)}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/{session}",
        },
    }
    return Call(params, response, [{"accountId": ACCOUNT_ID, "type": "AWS::IAM::Role", "ARN": arn}])


ASSUME_ROLE = EventKind("sts", "AssumeRole", True, global_region=True)


def assume_role(role: str, session: Callable[[Draw], str], path: str = "/") -> EventKind:
    """An ``AssumeRole`` of ``role`` by an AWS service, each call issuing a fresh key."""

    def build(draw: Draw) -> Call:
        return assume_role_call(draw, role, session(draw), draw.ids.access_key(), path=path)

    return dataclasses.replace(ASSUME_ROLE, build=build)


LIST_USERS = _iam("ListUsers")
LIST_ROLES = _iam("ListRoles")
GET_ROLE = _iam("GetRole", _role_param)
LIST_ATTACHED_ROLE_POLICIES = _iam("ListAttachedRolePolicies", _role_param)
LIST_POLICIES = _iam("ListPolicies", fixed({"scope": "Local", "onlyAttached": False}))
GET_USER = _iam("GetUser")
GET_ACCOUNT_SUMMARY = _iam("GetAccountSummary")
LIST_MFA_DEVICES = _iam("ListMFADevices")
GENERATE_CREDENTIAL_REPORT = _iam("GenerateCredentialReport", read_only=False)

GET_CALLER_IDENTITY = EventKind("sts", "GetCallerIdentity", True, fixed(None), global_region=True)

LOOKUP_EVENTS = EventKind("cloudtrail", "LookupEvents", True, fixed({"maxResults": 50}))
DESCRIBE_TRAILS = EventKind("cloudtrail", "DescribeTrails", True, fixed({"includeShadowTrails": False}))
GET_TRAIL_STATUS = EventKind("cloudtrail", "GetTrailStatus", True, fixed({"name": "org-trail"}))

DESCRIBE_ALARMS = EventKind("monitoring", "DescribeAlarms", True, fixed({"maxRecords": 100}))
DESCRIBE_ALARM_HISTORY = EventKind("monitoring", "DescribeAlarmHistory", True, fixed({"historyItemType": "StateUpdate"}))
HEALTH_EVENT_AGGREGATES = EventKind(
    "health", "DescribeEventAggregates", True, fixed({"aggregateField": "eventTypeCategory"}), global_region=True
)
