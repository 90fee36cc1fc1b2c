"""The account's everyday principals: who calls AWS, from where, with what client, how often, doing what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from logsheet.demo import ct_agents as ua
from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_identity as iam
from logsheet.demo import ct_kinds_storage as storage
from logsheet.demo.ct_identity import assumed_role, aws_service, console_user, iam_user
from logsheet.demo.ct_record import Caller, EventKind
from logsheet.demo.ct_resources import APP_FLEET
from logsheet.demo.ids import Ids, stable_id
from logsheet.demo.world import HOME_IP, OFFICE_IP, VPN_IP

MakeCaller = Callable[[Ids, int], Caller]


@dataclass(frozen=True)
class Actor:
    """A principal's habits. ``share`` is its part of the background records; ``hours`` its UTC working hours."""

    name: str
    share: float
    caller: MakeCaller
    repertoire: tuple[tuple[EventKind, int], ...]
    regions: tuple[tuple[str, int], ...] = (("us-east-1", 1),)
    burst: tuple[int, int] = (1, 5)
    gap: tuple[int, int] = (0, 30)
    hours: tuple[int, int] | None = None
    weekend: float = 1.0
    error_rate: float = 0.03
    throttles: bool = False
    console_login: bool = False

    @property
    def mean_burst(self) -> float:
        return (self.burst[0] + self.burst[1]) / 2


def _cli_user(name: str, ip: str, agent: str) -> MakeCaller:
    key = stable_id("AKIA", name, 16)
    return lambda ids, ts: Caller(iam_user(name, key), ids.complete_ip(ip), agent)


def _console(name: str, ip: str) -> MakeCaller:
    return lambda ids, ts: Caller(console_user(name, ids.access_key(), ts), ip, ua.CONSOLE, console=True)


def _org_admin(ids: Ids, ts: int) -> Caller:
    identity = assumed_role("OrganizationAccountAccessRole", "ops-admin@acme.example", ids.access_key(), ts)
    return Caller(identity, VPN_IP, ua.CONSOLE, console=True)


def _role(role: str, session: Callable[[Ids], str], ips: tuple[str, ...], agent: str) -> MakeCaller:
    def make(ids: Ids, ts: int) -> Caller:
        created = ts - ids.rng.randint(60, 3000)
        ip = ids.complete_ip(ips[ids.rng.randrange(len(ips))])
        return Caller(assumed_role(role, session(ids), ids.access_key(), created), ip, agent)

    return make


def _fleet_instance(ids: Ids, ts: int) -> Caller:
    instance, ip = APP_FLEET[ids.rng.randrange(len(APP_FLEET))]
    created = ts - ids.rng.randint(60, 3500)
    identity = assumed_role("AppInstanceRole", instance, ids.access_key(), created, ec2_role_delivery=True)
    return Caller(identity, ip, ua.SSM_AGENT)


def _autoscaling(ids: Ids, ts: int) -> Caller:
    service = "autoscaling.amazonaws.com"
    path = f"/aws-service-role/{service}/"
    identity = assumed_role("AWSServiceRoleForAutoScaling", "AutoScaling", ids.access_key(), ts - 600, path=path, invoked_by=service)
    return Caller(identity, service, service)


def _kms_via(service: str) -> MakeCaller:
    def make(ids: Ids, ts: int) -> Caller:
        identity = assumed_role("orders-processor-role", "orders-processor", ids.access_key(), ts - 900, invoked_by=service)
        source = service if ids.rng.random() < 0.6 else ua.AWS_INTERNAL
        return Caller(identity, source, source)

    return make


def _service(service: str) -> MakeCaller:
    return lambda ids, ts: Caller(aws_service(service), service, service)


_ALL_REGIONS = (("us-east-1", 4), ("us-west-2", 3), ("eu-west-1", 3))
_EC2_READS = (
    (compute.DESCRIBE_INSTANCES, 10),
    (compute.DESCRIBE_SECURITY_GROUPS, 5),
    (compute.DESCRIBE_VPCS, 3),
    (compute.DESCRIBE_SUBNETS, 3),
    (compute.DESCRIBE_VOLUMES, 4),
    (compute.DESCRIBE_INSTANCE_STATUS, 4),
    (compute.DESCRIBE_ENIS, 2),
    (compute.DESCRIBE_ADDRESSES, 1),
    (compute.DESCRIBE_KEY_PAIRS, 1),
)
_S3_DATA = ((storage.GET_OBJECT, 10), (storage.PUT_OBJECT, 4), (storage.HEAD_OBJECT, 2), (storage.LIST_OBJECTS, 2))
_KMS = ((storage.KMS_DECRYPT, 6), (storage.KMS_GENERATE_DATA_KEY, 3))

