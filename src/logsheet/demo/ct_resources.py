"""The account's AWS resources that background events touch: buckets, instances, keys, functions."""

from __future__ import annotations

from logsheet.demo.ids import stable_uuid
from logsheet.demo.world import ACCOUNT_ID, WEB_INSTANCE_ID

BUCKETS = (
    "acme-prod-assets",
    "acme-orders-exports",
    f"acme-cloudtrail-{ACCOUNT_ID}",
    "acme-terraform-state",
    "acme-data-lake-raw",
    "acme-web-static",
)
OBJECT_PREFIXES = ("orders/2022/03/", "exports/daily/", "raw/events/dt=2022-03-2", "static/img/", "tfstate/prod/")
OBJECT_SUFFIXES = (".json", ".csv.gz", ".parquet", ".png", ".tfstate")

INSTANCES = {
    "us-east-1": (WEB_INSTANCE_ID, "i-03f1c2d4e6a8b0c21", "i-0b7e9d1f3a5c7e902", "i-0d4c6e8a0b2f4a6c8"),
    "us-west-2": ("i-06a8c0e2b4d6f8a13", "i-09b1d3f5a7c9e1b35"),
    "eu-west-1": ("i-02c4e6a8b0d2f4e57",),
}
# Auto Scaling instances whose agents call AWS with instance-profile credentials, and their public IPs.
APP_FLEET = (
    ("i-03f1c2d4e6a8b0c21", "3.91.171.22"),
    ("i-0b7e9d1f3a5c7e902", "54.165.33.190"),
    ("i-0d4c6e8a0b2f4a6c8", "34.229.88.14"),
)

LAMBDA_FUNCTIONS = ("orders-processor", "thumbnailer", "nightly-export")
LOG_GROUPS = tuple(f"/aws/lambda/{name}" for name in LAMBDA_FUNCTIONS) + ("/ecs/checkout", "/var/log/messages")
SECRETS = ("prod/orders/db", "prod/checkout/stripe", "prod/web/session-key")
PARAMETERS = ("/prod/checkout/feature-flags", "/prod/web/db-host", "/prod/web/db-user")
ECS_CLUSTER = "prod-cluster"
ECS_SERVICES = ("checkout", "catalog")
ROLES = ("WebServerRole", "AppInstanceRole", "orders-processor-role", "checkout-task-role", "ci-deploy-role")
STACKS = ("prod-network", "prod-ecs", "prod-web")
TARGET_GROUP = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT_ID}:targetgroup/prod-web/73e2d6bc24d8a067"
LAUNCH_TEMPLATE = "lt-0a2b4c6d8e0f13579"


def kms_key_arn(region: str) -> str:
    return f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{stable_uuid('kms:' + region)}"
