"""The built-in pack: every file loads and every rule compiles on its format (against the schema of a sheet
imported from generated data), and on generated CloudTrail records, auth-log lines and VPC flow lines each rule
flags exactly the rows meant for it — its positive cases, none of the near misses beside them, and nothing
else on the sheet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pack_eval import FOLDERS, compile_pack, flagged, ids_by_file, pack_files, rule_ids_by_label

from fixtures import ACCOUNT, START, ct_record
from logsheet.core import ir
from logsheet.detect import CompiledCorrelation, CompiledRule, Refused
from logsheet.detect.pack import pack_paths
from logsheet.workspace import Workspace
from repo_paths import DOCS

# ------------------------------------------------------------------------------------------------ CloudTrail
ROOT = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT}
INSTANCE_ID = "i-0abc1234def567890"
INSTANCE = {
    "type": "AssumedRole",
    "principalId": f"AROAEXAMPLEROLEID:{INSTANCE_ID}",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/WebRole/{INSTANCE_ID}",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEKEY000001",
}
PERSON_ROLE = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLEROLEID:alice@example.com",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice@example.com",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEKEY000002",
}


def user(name: str) -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": f"AIDA{name.upper():0>16}",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": f"AKIA{name.upper():0>16}",
        "userName": name,
    }


def sg_flat(cidr: str, from_port: int, to_port: int, protocol: str = "tcp", v6: bool = False) -> dict[str, Any]:
    return {
        "groupId": "sg-1",
        "ipProtocol": protocol,
        "fromPort": from_port,
        "toPort": to_port,
        ("cidrIpv6" if v6 else "cidrIp"): cidr,
    }


def sg_listed(cidr: str, from_port: int, to_port: int, v6: bool = False) -> dict[str, Any]:
    ranges = {"ipv6Ranges": {"items": [{"cidrIpv6": cidr}]}} if v6 else {"ipRanges": {"items": [{"cidrIp": cidr}]}}
    return {
        "groupId": "sg-1",
        "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": from_port, "toPort": to_port, **ranges}]},
    }


def share(key: str, action: str, entry: dict[str, str]) -> dict[str, Any]:
    return {key: {action: {"items": [entry]}}}


# (event source, event name, other fields, labels): a label is the stem of the pack file whose rule must flag the
# record, or the Sigma name of a base rule (one a correlation refers to); no label: a near miss.
Case = tuple[str, str, dict[str, Any], set[str]]
EC2, IAM, S3, SSM, SM = (f"{s}.amazonaws.com" for s in ("ec2", "iam", "s3", "ssm", "secretsmanager"))
CT_CASES: list[Case] = [
    ("cloudtrail.amazonaws.com", "StopLogging", {}, {"trail_stopped"}),
    ("cloudtrail.amazonaws.com", "StartLogging", {}, set()),
    ("cloudtrail.amazonaws.com", "StopLogging", {"errorCode": "TrailNotFoundException"}, set()),
    (
        EC2,
        "ModifyImageAttribute",
        {"requestParameters": share("launchPermission", "add", {"group": "all"}), "errorCode": "UnauthorizedOperation"},
        {"aws_request_denied"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_flat("0.0.0.0/0", 22, 22), "errorCode": "InvalidPermission.Duplicate"},
        set(),
    ),
    (SSM, "SendCommand", {"errorCode": "InvalidInstanceId"}, set()),
    (
        "signin.amazonaws.com",
        "ConsoleLogin",
        {
            "additionalEventData": {"MFAUsed": "No", "SamlProviderArn": "arn:aws:iam::1:saml-provider/Okta"},
            "responseElements": {"ConsoleLogin": "Success"},
        },
        set(),
    ),
    (
        IAM,
        "CreateAccessKey",
        {
            "requestParameters": {"userName": "deployer"},
            "userIdentity": {**user("alice"), "invokedBy": "cloudformation.amazonaws.com"},
        },
        {"access_key_created_for_user"},
    ),
    (IAM, "ListUsers", {"errorCode": "AccessDenied", "sourceIPAddress": "cloudformation.amazonaws.com"}, set()),
    (
        EC2,
        "DescribeInstanceAttribute",
        {
            "requestParameters": {"instanceId": INSTANCE_ID, "attribute": "userData"},
            "userIdentity": {**PERSON_ROLE, "invokedBy": "cloudformation.amazonaws.com"},
        },
        set(),
    ),
    (
        EC2,
        "RunInstances",
        {"userIdentity": INSTANCE, "sourceIPAddress": "10.0.5.6", "errorCode": "Client.UnauthorizedOperation"},
        {"instance_credentials_run_instances", "aws_request_denied"},
    ),
    ("cloudtrail.amazonaws.com", "DeleteTrail", {}, {"trail_deleted"}),
    ("cloudtrail.amazonaws.com", "CreateTrail", {}, set()),
    ("cloudtrail.amazonaws.com", "PutEventSelectors", {}, {"trail_selectors_changed"}),
    ("cloudtrail.amazonaws.com", "UpdateTrail", {}, {"trail_selectors_changed"}),
    ("cloudtrail.amazonaws.com", "GetEventSelectors", {}, set()),
    (EC2, "DeleteFlowLogs", {}, {"flow_logs_deleted"}),
    (EC2, "CreateFlowLogs", {}, set()),
    ("route53resolver.amazonaws.com", "DeleteResolverQueryLogConfig", {}, {"resolver_query_logging_deleted"}),
    ("route53resolver.amazonaws.com", "DisassociateResolverQueryLogConfig", {}, {"resolver_query_logging_deleted"}),
    ("route53resolver.amazonaws.com", "CreateResolverQueryLogConfig", {}, set()),
    ("guardduty.amazonaws.com", "DeleteDetector", {}, {"guardduty_detector_deleted"}),
    ("guardduty.amazonaws.com", "CreateDetector", {}, set()),
    ("organizations.amazonaws.com", "LeaveOrganization", {}, {"organization_left"}),
    ("organizations.amazonaws.com", "DescribeOrganization", {}, set()),
    (
        "organizations.amazonaws.com",
        "LeaveOrganization",
        {"errorCode": "AccessDenied"},
        {"organization_left", "aws_request_denied"},
    ),
    (
        EC2,
        "ModifySnapshotAttribute",
        {"requestParameters": share("createVolumePermission", "add", {"userId": "999988887777"})},
        {"ebs_snapshot_shared"},
    ),
    (
        EC2,
        "ModifySnapshotAttribute",
        {"requestParameters": share("createVolumePermission", "add", {"group": "all"})},
        {"ebs_snapshot_shared"},
    ),
    (
        EC2,
        "ModifySnapshotAttribute",
        {"requestParameters": share("createVolumePermission", "remove", {"userId": "999988887777"})},
        set(),
    ),
    (
        EC2,
        "ModifyImageAttribute",
        {"requestParameters": share("launchPermission", "add", {"userId": "999988887777"})},
        {"ami_shared"},
    ),
    (EC2, "ModifyImageAttribute", {"requestParameters": share("launchPermission", "add", {"group": "all"})}, {"ami_shared"}),
    (EC2, "ModifyImageAttribute", {"requestParameters": share("launchPermission", "remove", {"group": "all"})}, set()),
    (
        "rds.amazonaws.com",
        "ModifyDBSnapshotAttribute",
        {"requestParameters": {"attributeName": "restore", "valuesToAdd": ["all"]}},
        {"rds_snapshot_shared"},
    ),
    (
        "rds.amazonaws.com",
        "ModifyDBClusterSnapshotAttribute",
        {"requestParameters": {"attributeName": "restore", "valuesToAdd": ["999988887777"]}},
        {"rds_snapshot_shared"},
    ),
    (
        "rds.amazonaws.com",
        "ModifyDBSnapshotAttribute",
        {"requestParameters": {"attributeName": "restore", "valuesToRemove": ["all"]}},
        set(),
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_flat("0.0.0.0/0", 22, 22)},
        {"security_group_opened_admin_ports"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_flat("::/0", 3389, 3389, v6=True)},
        {"security_group_opened_admin_ports"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_flat("0.0.0.0/0", 0, 65535)},
        {"security_group_opened_admin_ports"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_flat("0.0.0.0/0", -1, -1, "-1")},
        {"security_group_opened_admin_ports"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_listed("0.0.0.0/0", 5985, 5986)},
        {"security_group_opened_admin_ports"},
    ),
    (
        EC2,
        "AuthorizeSecurityGroupIngress",
        {"requestParameters": sg_listed("::/0", 22, 22, v6=True)},
        {"security_group_opened_admin_ports"},
    ),
    (EC2, "AuthorizeSecurityGroupIngress", {"requestParameters": sg_flat("0.0.0.0/0", 443, 443)}, set()),
    (EC2, "AuthorizeSecurityGroupIngress", {"requestParameters": sg_listed("0.0.0.0/0", 80, 443)}, set()),
    (EC2, "AuthorizeSecurityGroupIngress", {"requestParameters": sg_flat("10.0.0.0/8", 22, 22)}, set()),
    (EC2, "AuthorizeSecurityGroupIngress", {"requestParameters": sg_listed("203.0.113.0/24", 3389, 3389)}, set()),
    (
        "signin.amazonaws.com",
        "ConsoleLogin",
        {"additionalEventData": {"MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Success"}},
        {"console_login_without_mfa"},
    ),
    (
        "signin.amazonaws.com",
        "ConsoleLogin",
        {"additionalEventData": {"MFAUsed": "Yes"}, "responseElements": {"ConsoleLogin": "Success"}},
        set(),
    ),
    (
        "signin.amazonaws.com",
        "ConsoleLogin",
        {"additionalEventData": {"MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Failure"}},
        set(),
    ),
    (
        "signin.amazonaws.com",
        "ConsoleLogin",
        {"userIdentity": PERSON_ROLE, "additionalEventData": {"MFAUsed": "No"}, "responseElements": {"ConsoleLogin": "Success"}},
        set(),
    ),
    (S3, "ListBuckets", {"userIdentity": ROOT}, {"root_activity"}),
    (S3, "ListBuckets", {"userIdentity": {**ROOT, "invokedBy": "cloudtrail.amazonaws.com"}}, set()),
    (IAM, "CreateAccessKey", {"requestParameters": {"userName": "backdoor"}}, {"access_key_created_for_user"}),
    (IAM, "CreateAccessKey", {"requestParameters": None}, set()),
    (IAM, "CreateAccessKey", {"requestParameters": {"userName": "Alice"}, "userIdentity": user("alice")}, set()),
    (IAM, "UpdateLoginProfile", {"requestParameters": {"userName": "alice"}, "userIdentity": user("alice")}, set()),
    (
        IAM,
        "UpdateLoginProfile",
        {"requestParameters": {"userName": "bob"}, "userIdentity": user("alice")},
        {"login_profile_created_for_user"},
    ),
    (IAM, "CreateAccessKey", {"requestParameters": {"userName": "backdoor"}, "errorCode": "NoSuchEntity"}, set()),
    (IAM, "CreateLoginProfile", {"requestParameters": {"userName": "backdoor"}}, {"login_profile_created_for_user"}),
    (IAM, "UpdateLoginProfile", {"requestParameters": {"userName": "backdoor"}}, {"login_profile_created_for_user"}),
    (IAM, "DeleteLoginProfile", {"requestParameters": {"userName": "backdoor"}}, set()),
    (IAM, "CreateLoginProfile", {"requestParameters": {"userName": "backdoor"}, "errorCode": "EntityAlreadyExists"}, set()),
    (
        IAM,
        "AttachUserPolicy",
        {"requestParameters": {"userName": "x", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
        {"admin_policy_attached"},
    ),
    (
        IAM,
        "AttachRolePolicy",
        {"requestParameters": {"roleName": "x", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}},
        {"admin_policy_attached"},
    ),
    (
        IAM,
        "AttachUserPolicy",
        {"requestParameters": {"userName": "x", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
        set(),
    ),
    (
        IAM,
        "UpdateAssumeRolePolicy",
        {"requestParameters": {"roleName": "x", "policyDocument": "{}"}},
        {"role_trust_policy_changed"},
    ),
    (IAM, "GetRole", {"requestParameters": {"roleName": "x"}}, set()),
    (EC2, "GetPasswordData", {"requestParameters": {"instanceId": INSTANCE_ID}}, {"get_password_data"}),
    (EC2, "GetConsoleOutput", {"requestParameters": {"instanceId": INSTANCE_ID}}, set()),
    (
        EC2,
        "ModifyInstanceAttribute",
        {"requestParameters": {"instanceId": INSTANCE_ID, "userData": "<sensitiveDataRemoved>"}},
        {"instance_user_data_changed"},
    ),
    (
        EC2,
        "ModifyInstanceAttribute",
        {"requestParameters": {"instanceId": INSTANCE_ID, "instanceType": {"value": "t3.large"}}},
        set(),
    ),
    (
        EC2,
        "DescribeInstanceAttribute",
        {"requestParameters": {"instanceId": INSTANCE_ID, "attribute": "userData"}},
        {"instance_user_data_read"},
    ),
    (EC2, "DescribeInstanceAttribute", {"requestParameters": {"instanceId": INSTANCE_ID, "attribute": "instanceType"}}, set()),
    (SSM, "SendCommand", {"requestParameters": {"documentName": "AWS-RunShellScript"}}, {"ssm_send_command"}),
    (SSM, "ListCommands", {}, set()),
    (SSM, "StartSession", {"requestParameters": {"target": INSTANCE_ID}}, {"ssm_start_session"}),
    (SSM, "TerminateSession", {}, set()),
    ("ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", {}, {"ec2_instance_connect_key_pushed"}),
    ("ec2-instance-connect.amazonaws.com", "SendSerialConsoleSSHPublicKey", {}, {"ec2_instance_connect_key_pushed"}),
    (EC2, "EnableSerialConsoleAccess", {}, set()),
    (EC2, "RunInstances", {"userIdentity": INSTANCE, "sourceIPAddress": "10.0.5.5"}, {"instance_credentials_run_instances"}),
    (EC2, "RunInstances", {"userIdentity": PERSON_ROLE, "sourceIPAddress": "10.0.5.5"}, set()),
    (S3, "ListBuckets", {"userIdentity": INSTANCE, "sourceIPAddress": "10.0.5.5"}, {"instance_credentials_list_buckets"}),
    (S3, "ListBuckets", {"userIdentity": PERSON_ROLE, "sourceIPAddress": "203.0.113.80"}, set()),
    (
        EC2,
        "DescribeInstances",
        {"userIdentity": INSTANCE, "sourceIPAddress": "198.51.100.9"},
        {"instance_credentials_outside_aws"},
    ),
    (
        EC2,
        "DescribeInstances",
        {"userIdentity": INSTANCE, "sourceIPAddress": "2001:db8::9"},
        {"instance_credentials_outside_aws"},
    ),
    (
        S3,
        "ListBuckets",
        {"userIdentity": INSTANCE, "sourceIPAddress": "198.51.100.9"},
        {"instance_credentials_outside_aws", "instance_credentials_list_buckets"},
    ),
    (EC2, "DescribeInstances", {"userIdentity": INSTANCE, "sourceIPAddress": "172.31.5.5"}, set()),
    (EC2, "DescribeInstances", {"userIdentity": INSTANCE, "sourceIPAddress": "fd00::5"}, set()),
    (EC2, "DescribeInstances", {"userIdentity": INSTANCE, "sourceIPAddress": "ec2.amazonaws.com"}, set()),
    (EC2, "DescribeInstances", {"userIdentity": INSTANCE, "sourceIPAddress": "AWS Internal"}, set()),
    (EC2, "DescribeInstances", {"userIdentity": PERSON_ROLE, "sourceIPAddress": "198.51.100.9"}, set()),
    (SSM, "GetParameter", {"requestParameters": {"name": "/app/url", "withDecryption": False}}, set()),
    (SSM, "GetParameter", {"requestParameters": {"name": "/app/key", "withDecryption": True}}, {"aws_secret_read"}),
    (
        SSM,
        "GetParameters",
        {"requestParameters": {"names": list("abcde"), "withDecryption": True}},
        {"aws_secret_read", "secrets_read_in_batch"},
    ),
    (SSM, "GetParameters", {"requestParameters": {"names": list("abcd"), "withDecryption": True}}, {"aws_secret_read"}),
    (SSM, "GetParameters", {"requestParameters": {"names": list("abcdef"), "withDecryption": False}}, set()),
    (
        SSM,
        "GetParametersByPath",
        {"requestParameters": {"path": "/", "recursive": True, "withDecryption": True}},
        {"aws_secret_read", "secrets_read_in_batch"},
    ),
    (
        SSM,
        "GetParametersByPath",
        {"requestParameters": {"path": "/app", "recursive": False, "withDecryption": True}},
        {"aws_secret_read"},
    ),
    (
        SM,
        "BatchGetSecretValue",
        {"requestParameters": {"secretIdList": ["a"]}, "errorCode": "ResourceNotFoundException"},
        {"aws_secret_read"},
    ),
    (SSM, "UpdateInstanceInformation", {"userIdentity": INSTANCE, "sourceIPAddress": "198.51.100.9"}, set()),
    ("ssmmessages.amazonaws.com", "CreateControlChannel", {"userIdentity": INSTANCE, "sourceIPAddress": "198.51.100.9"}, set()),
    (
        EC2,
        "DescribeInstances",
        {"userIdentity": {**INSTANCE, "invokedBy": "ec2.amazonaws.com"}, "sourceIPAddress": "198.51.100.9"},
        set(),
    ),
]
BURST = "arn:aws:iam::111122223333:user/"


def correlation_cases() -> Iterator[tuple[str, str, dict[str, Any], set[str], int]]:
    """(source, name, fields, labels, seconds after START): bursts that pass a correlation and ones that do not."""
    reads = {"aws_secret_read"}
    for k in range(10):  # ten reads in 200 s by one user: bulk
        yield SM, "GetSecretValue", {"userIdentity": user("collector")}, reads | {"secrets_read_in_bulk"}, 10_000 + 20 * k
    for k in range(9):  # nine: not bulk
        yield SM, "GetSecretValue", {"userIdentity": user("app")}, reads, 10_000 + 20 * k
    for k in range(10):  # ten, but an hour apart: not bulk (each a batch read, though)
        yield SM, "BatchGetSecretValue", {"userIdentity": user("nightly")}, reads | {"secrets_read_in_batch"}, 10_000 + 3600 * k
    denied = {"aws_request_denied"}
    for k in range(10):  # ten refusals in 90 s: a burst
        code = ("AccessDenied", "Client.UnauthorizedOperation")[k % 2]
        yield (
            IAM,
            "ListUsers",
            {"userIdentity": user("prober"), "errorCode": code},
            denied | {"access_denied_burst"},
            20_000 + 9 * k,
        )
    for k in range(9):  # nine: not
        yield IAM, "ListUsers", {"userIdentity": user("shy"), "errorCode": "AccessDenied"}, denied, 20_000 + 9 * k
    yield IAM, "ListUsers", {"userIdentity": user("shy"), "errorCode": "Throttling"}, set(), 20_050


def ct_records() -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    records, labels = [], {}
    for i, (source, name, fields, want) in enumerate(CT_CASES):
        record = ct_record(i, eventSource=source, eventName=name, **{"userIdentity": user("alice"), **fields})
        records.append(record)
        labels[record["eventID"]] = want
    for j, (source, name, fields, want, at) in enumerate(correlation_cases()):
        moment = (START + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = ct_record(1000 + j, eventSource=source, eventName=name, eventTime=moment, **fields)
        records.append(record)
        labels[record["eventID"]] = want
    return records, labels


# ---------------------------------------------------------------------------------------------------- auth
def auth_lines() -> tuple[list[str], dict[int, set[str]]]:
    """Auth-log lines, each with its own pid (the key a row is found by), and the labels of each pid."""
    out: list[tuple[int, str, str, set[str]]] = []  # (seconds, program, message, labels)
    fail, any_user = {"ssh_auth_failure", "ssh_failure_before_login", "ssh_failure_any_user"}, {"ssh_failure_any_user"}
    # 203.0.113.7: twelve failures in two minutes, then root logs in: a brute force that worked
    for k in range(12):
        out.append(
            (
                10 * k,
                "sshd",
                f"Failed password for root from 203.0.113.7 port {4000 + k} ssh2",
                fail | {"ssh_brute_force", "ssh_login_after_failures"},
            )
        )
    out.append(
        (
            200,
            "sshd",
            "Accepted password for root from 203.0.113.7 port 4100 ssh2",
            {"ssh_login_accepted", "ssh_login_after_failures", "ssh_root_login"},
        )
    )
    # 198.51.100.20: nine failures in a minute (below the threshold), no login
    for k in range(9):
        out.append((1000 + 6 * k, "sshd", f"Failed password for bob from 198.51.100.20 port {5000 + k} ssh2", fail))
    # 192.0.2.50: a login with no failure before it, then two failures: not a login after failures
    out.append(
        (2000, "sshd", "Accepted publickey for alice from 192.0.2.50 port 6000 ssh2: RSA SHA256:abc", {"ssh_login_accepted"})
    )
    for k in range(2):
        out.append((2010 + k, "sshd", f"Failed password for alice from 192.0.2.50 port {6001 + k} ssh2", fail))
    # 192.0.2.99: six user names in ten minutes: spraying; 198.51.100.77: four, not
    for k, name in enumerate(["admin", "test", "oracle", "git", "pi", "ubuntu"]):
        out.append(
            (3000 + 100 * k, "sshd", f"Invalid user {name} from 192.0.2.99 port {7000 + k}", any_user | {"ssh_password_spraying"})
        )
    for k, name in enumerate(["admin", "test", "oracle", "git"]):
        out.append(
            (3000 + 100 * k, "sshd", f"Failed password for invalid user {name} from 198.51.100.77 port {7100 + k} ssh2", fail)
        )
    # root by key from an address with no failures: a root login, not one after failures
    out.append(
        (
            4000,
            "sshd",
            "Accepted publickey for root from 10.0.0.9 port 7200 ssh2: ED25519 SHA256:def",
            {"ssh_login_accepted", "ssh_root_login"},
        )
    )
    out.append((4001, "sshd", "Connection closed by 10.0.0.9 port 7200", set()))
    out.append((4100, "useradd", "new user: name=eve, UID=0, GID=0, home=/root, shell=/bin/bash", {"user_added"}))
    out.append((4101, "userdel", "delete user 'mallory'", set()))
    out.append((4102, "groupadd", "new group: name=eve, GID=1005", {"group_added"}))
    out.append((4103, "usermod", "add 'eve' to group 'sudo'", {"group_added"}))
    out.append((4104, "groupdel", "group 'old' removed", set()))
    out.append((4200, "sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash", {"sudo_to_root"}))
    out.append((4201, "sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=postgres ; COMMAND=/usr/bin/psql", set()))
    out.append(
        (4202, "sudo", "   bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/sh", set())
    )
    out.append((4203, "su", "Successful su for root by alice", {"sudo_to_root"}))
    out.append((4204, "su", "FAILED su for root by bob", set()))
    lines, labels = [], {}
    for pid, (seconds, program, message, want) in enumerate(sorted(out, key=lambda o: o[0]), start=100):
        moment = START + timedelta(seconds=seconds)
        lines.append(f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} web {program}[{pid}]: {message}")
        labels[pid] = want
    return lines, labels


# ------------------------------------------------------------------------------------------------ VPC flow
FLOW_HEADER = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"


def flow_lines() -> tuple[list[str], dict[str, set[str]]]:
    """Flow lines keyed by their interface id (eni-<n>), and the labels of each."""
    rows: list[tuple[str, str, int, int, int, int, int, str, set[str]]] = []  # src dst sport dport proto bytes t action labels
    tcp = {"vpcflow_tcp_udp_flow"}
    for k in range(30):  # 198.51.100.5: thirty ports in a minute: a scan
        rows.append(
            ("198.51.100.5", "10.0.0.5", 40000, 1000 + k, 6, 60, 2 * k, "REJECT", tcp | {"port_scan", "vpcflow_rejected"})
        )
    for k in range(20):  # 198.51.100.6: twenty: not
        rows.append(("198.51.100.6", "10.0.0.5", 40000, 1000 + k, 6, 60, 2 * k, "REJECT", tcp | {"vpcflow_rejected"}))
    for k in range(60):  # 203.0.113.50: sixty rejects to one port in two minutes: a burst, not a scan
        rows.append(
            (
                "203.0.113.50",
                "10.0.0.5",
                50000 + k,
                443,
                6,
                60,
                1000 + 2 * k,
                "REJECT",
                tcp | {"reject_burst", "vpcflow_rejected"},
            )
        )
    for k in range(40):  # 203.0.113.51: forty: not
        rows.append(("203.0.113.51", "10.0.0.5", 50000 + k, 443, 6, 60, 1000 + 2 * k, "REJECT", tcp | {"vpcflow_rejected"}))
    admin = tcp | {"remote_admin_from_internet"}
    rows.append(("203.0.113.9", "10.0.0.5", 50100, 22, 6, 5000, 2000, "ACCEPT", admin))
    rows.append(("203.0.113.9", "10.0.0.6", 50101, 3389, 6, 5000, 2001, "ACCEPT", admin))
    rows.append(("10.0.1.1", "10.0.0.5", 50102, 22, 6, 5000, 2002, "ACCEPT", tcp))
    rows.append(("203.0.113.9", "10.0.0.5", 50103, 22, 6, 5000, 2003, "REJECT", tcp | {"vpcflow_rejected"}))
    rows.append(("203.0.113.9", "10.0.0.5", 50104, 443, 6, 5000, 2004, "ACCEPT", tcp))
    rows.append(("10.0.0.5", "203.0.113.9", 22, 50100, 6, 5000, 2005, "ACCEPT", {"vpcflow_egress"}))  # a reply from port 22
    for k in range(30):  # 10.0.0.5's web server answering thirty clients' ephemeral ports: not a scan
        rows.append(("10.0.0.5", "10.0.2.2", 443, 30000 + k, 6, 900, 2100 + k, "ACCEPT", set()))
    rows.append(("203.0.113.9", "10.0.0.5", 0, 0, 1, 84, 2006, "ACCEPT", set()))  # ICMP
    egress = tcp | {"vpcflow_egress"}
    for k in range(3):  # 10.0.0.5 → 198.51.100.200: 1.2 GB in 30 minutes
        rows.append(
            ("10.0.0.5", "198.51.100.200", 44000 + k, 443, 6, 400_000_000, 3000 + 900 * k, "ACCEPT", egress | {"large_egress"})
        )
    for k in range(2):  # 10.0.0.6 → 198.51.100.201: 800 MB
        rows.append(("10.0.0.6", "198.51.100.201", 44000 + k, 443, 6, 400_000_000, 3000 + 900 * k, "ACCEPT", egress))
    for k in range(3):  # 10.0.0.5 → 198.51.100.202: 1.2 GB, but over three hours
        rows.append(("10.0.0.5", "198.51.100.202", 44000 + k, 443, 6, 400_000_000, 3000 + 4000 * k, "ACCEPT", egress))
    for k in range(3):  # 10.0.0.5 → 10.0.0.7: 1.2 GB inside the VPC
        rows.append(("10.0.0.5", "10.0.0.7", 44000 + k, 5432, 6, 400_000_000, 3000 + 900 * k, "ACCEPT", tcp))
    base = int(START.timestamp())
    lines, labels = [FLOW_HEADER], {}
    for n, (src, dst, sport, dport, proto, size, at, action, want) in enumerate(rows):
        eni = f"eni-{n:05d}"
        lines.append(f"2 {ACCOUNT} {eni} {src} {dst} {sport} {dport} {proto} 10 {size} {base + at} {base + at + 30} {action} OK")
        labels[eni] = want
    return lines, labels


# ------------------------------------------------------------------------------------------------ fixtures
KEYS = {"cloudtrail": "eventID", "syslog": "pid", "vpcflow": "interface-id"}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, dict[Any, set[str]]]]:
    root = tmp_path_factory.mktemp("pack")
    ws = Workspace.open(root / "home")
    records, ct_labels = ct_records()
    (root / "ct.json").write_text(json.dumps({"Records": records}), encoding="utf-8")
    lines, auth_labels = auth_lines()
    (root / "auth.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    flows, flow_labels = flow_lines()
    (root / "flow.log").write_text("\n".join(flows) + "\n", encoding="utf-8")
    for name, file, count in (
        ("cloudtrail", "ct.json", len(records)),
        ("syslog", "auth.log", len(lines)),
        ("vpcflow", "flow.log", len(flows) - 1),
    ):
        summary = ws.import_paths([root / file], sheet=name)
        assert (summary.format, summary.rows, summary.rejected) == (name, count, 0)
    return ws, {"cloudtrail": ct_labels, "syslog": auth_labels, "vpcflow": flow_labels}


def keys_of(ws: Workspace, sheet: str) -> dict[int, Any]:
    page = ws.query(sheet, ir.Query(columns=(KEYS[sheet],)), limit=10_000)
    return {rowid: row[0] for rowid, row in zip(page.rowids, page.rows)}


def labels_of_rules(sheet_format: str) -> dict[str, str]:
    """Rule id → its label (a base rule's Sigma name, the file's stem for the rule the file is named for)."""
    return {rule_id: label for label, rule_id in rule_ids_by_label(sheet_format).items()}


# ---------------------------------------------------------------------------------------------------- tests
def all_documents() -> list[dict[str, Any]]:
    return [d for p in pack_paths() for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]


def test_pack_files_and_metadata() -> None:
    paths = pack_paths()
    assert paths == sorted(paths) and all(p.suffix == ".yml" for p in paths)
    assert {p.parent.name for p in paths} == set(FOLDERS.values())
    docs = all_documents()
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    assert len(docs) >= 30
    for doc in docs:
        where = doc["title"]
        assert doc["author"] == "logsheet" and doc["status"] in ("stable", "test", "experimental"), where
        assert doc["level"] in ("informational", "low", "medium", "high", "critical"), where
        tags = doc["tags"]
        assert any(t.startswith("attack.t") for t in tags), f"{where}: an ATT&CK technique"
        assert any(t.startswith("attack.") and not t.startswith("attack.t") for t in tags), f"{where}: an ATT&CK tactic"
        assert doc["description"] and doc["references"] and doc["falsepositives"] and doc["date"], where
        assert ("correlation" in doc) != ("detection" in doc and "logsource" in doc), where
    # the detections a user sees (a base rule only feeds its correlation): at least 30
    findings = [d for d in docs if d["level"] != "informational"]
    assert len(findings) >= 30


@pytest.mark.parametrize("sheet_format", sorted(FOLDERS))
def test_every_rule_compiles_on_its_format(sheets: tuple[Workspace, Any], sheet_format: str) -> None:
    ws, _ = sheets
    compiled = compile_pack(ws, sheet_format)
    refused = {r.title: r.reason for r in compiled.values() if isinstance(r, Refused)}
    assert refused == {}
    assert set(compiled) == set(labels_of_rules(sheet_format))
    assert all(r.format == sheet_format for r in compiled.values() if isinstance(r, (CompiledRule, CompiledCorrelation)))


@pytest.mark.parametrize("sheet_format", sorted(FOLDERS))
def test_each_rule_flags_exactly_its_cases(sheets: tuple[Workspace, Any], sheet_format: str) -> None:
    ws, all_labels = sheets
    labels = all_labels[sheet_format]
    keys = keys_of(ws, sheet_format)
    rule_labels = labels_of_rules(sheet_format)
    assert set(rule_labels.values()) >= {lab for want in labels.values() for lab in want}, "every label names a rule"
    wrong = {}
    for rule_id, rule in compile_pack(ws, sheet_format).items():
        label = rule_labels[rule_id]
        got = {keys[r] for r in flagged(ws, sheet_format, rule).rowids}
        want = {k for k, lab in labels.items() if label in lab}
        assert want, f"{label}: no positive case"
        assert len(want) < len(labels), f"{label}: no negative case"
        if got != want:
            wrong[label] = {"missed": sorted(want - got), "extra": sorted(got - want)}
    assert wrong == {}


def test_correlation_windows(sheets: tuple[Workspace, Any]) -> None:
    ws, _ = sheets
    compiled = compile_pack(ws, "syslog")
    by_stem = {stem: compiled[ids[-1]] for stem, ids in ids_by_file("syslog").items()}
    brute = flagged(ws, "syslog", by_stem["ssh_brute_force"])
    assert brute.groups() == {"203.0.113.7": 12}  # nine failures from 198.51.100.20 are below the threshold
    after = flagged(ws, "syslog", by_stem["ssh_login_after_failures"])
    assert after.groups() == {"203.0.113.7": 13}  # not 192.0.2.50, whose failures come after its login
    spray = flagged(ws, "syslog", by_stem["ssh_password_spraying"])
    assert spray.groups() == {"192.0.2.99": 6} and spray.windows[0].measure == 6
    egress = flagged(ws, "vpcflow", compile_pack(ws, "vpcflow")[ids_by_file("vpcflow")["large_egress"][-1]])
    assert egress.groups() == {"10.0.0.5|198.51.100.200": 3} and egress.windows[0].measure == 1_200_000_000


def test_pack_files_are_readable_sigma(tmp_path: Path) -> None:
    """Each file on its own (as a user copies it) loads and compiles for its format, correlations included."""
    for path in pack_paths():
        fmt = next(f for f, folder in FOLDERS.items() if folder == path.parent.name)
        results = compile_rules_of(path, fmt)
        assert results and not any(isinstance(r, Refused) for r in results), (path.name, results)
    assert {p.parent.name for p in pack_files("cloudtrail")} == {"cloudtrail"}


def compile_rules_of(path: Path, sheet_format: str) -> list[Any]:
    from logsheet.detect import compile_rules

    return compile_rules([path], sheet_format)


def test_docs_table_lists_every_rule() -> None:
    text = (DOCS / "detections.md").read_text(encoding="utf-8")
    section = text[text.index("## The built-in pack") :]
    for path in pack_paths():
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        assert f"`{path.parent.name}/{path.name}`" in section and docs[-1]["title"] in section, path.name
