"""``RunInstances``: the request as the CLI and the console send it, and the response of a successful launch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logsheet.demo.ct_common import EC2_DENIED
from logsheet.demo.ct_record import Call, Draw, EventKind
from logsheet.demo.world import ACCOUNT_ID, AMAZON_LINUX_2_AMI, VPC_ID, WEB_SUBNET_ID

RUN_INSTANCES = EventKind("ec2", "RunInstances", False, errors=(EC2_DENIED,))
_DEFAULT_SG = {"items": [{"groupId": "sg-0c1d2e3f4a5b6c7d8", "groupName": "default"}]}


@dataclass(frozen=True)
class Launch:
    """What one ``RunInstances`` asks for; ``instance_id`` is set when it succeeds."""

    instance_type: str
    instance_id: str | None = None
    max_count: int = 1
    key_name: str | None = None
    instance_profile: str | None = None
    user_data: bool = False


def run_instances_call(draw: Draw, launch: Launch) -> Call:
    item: dict[str, Any] = {"imageId": AMAZON_LINUX_2_AMI, "minCount": 1, "maxCount": launch.max_count}
    if launch.key_name:
        item["keyName"] = launch.key_name
    params: dict[str, Any] = {"instancesSet": {"items": [item]}}
    if launch.user_data:
        params["userData"] = "<sensitiveDataRemoved>"
    params |= {
        "instanceType": launch.instance_type,
        "blockDeviceMapping": {},
        "monitoring": {"enabled": False},
        "disableApiTermination": False,
        "disableApiStop": False,
        "clientToken": draw.ids.uuid(),
    }
    if launch.instance_profile:
        params["iamInstanceProfile"] = {"arn": launch.instance_profile}
    response = _launched(draw, launch.instance_type, launch.instance_id) if launch.instance_id else None
    return Call(params, response)


def _launched(draw: Draw, instance_type: str, instance_id: str) -> dict[str, Any]:
    private_ip = f"172.31.{draw.rng.randint(80, 95)}.{draw.rng.randint(4, 250)}"
    dns = f"ip-{private_ip.replace('.', '-')}.ec2.internal"
    instance = {
        "instanceId": instance_id,
        "imageId": AMAZON_LINUX_2_AMI,
        "currentInstanceBootMode": "legacy-bios",
        "instanceState": {"code": 0, "name": "pending"},
        "privateDnsName": dns,
        "amiLaunchIndex": 0,
        "productCodes": {},
        "instanceType": instance_type,
        "launchTime": draw.ts * 1000,
        "placement": {"availabilityZone": "us-east-1d", "tenancy": "default"},
        "monitoring": {"state": "disabled"},
        "subnetId": WEB_SUBNET_ID,
        "vpcId": VPC_ID,
        "privateIpAddress": private_ip,
        "stateReason": {"code": "pending", "message": "pending"},
        "architecture": "x86_64",
        "rootDeviceType": "ebs",
        "rootDeviceName": "/dev/xvda",
        "blockDeviceMapping": {},
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "groupSet": _DEFAULT_SG,
        "sourceDestCheck": True,
        "networkInterfaceSet": {"items": [_interface(draw, private_ip, dns)]},
        "ebsOptimized": False,
        "enaSupport": True,
        "cpuOptions": {"coreCount": 1, "threadsPerCore": 1},
        "capacityReservationSpecification": {"capacityReservationPreference": "open"},
        "enclaveOptions": {"enabled": False},
        "metadataOptions": {
            "state": "pending",
            "httpTokens": "optional",
            "httpPutResponseHopLimit": 1,
            "httpEndpoint": "enabled",
            "httpProtocolIpv4": "enabled",
            "httpProtocolIpv6": "disabled",
            "instanceMetadataTags": "disabled",
        },
    }
    return {
        "requestId": draw.ids.uuid(),
        "reservationId": "r-0" + draw.ids.hex(16),
        "ownerId": ACCOUNT_ID,
        "groupSet": {},
        "instancesSet": {"items": [instance]},
    }


def _interface(draw: Draw, private_ip: str, dns: str) -> dict[str, Any]:
    return {
        "networkInterfaceId": "eni-0" + draw.ids.hex(16),
        "subnetId": WEB_SUBNET_ID,
        "vpcId": VPC_ID,
        "ownerId": ACCOUNT_ID,
        "status": "in-use",
        "macAddress": ":".join(draw.ids.hex(2) for _ in range(6)),
        "privateIpAddress": private_ip,
        "privateDnsName": dns,
        "sourceDestCheck": True,
        "interfaceType": "interface",
        "groupSet": _DEFAULT_SG,
        "attachment": {"attachmentId": "eni-attach-0" + draw.ids.hex(16), "deviceIndex": 0, "status": "attaching"},
        "privateIpAddressesSet": {"item": [{"privateIpAddress": private_ip, "privateDnsName": dns, "primary": True}]},
    }
