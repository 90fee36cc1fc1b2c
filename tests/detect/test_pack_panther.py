"""Panther's own test events (../shared/data/panther-analysis: each rule's `Tests:`, a `Log:` and the
`ExpectedResult`) as positive and negative cases for the pack rules that cover the same behaviour: each Log is
imported as a CloudTrail record (or written as a VPC flow log line) and the pack rule must flag it exactly when
Panther's rule does — except the cases listed in DIFFERENT, each with the reason the two rules disagree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pack_eval import compile_pack, flagged, rule_ids_by_label

from logsheet.workspace import Workspace
from repo_paths import SHARED_DATA

pytestmark = pytest.mark.shared_data

PANTHER = SHARED_DATA / "panther-analysis" / "rules"

# Panther rule file → the pack rules (file stems, or base rules' Sigma names) that cover it: flagged when any does.
# A Panther rule with a threshold is matched to the pack's per-event base rule (Panther tests the per-event part).
CLOUDTRAIL = {
    "aws_cloudtrail_stopped.yml": ("trail_stopped", "trail_deleted"),
    "aws_cloudtrail_event_selectors_disabled.yml": ("trail_selectors_changed",),
    "aws_dns_logs_deleted.yml": ("resolver_query_logging_deleted",),
    "aws_vpc_flow_logs_deleted.yml": ("flow_logs_deleted",),
    "aws_cloudtrail_attempt_to_leave_org.yml": ("organization_left",),
    "aws_ami_modified_for_public_access.yml": ("ami_shared",),
    "aws_snapshot_made_public.yml": ("ebs_snapshot_shared",),
    "aws_rds_snapshot_shared.yml": ("rds_snapshot_shared",),
    "aws_console_login_without_mfa.yml": ("console_login_without_mfa",),
    "aws_root_activity.yml": ("root_activity",),
    "aws_console_root_login.yml": ("root_activity",),
    "aws_iam_user_key_created.yml": ("access_key_created_for_user",),
    "aws_cloudtrail_loginprofilecreatedormodified.yml": ("login_profile_created_for_user",),
    "aws_user_login_profile_modified.yml": ("login_profile_created_for_user",),
    "aws_iam_attach_admin_role_policy.yml": ("admin_policy_attached",),
    "aws_iam_attach_admin_user_policy.yml": ("admin_policy_attached",),
    "aws_iam_backdoor_role.yml": ("role_trust_policy_changed",),
    "aws_ec2_many_passwors_read_attempts.yml": ("get_password_data",),
    "aws_ec2_startup_script_change.yml": ("instance_user_data_changed",),
    "aws_ec2_download_instance_user_data.yml": ("instance_user_data_read",),
    "aws_ssm_distributed_command.yml": ("ssm_send_command",),
    "aws_imds_credential_exfiltration.yml": ("instance_credentials_outside_aws",),
    "aws_ec2_multi_instance_connect.yml": ("ec2_instance_connect_key_pushed",),
    "aws_secretsmanager_retrieve_secrets_batch.yml": ("secrets_read_in_batch",),
    "aws_secretsmanager_retrieve_secrets.yml": ("aws_secret_read",),
    "aws_ssm_decrypt_ssm_params.yml": ("aws_secret_read",),
    "aws_unauthorized_api_call.yml": ("aws_request_denied",),
}
VPCFLOW = {
    "aws_vpc_ssh_allowed_signal.yml": ("remote_admin_from_internet",),
    "aws_vpc_inbound_traffic_port_blocklist.yml": ("remote_admin_from_internet",),
}
# (Panther file, test name) → why the pack rule answers otherwise.
SESSION_NAME = (
    "the caller is a role session named like the user (assumed-role/IAM/alice for user alice): Panther takes the "
    "session name for the user, the pack compares IAM user names (userIdentity.userName, with fieldref) and flags "
    "a role setting a user's password, since a session may be given any name"
)
DIFFERENT: dict[tuple[str, str], str] = {
    ("aws_cloudtrail_loginprofilecreatedormodified.yml", "ChangeOwnPassword"): SESSION_NAME,
    ("aws_user_login_profile_modified.yml", "ChangeOwnPassword"): SESSION_NAME,
    ("aws_cloudtrail_event_selectors_disabled.yml", "Event Selector Enabled"): "Panther reads the new selectors for "
    "logging turned off; the pack flags every change of what a trail records",
    ("aws_ami_modified_for_public_access.yml", "AMI Added to User"): "Panther flags only public AMIs; the pack also "
    "flags sharing with another account (issue 13 asks for both)",
    ("aws_console_login_without_mfa.yml", "No MFA Login - New User"): "Panther looks up whether the user has an MFA "
    "device yet (a new user has none); the pack flags every password-only login",
    ("aws_root_activity.yml", "Root Activity - CreateServiceLinkedRole"): "Panther ignores a few root events; the pack "
    "flags all root activity not made by a service",
    ("aws_root_activity.yml", "Root User Failed Activity"): "Panther ignores this root sign-in event; the pack flags it",
    ("aws_root_activity.yml", "Root Read-Only Enumeration"): "Panther ignores root's read-only calls; the pack flags "
    "them (root should not be used at all)",
    ("aws_user_login_profile_modified.yml", "User changed password for other reset required"): "Panther treats a "
    "password set with a forced reset as benign; the pack flags any password set for a user",
    ("aws_iam_backdoor_role.yml", "IAM Role Policy Updated Without Internet Access"): "Panther reads the new policy "
    "for outside principals; the pack flags every trust-policy change",
    ("aws_iam_backdoor_role.yml", "IAM Role Policy Updated With No Policy Document"): "the same: the pack flags every "
    "trust-policy change",
    ("aws_ssm_distributed_command.yml", "Single Command Send, No Cached IDs"): "Panther flags commands sent to many "
    "instances (it remembers earlier ones); the pack flags every SendCommand",
    ("aws_vpc_inbound_traffic_port_blocklist.yml", "Public to Private IP on Restricted Port"): "Panther flags any "
    "inbound flow to the port; the pack only accepted ones (this Log has no action)",
}


def cases(folder: str, table: dict[str, tuple[str, ...]]) -> list[tuple[str, str, bool, dict[str, Any]]]:
    out = []
    for file in table:
        path = PANTHER / folder / file
        if not path.is_file():
            continue
        for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("Tests") or []:
            log = test["Log"]
            if folder == "aws_vpc_flow_rules" and log.get("p_log_type") != "AWS.VPCFlow":
                continue  # the OCSF shape of the same test: not a flow log
            out.append((file, str(test["Name"]), bool(test["ExpectedResult"]), log))
    return out


FLOW_FIELDS = {  # flow log field → Panther's name for it
    "version": "version",
    "account-id": "account",
    "interface-id": "interfaceId",
    "srcaddr": "srcAddr",
    "dstaddr": "dstAddr",
    "srcport": "srcPort",
    "dstport": "dstPort",
    "protocol": "protocol",
    "packets": "packets",
    "bytes": "bytes",
    "start": "start",
    "end": "end",
    "action": "action",
    "log-status": "status",
}


def flow_line(log: dict[str, Any]) -> str:
    def field(name: str) -> str:
        value = log.get(FLOW_FIELDS[name])
        if name in ("start", "end") and isinstance(value, str):
            from datetime import datetime

            return str(int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()))
        return "-" if value is None or value == "null" else str(value)

    return " ".join(field(n) for n in FLOW_FIELDS)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[tuple[str, str, bool, str, tuple[str, ...]]]]:
    if not PANTHER.is_dir():
        pytest.skip(f"public test logs not available: {PANTHER} is absent")
    root = tmp_path_factory.mktemp("panther")
    ws = Workspace.open(root / "home")
    out = []
    for folder, table, fmt in (("aws_cloudtrail_rules", CLOUDTRAIL, "cloudtrail"), ("aws_vpc_flow_rules", VPCFLOW, "vpcflow")):
        for n, (file, name, expected, log) in enumerate(cases(folder, table)):
            sheet = f"{fmt}_{n}"
            if fmt == "cloudtrail":
                path = root / f"{sheet}.json"
                path.write_text(json.dumps({"Records": [log]}), encoding="utf-8")
            else:
                path = root / f"{sheet}.log"
                path.write_text(" ".join(FLOW_FIELDS) + "\n" + flow_line(log) + "\n", encoding="utf-8")
            summary = ws.import_paths([path], sheet=sheet, format=fmt)
            assert (summary.rows, summary.rejected) == (1, 0), (file, name)
            out.append((file, name, expected, sheet, table[file]))
    return ws, out


def test_panther_cases_agree(imported: tuple[Workspace, list[tuple[str, str, bool, str, tuple[str, ...]]]]) -> None:
    ws, found = imported
    ids = {**rule_ids_by_label("cloudtrail"), **rule_ids_by_label("vpcflow")}
    disagree, explained_but_agree = {}, []
    for file, name, expected, sheet, labels in found:
        rules = compile_pack(ws, sheet)
        ours = any(flagged(ws, sheet, rules[ids[label]]).rowids for label in labels)
        if (file, name) in DIFFERENT:
            if ours == expected:
                explained_but_agree.append((file, name))
            continue
        if ours != expected:
            disagree[(file, name)] = f"Panther {expected}, pack {ours}"
    assert disagree == {}, "\n".join(f"{k}: {v}" for k, v in disagree.items())
    assert explained_but_agree == [], "listed as different but they agree"
    compared = len(found)
    print(f"Panther cases: {compared} compared, {compared - len(DIFFERENT)} agree, {len(DIFFERENT)} explained")
    assert compared >= 80


def test_table_names_real_files() -> None:
    if not PANTHER.is_dir():
        pytest.skip(f"public test logs not available: {PANTHER} is absent")
    for folder, table in (("aws_cloudtrail_rules", CLOUDTRAIL), ("aws_vpc_flow_rules", VPCFLOW)):
        for file in table:
            assert (PANTHER / folder / file).is_file(), file
    files = set(CLOUDTRAIL) | set(VPCFLOW)
    assert {f for f, _ in DIFFERENT} <= files
    assert Path(__file__).name == "test_pack_panther.py"
