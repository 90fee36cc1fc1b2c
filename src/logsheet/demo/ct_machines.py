"""The machines among the account's principals: a monitoring tool, AWS services, functions, tasks, instances."""

from __future__ import annotations

from logsheet.demo import ct_agents as ua
from logsheet.demo import ct_kinds_compute as compute
from logsheet.demo import ct_kinds_identity as iam
from logsheet.demo import ct_kinds_storage as storage
from logsheet.demo.ct_actor import Actor, MakeCaller, cli_user, role_session, service
from logsheet.demo.ct_identity import assumed_role
from logsheet.demo.ct_record import Caller
from logsheet.demo.ct_repertoires import ALL_REGIONS, EC2_READS, KMS, S3_DATA
from logsheet.demo.ct_resources import APP_FLEET
from logsheet.demo.ids import Ids


def _fleet_instance(ids: Ids, ts: int) -> Caller:
    instance, ip = APP_FLEET[ids.rng.randrange(len(APP_FLEET))]
    created = ts - ids.rng.randint(60, 3500)
    identity = assumed_role("AppInstanceRole", instance, ids.access_key(), created, ec2_role_delivery=True)
    return Caller(identity, ip, ua.SSM_AGENT)


def _autoscaling(ids: Ids, ts: int) -> Caller:
    autoscaling = "autoscaling.amazonaws.com"
    path = f"/aws-service-role/{autoscaling}/"
    identity = assumed_role(
        "AWSServiceRoleForAutoScaling", "AutoScaling", ids.access_key(), ts - 600, path=path, invoked_by=autoscaling
    )
    return Caller(identity, autoscaling, autoscaling)


def _kms_via(caller_service: str) -> MakeCaller:
    """KMS calls a service makes on the function's behalf, e.g. S3 decrypting an SSE-KMS object."""

    def make(ids: Ids, ts: int) -> Caller:
        role, session = "orders-processor-role", "orders-processor"
        identity = assumed_role(role, session, ids.access_key(), ts - 900, invoked_by=caller_service)
        source = caller_service if ids.rng.random() < 0.6 else ua.AWS_INTERNAL
        return Caller(identity, source, source)

    return make


MACHINES: tuple[Actor, ...] = (
    Actor(
        "monitoring-ro",
        0.25,
        cli_user("monitoring-ro", "54.81.", ua.GO_SDK),
        EC2_READS
        + (
            (compute.DESCRIBE_SNAPSHOTS, 2),
            (compute.DESCRIBE_ASGS, 3),
            (compute.DESCRIBE_SCALING_ACTIVITIES, 1),
            (compute.DESCRIBE_LOAD_BALANCERS, 2),
            (compute.DESCRIBE_TARGET_HEALTH, 2),
            (iam.DESCRIBE_ALARMS, 3),
            (compute.LIST_FUNCTIONS, 2),
            (storage.GET_BUCKET_ACL, 1),
            (storage.GET_BUCKET_LOCATION, 1),
            (storage.GET_BUCKET_POLICY, 1),
            (storage.GET_BUCKET_ENCRYPTION, 1),
            (iam.LIST_USERS, 1),
            (iam.GET_ACCOUNT_SUMMARY, 1),
        ),
        regions=ALL_REGIONS,
        burst=(10, 40),
        gap=(0, 3),
        error_rate=0.05,
        throttles=True,
    ),
    Actor(
        "aws-config",
        0.06,
        service("config.amazonaws.com"),
        (
            (
                iam.assume_role(
                    "AWSServiceRoleForConfig", lambda d: "AWSConfig-Describe", "/aws-service-role/config.amazonaws.com/"
                ),
                1,
            ),
        ),
        regions=ALL_REGIONS,
        burst=(1, 2),
        error_rate=0.0,
    ),
    Actor(
        "lambda-service",
        0.04,
        service("lambda.amazonaws.com"),
        ((iam.assume_role("orders-processor-role", lambda d: "orders-processor"), 1),),
        error_rate=0.0,
        burst=(1, 1),
    ),
    Actor(
        "ecs-tasks",
        0.02,
        service("ecs-tasks.amazonaws.com"),
        ((iam.assume_role("checkout-task-role", lambda d: d.ids.hex(32)), 1),),
        error_rate=0.0,
        burst=(1, 1),
    ),
    Actor(
        "orders-processor",
        0.16,
        role_session("orders-processor-role", lambda ids: "orders-processor", ("3.236.", "18.232.", "34.203."), ua.NODE_LAMBDA),
        S3_DATA + KMS + ((storage.GET_SECRET_VALUE, 2), (storage.CREATE_LOG_STREAM, 3)),
        burst=(2, 8),
        gap=(0, 4),
    ),
    Actor(
        "checkout-task",
        0.09,
        role_session("checkout-task-role", lambda ids: ids.hex(32), ("35.171.", "52.90."), ua.JAVA_ECS),
        KMS + ((storage.GET_SECRET_VALUE, 3), (storage.SSM_GET_PARAMETERS, 4), (storage.GET_OBJECT, 3)),
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
    Actor("kms-via-s3", 0.06, _kms_via("s3.amazonaws.com"), KMS, burst=(1, 3), gap=(0, 5), error_rate=0.0),
    Actor(
        "kms-via-secretsmanager",
        0.02,
        _kms_via("secretsmanager.amazonaws.com"),
        ((storage.KMS_DECRYPT, 1),),
        burst=(1, 2),
        error_rate=0.0,
    ),
)
