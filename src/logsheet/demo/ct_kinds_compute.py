"""Catalog of compute actions: EC2, Auto Scaling, ELB, Lambda, ECS, ECR, CloudFormation.

There is deliberately no ``RunInstances`` here: the incident owns every one of them.
Auto Scaling and ELB write the older eventVersion 1.05 in this data set.
"""

from __future__ import annotations

from logsheet.demo.ct_common import ACCESS_DENIED_EXCEPTION, EC2_DENIED, fixed, pick
from logsheet.demo.ct_record import Call, Draw, EventKind
from logsheet.demo.ct_resources import (
    ECS_CLUSTER,
    ECS_SERVICES,
    INSTANCES,
    LAMBDA_FUNCTIONS,
    LAUNCH_TEMPLATE,
    STACKS,
    TARGET_GROUP,
)
from logsheet.demo.world import ACCOUNT_ID

_TAG_KEYS = ("Owner", "CostCenter", "Environment", "Name")
_TAG_VALUES = ("platform", "cc-4410", "prod", "staging", "web-1", "batch")


def _instance(draw: Draw) -> str:
    return pick(draw, INSTANCES.get(draw.region, INSTANCES["us-east-1"]))


def _ec2_read(name: str, params: dict[str, object]) -> EventKind:
    return EventKind("ec2", name, True, fixed(params), (EC2_DENIED,))


def _describe_instances(draw: Draw) -> Call:
    if draw.rng.random() < 0.5:
        return Call({"instancesSet": {}, "filterSet": {}})
    return Call({"instancesSet": {"items": [{"instanceId": _instance(draw)}]}, "filterSet": {}})


def _create_tags(draw: Draw) -> Call:
    tag = {"key": pick(draw, _TAG_KEYS), "value": pick(draw, _TAG_VALUES)}
    params = {"resourcesSet": {"items": [{"resourceId": _instance(draw)}]}, "tagSet": {"items": [tag]}}
    return Call(params, {"requestId": draw.ids.uuid(), "_return": True})


def _state_change(start: bool) -> EventKind:
    before, after = (("stopped", 80), ("pending", 0)) if start else (("running", 16), ("stopping", 64))

    def build(draw: Draw) -> Call:
        instance = _instance(draw)
        change = {
            "instanceId": instance,
            "currentState": {"code": after[1], "name": after[0]},
            "previousState": {"code": before[1], "name": before[0]},
        }
        params = {"instancesSet": {"items": [{"instanceId": instance}]}}
        return Call(params, {"requestId": draw.ids.uuid(), "instancesSet": {"items": [change]}})

    return EventKind("ec2", "StartInstances" if start else "StopInstances", False, build, (EC2_DENIED,))


def _lambda_call(draw: Draw) -> Call:
    return Call({"functionName": pick(draw, LAMBDA_FUNCTIONS)})


def _update_function(draw: Draw) -> Call:
    name = pick(draw, LAMBDA_FUNCTIONS)
    params = {"functionName": name, "publish": True, "dryRun": False}
    response = {
        "functionName": name,
        "functionArn": f"arn:aws:lambda:{draw.region}:{ACCOUNT_ID}:function:{name}",
        "runtime": "nodejs14.x",
        "codeSha256": draw.ids.b64(32),
        "version": str(draw.rng.randint(20, 90)),
        "state": "Active",
    }
    return Call(params, response)


def _ecs_service(draw: Draw) -> Call:
    return Call({"cluster": ECS_CLUSTER, "services": [pick(draw, ECS_SERVICES)]})


def _update_service(draw: Draw) -> Call:
    service = pick(draw, ECS_SERVICES)
    params = {"cluster": ECS_CLUSTER, "service": service, "forceNewDeployment": True}
    return Call(params, {"service": {"serviceName": service, "status": "ACTIVE", "desiredCount": 2}})


def _stack(draw: Draw) -> Call:
    return Call({"stackName": pick(draw, STACKS)})


