"""The people among the account's principals: engineers on the CLI, Terraform and the console, and CI."""

from __future__ import annotations

from logsheet.demo import ct_agents as ua
from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_identity as iam
from logsheet.demo import ct_kinds_storage as storage
from logsheet.demo.ct_actor import Actor, cli_user, console
from logsheet.demo.ct_identity import assumed_role
from logsheet.demo.ct_record import Caller
from logsheet.demo.ct_repertoires import EC2_READS, S3_DATA
from logsheet.demo.ids import Ids
from logsheet.demo.world import HOME_IP, OFFICE_IP, VPN_IP


def _org_admin(ids: Ids, ts: int) -> Caller:
    identity = assumed_role("OrganizationAccountAccessRole", "ops-admin@acme.example", ids.access_key(), ts)
    return Caller(identity, VPN_IP, ua.CONSOLE, console=True)


PEOPLE: tuple[Actor, ...] = (
    Actor(
        "alice",
        0.03,
        cli_user("alice", OFFICE_IP, ua.AWS_CLI_MAC),
        EC2_READS
        + (
            (storage.LIST_BUCKETS, 2),
            (storage.LIST_OBJECTS, 3),
            (storage.GET_OBJECT, 3),
            (iam.GET_CALLER_IDENTITY, 2),
            (storage.DESCRIBE_LOG_GROUPS, 2),
            (iam.GET_ROLE, 1),
            (iam.GET_USER, 1),
        ),
        burst=(1, 12),
        gap=(2, 90),
        hours=(13, 23),
        weekend=0.1,
        error_rate=0.05,
    ),
    Actor(
        "bob",
        0.02,
        console("bob", VPN_IP),
        EC2_READS
        + (
            (compute.DESCRIBE_IMAGES, 2),
            (compute.DESCRIBE_AZS, 1),
            (compute.CREATE_TAGS, 1),
            (storage.LIST_BUCKETS, 2),
            (compute.DESCRIBE_TARGET_HEALTH, 1),
        ),
        burst=(3, 25),
        gap=(3, 60),
        hours=(13, 23),
        weekend=0.05,
        console_login=True,
    ),
    Actor(
        "carol",
        0.05,
        cli_user("carol", HOME_IP, ua.TERRAFORM),
        EC2_READS
        + (
            (compute.DESCRIBE_ACCOUNT_ATTRIBUTES, 2),
            (compute.DESCRIBE_IMAGES, 1),
            (iam.GET_ROLE, 3),
            (iam.LIST_ATTACHED_ROLE_POLICIES, 2),
            (storage.GET_BUCKET_VERSIONING, 2),
            (storage.GET_BUCKET_POLICY, 2),
            (storage.GET_OBJECT, 1),
            (iam.GET_CALLER_IDENTITY, 1),
            (compute.START_INSTANCES, 1),
            (compute.STOP_INSTANCES, 1),
        ),
        regions=(("us-east-1", 3), ("us-west-2", 2)),
        burst=(20, 80),
        gap=(0, 2),
        hours=(15, 24),
        weekend=0.3,
    ),
    Actor(
        "dave",
        0.03,
        cli_user("dave", "198.51.100.87", ua.BOTO3_WINDOWS),
        S3_DATA + ((storage.LIST_BUCKETS, 1), (iam.GET_CALLER_IDENTITY, 1)),
        regions=(("eu-west-1", 3), ("us-east-1", 1)),
        burst=(2, 30),
        gap=(0, 20),
        hours=(7, 17),
        weekend=0.1,
        error_rate=0.04,
    ),
    Actor(
        "deploy-bot",
        0.04,
        cli_user("deploy-bot", "20.57.", ua.AWS_CLI_CI),
        (
            (compute.ECR_AUTH_TOKEN, 3),
            (compute.DESCRIBE_SERVICES, 4),
            (compute.UPDATE_SERVICE, 1),
            (compute.GET_FUNCTION, 2),
            (compute.UPDATE_FUNCTION_CODE, 1),
            (storage.PUT_OBJECT, 2),
            (compute.DESCRIBE_STACKS, 3),
            (iam.GET_CALLER_IDENTITY, 2),
        ),
        regions=(("us-east-1", 4), ("us-west-2", 1)),
        burst=(5, 20),
        gap=(0, 15),
        hours=(12, 24),
        weekend=0.2,
    ),
    Actor(
        "erin",
        0.01,
        console("erin", "198.51.100.140"),
        (
            (iam.LIST_USERS, 3),
            (iam.LIST_ROLES, 2),
            (iam.GET_ROLE, 2),
            (iam.LIST_POLICIES, 1),
            (iam.LIST_MFA_DEVICES, 1),
            (iam.GET_ACCOUNT_SUMMARY, 1),
            (iam.LOOKUP_EVENTS, 3),
            (iam.DESCRIBE_TRAILS, 1),
            (iam.HEALTH_EVENT_AGGREGATES, 2),
            (compute.DESCRIBE_INSTANCES, 2),
        ),
        regions=(("eu-west-1", 3), ("us-east-1", 1)),
        burst=(3, 20),
        gap=(5, 90),
        hours=(8, 17),
        weekend=0.05,
        console_login=True,
    ),
    Actor(
        "ops-admin",
        0.01,
        _org_admin,
        (
            (iam.LIST_ROLES, 2),
            (iam.GET_ACCOUNT_SUMMARY, 1),
            (iam.GENERATE_CREDENTIAL_REPORT, 1),
            (iam.GET_TRAIL_STATUS, 2),
            (iam.DESCRIBE_TRAILS, 1),
            (iam.DESCRIBE_ALARM_HISTORY, 1),
            (storage.KMS_LIST_ALIASES, 1),
            (storage.KMS_DESCRIBE_KEY, 1),
        ),
        burst=(3, 15),
        gap=(5, 60),
        hours=(14, 22),
        weekend=0.05,
    ),
)