ACTORS: tuple[Actor, ...] = (
    Actor(
        "monitoring-ro",
        0.25,
        _cli_user("monitoring-ro", "54.81.", ua.GO_SDK),
        _EC2_READS
        + (
            (compute.DESCRIBE_SNAPSHOTS, 2),
            (compute.DESCRIBE_ASGS, 3),
            (compute.DESCRIBE_LOAD_BALANCERS, 2),
            (compute.DESCRIBE_TARGET_HEALTH, 2),
            (iam.DESCRIBE_ALARMS, 3),
            (compute.LIST_FUNCTIONS, 2),
            (storage.GET_BUCKET_ACL, 1),
            (storage.GET_BUCKET_POLICY, 1),
            (storage.GET_BUCKET_ENCRYPTION, 1),
            (iam.LIST_USERS, 1),
            (iam.GET_ACCOUNT_SUMMARY, 1),
        ),
        regions=_ALL_REGIONS,
        burst=(10, 40),
        gap=(0, 3),
        error_rate=0.05,
        throttles=True,
    ),
    Actor(
        "aws-config",
        0.06,
        _service("config.amazonaws.com"),
        ((iam.assume_role("AWSServiceRoleForConfig", lambda d: "AWSConfig-Describe", "/aws-service-role/config.amazonaws.com/"), 1),),
        regions=_ALL_REGIONS,
        burst=(1, 2),
        error_rate=0.0,
    ),
    Actor(
        "lambda-service",
        0.04,
        _service("lambda.amazonaws.com"),
        ((iam.assume_role("orders-processor-role", lambda d: "orders-processor"), 1),),
        error_rate=0.0,
        burst=(1, 1),
    ),
    Actor(
        "ecs-tasks",
        0.02,
        _service("ecs-tasks.amazonaws.com"),
        ((iam.assume_role("checkout-task-role", lambda d: d.ids.hex(32)), 1),),
        error_rate=0.0,
        burst=(1, 1),
    ),
    Actor(
        "orders-processor",
        0.16,
        _role("orders-processor-role", lambda ids: "orders-processor", ("3.236.", "18.232.", "34.203."), ua.NODE_LAMBDA),
        _S3_DATA + _KMS + ((storage.GET_SECRET_VALUE, 2), (storage.CREATE_LOG_STREAM, 3)),
        burst=(2, 8),
        gap=(0, 4),
    ),
    Actor(
        "checkout-task",
        0.09,
        _role("checkout-task-role", lambda ids: ids.hex(32), ("35.171.", "52.90."), ua.JAVA_ECS),
        _KMS + ((storage.GET_SECRET_VALUE, 3), (storage.SSM_GET_PARAMETERS, 4), (storage.GET_OBJECT, 3)),
        regions=(("us-east-1", 1), ("us-west-2", 1)),
        burst=(2, 6),
        gap=(0, 10),
    ),
    Actor(
        "app-fleet",
        0.11,
        _fleet_instance,
        ((storage.SSM_UPDATE_INSTANCE_INFORMATION, 8), (storage.SSM_LIST_ASSOCIATIONS, 3), (storage.SSM_GET_PARAMETERS, 1)),
        burst=(1, 3),
        gap=(0, 2),
        error_rate=0.0,
    ),
    Actor(
        "autoscaling",
        0.04,
        _autoscaling,
        (
            (compute.DESCRIBE_INSTANCE_STATUS, 4),
            (compute.DESCRIBE_INSTANCES, 2),
            (compute.DESCRIBE_LAUNCH_TEMPLATE_VERSIONS, 1),
            (compute.DESCRIBE_ACCOUNT_ATTRIBUTES, 1),
        ),
        burst=(1, 4),
        gap=(0, 2),
        error_rate=0.0,
    ),
    Actor("kms-via-s3", 0.06, _kms_via("s3.amazonaws.com"), _KMS, burst=(1, 3), gap=(0, 5), error_rate=0.0),
    Actor(
        "kms-via-secretsmanager",
        0.02,
        _kms_via("secretsmanager.amazonaws.com"),
        ((storage.KMS_DECRYPT, 1),),
        burst=(1, 2),
        error_rate=0.0,
    ),
    Actor(
        "alice",
        0.03,
        _cli_user("alice", OFFICE_IP, ua.AWS_CLI_MAC),
        _EC2_READS + ((storage.LIST_BUCKETS, 2), (storage.LIST_OBJECTS, 3), (storage.GET_OBJECT, 3), (iam.GET_CALLER_IDENTITY, 2), (storage.DESCRIBE_LOG_GROUPS, 2), (iam.GET_ROLE, 1)),
        burst=(1, 12),
        gap=(2, 90),
        hours=(13, 23),
        weekend=0.1,
        error_rate=0.05,
    ),
    Actor(
        "bob",
        0.02,
        _console("bob", VPN_IP),
        _EC2_READS + ((compute.DESCRIBE_IMAGES, 2), (compute.DESCRIBE_AZS, 1), (compute.CREATE_TAGS, 1), (storage.LIST_BUCKETS, 2), (compute.DESCRIBE_TARGET_HEALTH, 1)),
        burst=(3, 25),
        gap=(3, 60),
        hours=(13, 23),
        weekend=0.05,
        console_login=True,
    ),
    Actor(
        "carol",
        0.05,
        _cli_user("carol", HOME_IP, ua.TERRAFORM),
        _EC2_READS
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
        _cli_user("dave", "198.51.100.87", ua.BOTO3_WINDOWS),
        _S3_DATA + ((storage.LIST_BUCKETS, 1), (iam.GET_CALLER_IDENTITY, 1)),
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
        _cli_user("deploy-bot", "20.57.", ua.AWS_CLI_CI),
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
        _console("erin", "198.51.100.140"),
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
