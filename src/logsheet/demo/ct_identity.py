"""The ``userIdentity`` block of a CloudTrail record, for each kind of principal."""

from __future__ import annotations

from typing import Any

from logsheet.demo.clock import iso_z
from logsheet.demo.ids import stable_id
from logsheet.demo.world import ACCOUNT_ID

Identity = dict[str, Any]


def role_arn(role: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role{path}{role}"


def iam_user(name: str, access_key: str) -> Identity:
    """An IAM user calling with a long-term access key (``AKIA…``)."""
    return {
        "type": "IAMUser",
        "principalId": stable_id("AIDA", name),
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/{name}",
        "accountId": ACCOUNT_ID,
        "accessKeyId": access_key,
        "userName": name,
    }


def console_user(name: str, access_key: str, login_ts: int) -> Identity:
    """An IAM user in the console: temporary ``ASIA…`` key and the sign-in time."""
    identity = iam_user(name, access_key)
    identity["sessionContext"] = {
        "sessionIssuer": {},
        "webIdFederationData": {},
        "attributes": {"creationDate": iso_z(login_ts), "mfaAuthenticated": "true"},
    }
    return identity


def assumed_role(
    role: str,
    session: str,
    access_key: str,
    created_ts: int,
    *,
    path: str = "/",
    ec2_role_delivery: bool = False,
    invoked_by: str | None = None,
) -> Identity:
    """A role session; instance-profile sessions carry ``ec2RoleDelivery`` like real IMDS credentials."""
    role_id = stable_id("AROA", role)
    context: dict[str, Any] = {
        "sessionIssuer": {
            "type": "Role",
            "principalId": role_id,
            "arn": role_arn(role, path),
            "accountId": ACCOUNT_ID,
            "userName": role,
        },
        "webIdFederationData": {},
        "attributes": {"creationDate": iso_z(created_ts), "mfaAuthenticated": "false"},
    }
    if ec2_role_delivery:
        context["ec2RoleDelivery"] = "2.0"
    identity: Identity = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT_ID,
        "accessKeyId": access_key,
        "sessionContext": context,
    }
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def aws_service(invoked_by: str) -> Identity:
    """An AWS service acting on its own (``AWSService``), e.g. Config assuming its role."""
    return {"type": "AWSService", "invokedBy": invoked_by}
