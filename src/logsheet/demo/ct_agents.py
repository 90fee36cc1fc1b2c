"""User agents: the strings real clients send, with the per-call parts (CLI command, console page) filled in."""

from __future__ import annotations

import re

from logsheet.demo.ct_record import EventKind

AWS_CLI_MAC = "aws-cli/2.4.23 Python/3.8.8 Darwin/21.3.0 exe/x86_64 prompt/off command/{command}"
AWS_CLI_LINUX = "aws-cli/2.4.23 Python/3.8.8 Linux/5.10.102-99.473.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/{command}"
AWS_CLI_CI = "aws-cli/2.4.18 Python/3.8.8 Linux/5.11.0-1028-azure exe/x86_64.ubuntu.20 prompt/off command/{command}"
BOTO3 = "Boto3/1.21.21 Python/3.9.10 Linux/5.10.102-99.473.amzn2.x86_64 Botocore/1.24.21"
BOTO3_WINDOWS = "Boto3/1.20.54 Python/3.10.2 Windows/10 Botocore/1.23.54"
TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.1.7 (+https://www.terraform.io) terraform-provider-aws/4.5.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.43.16 (go1.17.6; linux; amd64)"
)
GO_SDK = "aws-sdk-go/1.43.16 (go1.17.8; linux; amd64)"
SSM_AGENT = "aws-sdk-go/1.40.17 (go1.17.6; linux; amd64) amazon-ssm-agent/3.1.1004.0"
NODE_LAMBDA = "aws-sdk-nodejs/2.1094.0 linux/v14.19.0 exec-env/AWS_Lambda_nodejs14.x promise"
JAVA_ECS = (
    "aws-sdk-java/1.12.170 Linux/4.14.262-200.489.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/11.0.14+10-LTS "
    "java/11.0.14 vendor/Amazon.com_Inc. cfg/retry-mode/standard"
)
BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.74 Safari/537.36"
)
CONSOLE = "{console}"
AWS_INTERNAL = "AWS Internal"

_S3_CONSOLE = (
    "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.1030 Linux/5.4.176-103.347.amzn2int.x86_64 "
    "OpenJDK_64-Bit_Server_VM/25.322-b06 java/1.8.0_322 vendor/Oracle_Corporation cfg/retry-mode/standard]"
)
_CLI_SERVICES = {"monitoring": "cloudwatch", "elasticloadbalancing": "elbv2"}
_S3_HIGH_LEVEL = {"ListBuckets": "s3.ls", "ListObjects": "s3.ls", "GetObject": "s3.cp", "PutObject": "s3.cp"}
_API_VERSION_SUFFIX = re.compile(r"\d{8}(v\d+)?$")


def render(template: str, kind: EventKind) -> str:
    """The user agent a client sends for ``kind``."""
    if "{command}" in template:
        return template.replace("{command}", cli_command(kind))
    if template == CONSOLE:
        return console_agent(kind)
    return template


def cli_command(kind: EventKind) -> str:
    """``ec2.run-instances``: the ``command/`` part AWS CLI v2 puts in its user agent."""
    if kind.service == "s3":
        return _S3_HIGH_LEVEL.get(kind.name, "s3api." + _kebab(kind.name))
    return f"{_CLI_SERVICES.get(kind.service, kind.service)}.{_kebab(_API_VERSION_SUFFIX.sub('', kind.name))}"


def console_agent(kind: EventKind) -> str:
    if kind.service == "s3":
        return _S3_CONSOLE
    if kind.service == "ec2":
        return "console.ec2.amazonaws.com"
    return "console.amazonaws.com"


def _kebab(name: str) -> str:
    words = re.sub(r"(.)([A-Z][a-z]+)", r"\1-\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", words).lower()