DESCRIBE_INSTANCES = EventKind("ec2", "DescribeInstances", True, _describe_instances, (EC2_DENIED,))
DESCRIBE_SECURITY_GROUPS = _ec2_read(
    "DescribeSecurityGroups", {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}}
)
DESCRIBE_VPCS = _ec2_read("DescribeVpcs", {"vpcSet": {}, "filterSet": {}})
DESCRIBE_SUBNETS = _ec2_read("DescribeSubnets", {"subnetSet": {}, "filterSet": {}})
DESCRIBE_VOLUMES = _ec2_read("DescribeVolumes", {"volumeSet": {}, "filterSet": {}})
DESCRIBE_IMAGES = _ec2_read(
    "DescribeImages",
    {"executableBySet": {}, "imagesSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}},
)
DESCRIBE_REGIONS = _ec2_read("DescribeRegions", {"regionSet": {}})
DESCRIBE_AZS = _ec2_read("DescribeAvailabilityZones", {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}})
DESCRIBE_INSTANCE_STATUS = _ec2_read(
    "DescribeInstanceStatus", {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False}
)
DESCRIBE_ENIS = _ec2_read("DescribeNetworkInterfaces", {"networkInterfaceIdSet": {}, "filterSet": {}})
DESCRIBE_SNAPSHOTS = _ec2_read(
    "DescribeSnapshots",
    {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "sharedUsersSet": {}, "filterSet": {}},
)
DESCRIBE_KEY_PAIRS = _ec2_read("DescribeKeyPairs", {"keySet": {}, "keyPairIdSet": {}})
DESCRIBE_ADDRESSES = _ec2_read("DescribeAddresses", {"publicIpsSet": {}, "allocationIdsSet": {}, "filterSet": {}})
DESCRIBE_ACCOUNT_ATTRIBUTES = _ec2_read(
    "DescribeAccountAttributes",
    {"accountAttributeNameSet": {"items": [{"attributeName": "supported-platforms"}]}, "filterSet": {}},
)
DESCRIBE_LAUNCH_TEMPLATE_VERSIONS = _ec2_read(
    "DescribeLaunchTemplateVersions",
    {"DescribeLaunchTemplateVersionsRequest": {"LaunchTemplateId": LAUNCH_TEMPLATE, "LaunchTemplateVersion": "$Latest"}},
)
CREATE_TAGS = EventKind("ec2", "CreateTags", False, _create_tags, (EC2_DENIED,))
START_INSTANCES = _state_change(start=True)
STOP_INSTANCES = _state_change(start=False)

DESCRIBE_ASGS = EventKind("autoscaling", "DescribeAutoScalingGroups", True, fixed({"maxRecords": 100}), version="1.05")
DESCRIBE_SCALING_ACTIVITIES = EventKind(
    "autoscaling", "DescribeScalingActivities", True, fixed({"autoScalingGroupName": "prod-app-asg"}), version="1.05"
)
DESCRIBE_TARGET_HEALTH = EventKind(
    "elasticloadbalancing", "DescribeTargetHealth", True, fixed({"targetGroupArn": TARGET_GROUP}), version="1.05"
)
DESCRIBE_LOAD_BALANCERS = EventKind("elasticloadbalancing", "DescribeLoadBalancers", True, fixed(None), version="1.05")

LIST_FUNCTIONS = EventKind("lambda", "ListFunctions20150331", True, fixed(None), (ACCESS_DENIED_EXCEPTION,))
GET_FUNCTION = EventKind("lambda", "GetFunction20150331v2", True, _lambda_call, (ACCESS_DENIED_EXCEPTION,))
UPDATE_FUNCTION_CODE = EventKind("lambda", "UpdateFunctionCode20150331v2", False, _update_function)
DESCRIBE_SERVICES = EventKind("ecs", "DescribeServices", True, _ecs_service, (ACCESS_DENIED_EXCEPTION,))
UPDATE_SERVICE = EventKind("ecs", "UpdateService", False, _update_service)
ECR_AUTH_TOKEN = EventKind("ecr", "GetAuthorizationToken", True, fixed(None))
DESCRIBE_STACKS = EventKind("cloudformation", "DescribeStacks", True, _stack)
