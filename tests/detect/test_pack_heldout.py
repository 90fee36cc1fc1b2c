"""The built-in pack on real logs it was not written from: Stratus Red Team's detonation logs (each file one
attack technique, run against a real AWS account) are each flagged by the pack rule that covers the technique;
the shared sshd/auth samples are flagged where (and only where) they hold what a rule looks for, computed here
from the raw messages, not from logsheet's parsed columns."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pack_eval import compile_pack, flagged, rule_id

from logsheet.core import ir
from logsheet.workspace import Workspace
from repo_paths import SHARED_DATA

pytestmark = pytest.mark.shared_data

STRATUS = SHARED_DATA / "stratus-red-team-detonation-logs"

# Stratus technique → the pack file (stem) whose rule flags it.
COVERED = {
    "credential-access.ec2-get-password-data": "get_password_data",
    "credential-access.ec2-steal-instance-credentials": "instance_credentials_outside_aws",
    "credential-access.secretsmanager-batch-retrieve-secrets": "secrets_read_in_batch",
    "credential-access.secretsmanager-retrieve-secrets": "secrets_read_in_bulk",
    "credential-access.ssm-retrieve-securestring-parameters": "secrets_read_in_batch",
    "defense-evasion.cloudtrail-delete": "trail_deleted",
    "defense-evasion.cloudtrail-event-selectors": "trail_selectors_changed",
    "defense-evasion.cloudtrail-stop": "trail_stopped",
    "defense-evasion.dns-delete-logs": "resolver_query_logging_deleted",
    "defense-evasion.organizations-leave": "organization_left",
    "defense-evasion.vpc-remove-flow-logs": "flow_logs_deleted",
    "discovery.ec2-download-user-data": "instance_user_data_read",
    "execution.ec2-user-data": "instance_user_data_changed",
    "execution.ssm-send-command": "ssm_send_command",
    "execution.ssm-start-session": "ssm_start_session",
    "exfiltration.ec2-security-group-open-port-22-ingress": "security_group_opened_admin_ports",
    "exfiltration.ec2-share-ami": "ami_shared",
    "exfiltration.ec2-share-ebs-snapshot": "ebs_snapshot_shared",
    "exfiltration.rds-share-snapshot": "rds_snapshot_shared",
    "initial-access.console-login-without-mfa": "console_login_without_mfa",
    "lateral-movement.ec2-instance-connect": "ec2_instance_connect_key_pushed",
    "lateral-movement.ec2-serial-console-send-ssh-public-key": "ec2_instance_connect_key_pushed",
    "persistence.iam-backdoor-role": "role_trust_policy_changed",
    "persistence.iam-backdoor-user": "access_key_created_for_user",
    "persistence.iam-create-admin-user": "admin_policy_attached",
    "persistence.iam-create-backdoor-role": "admin_policy_attached",
    "persistence.iam-create-user-login-profile": "login_profile_created_for_user",
    "privilege-escalation.iam-update-user-login-profile": "login_profile_created_for_user",
}
# Techniques the pack does not cover, and why.
NOT_COVERED = {
    "execution.ec2-launch-unusual-instances": "an unusual instance type (p2.xlarge GPUs) by an ordinary role session; the "
    "pack flags RunInstances only by instance credentials, and 'unusual' needs a baseline of the account",
    "impact.bedrock-invoke-model": "Bedrock model access and invocation: no Bedrock rule in the pack",
    "persistence.lambda-backdoor-function": "a Lambda resource policy opened to everyone (AddPermission): no Lambda rule yet",
    "persistence.lambda-layer-extension": "a layer added to a Lambda function: no Lambda rule yet",
    "persistence.lambda-overwrite-code": "a Lambda function's code replaced: no Lambda rule yet",
    "persistence.rolesanywhere-create-trust-anchor": "IAM Roles Anywhere trust anchor: no rule yet",
    "persistence.sts-federation-token": "GetFederationToken by an IAM user: no rule yet",
}


def stratus_files() -> dict[str, Path]:
    if not STRATUS.is_dir():
        return {}
    return {p.stem.removeprefix("aws."): p for p in sorted(STRATUS.glob("aws.*.json"))}


@pytest.fixture(scope="module")
def stratus(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    if not STRATUS.is_dir():
        pytest.skip(f"public test logs not available: {STRATUS} is absent")
    root = tmp_path_factory.mktemp("stratus")
    ws = Workspace.open(root / "home")
    for technique, path in stratus_files().items():
        copy = shutil.copy(path, root / path.name)
        summary = ws.import_paths([copy], sheet=sheet_name(technique), format="cloudtrail")
        assert summary.rows > 0 and summary.rejected == 0, technique
    return ws


def sheet_name(technique: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", technique)


def test_every_technique_is_in_one_table() -> None:
    files = set(stratus_files())
    if not files:
        pytest.skip(f"public test logs not available: {STRATUS} is absent")
    assert files == set(COVERED) | set(NOT_COVERED)
    assert not set(COVERED) & set(NOT_COVERED)


@pytest.mark.parametrize("technique", sorted(COVERED))
def test_technique_is_flagged_by_its_rule(stratus: Workspace, technique: str) -> None:
    sheet = sheet_name(technique)
    found = flagged(stratus, sheet, compile_pack(stratus, sheet)[rule_id(COVERED[technique])])
    assert found.rowids, f"{technique}: {COVERED[technique]} flags nothing"


# ------------------------------------------------------------------------------------------- auth samples
AUTH_SAMPLES = [
    "elastic-integrations-system-auth/test-auth-ubuntu1204.log",
    "elastic-integrations-system-auth/test-auth.log",
    "elastic-integrations-system-auth/test-secure-rhel7.log",
    "fail2ban-sshd-testlogs/sshd",
    "fail2ban-sshd-testlogs/sshd-journal",
    "fail2ban-sshd-testlogs/pam-generic",
    "fail2ban-sshd-testlogs/selinux-ssh",
]
FAILED = re.compile(
    r"Failed (?:password|publickey|keyboard-interactive/pam|none) for .* from (\S+?)(?: port \d+)?(?: ssh\d?)?(?:: .*)?$"
)
HOUR = timedelta(hours=1)
ACCEPTED = re.compile(r"Accepted \S+ for (\S+) from (\S+?)(?: port \d+)")


@pytest.fixture(scope="module")
def auth(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("auth")
    ws = Workspace.open(root / "home")
    for sample in AUTH_SAMPLES:
        path = SHARED_DATA / sample
        if not path.is_file():
            pytest.skip(f"public test logs not available: {path} is absent")
        copy = shutil.copy(path, root / sample.replace("/", "_"))
        ws.import_paths([copy], sheet=sheet_name(sample), format="syslog")
    return ws


def messages(ws: Workspace, sheet: str) -> list[tuple[int, Any, str, str]]:
    """(row id, time, program, message) of every row."""
    page = ws.query(sheet, ir.Query(columns=("timestamp", "program", "message")), limit=10_000)
    return [(rid, r[0], str(r[1] or ""), str(r[2] or "")) for rid, r in zip(page.rowids, page.rows)]


def brute_forced(rows: list[tuple[int, Any, str, str]], count: int = 10, span: timedelta = timedelta(minutes=5)) -> set[str]:
    """Sources with ``count`` sshd failures within ``span`` (read from the messages)."""
    by_source: dict[str, list[Any]] = {}
    for _, moment, program, message in rows:
        m = FAILED.search(message)
        if m and program.startswith("sshd") and moment is not None:
            by_source.setdefault(m[1].removeprefix("::ffff:"), []).append(moment)
    out = set()
    for source, times in by_source.items():
        times.sort()
        if any(times[i + count - 1] - times[i] <= span for i in range(len(times) - count + 1)):
            out.add(source)
    return out


@pytest.mark.parametrize("sample", AUTH_SAMPLES)
def test_auth_sample_brute_force_and_logins(auth: Workspace, sample: str) -> None:
    sheet = sheet_name(sample)
    rows = messages(auth, sheet)
    rules = compile_pack(auth, sheet)
    brute = flagged(auth, sheet, rules[rule_id("ssh_brute_force")])
    assert {w.group[0] for w in brute.windows} == brute_forced(rows)
    # a login is "after failures" only when its source failed before it, within the hour
    expected = set()
    for _, moment, program, message in rows:
        m = ACCEPTED.search(message)
        if m and program.startswith("sshd") and moment is not None:  # a row with no time is in no window
            source = m[2]
            earlier = [
                t
                for _, t, p, msg in rows
                if t is not None
                and p.startswith("sshd")
                and (f := FAILED.search(msg))
                and f[1] == source
                and moment - HOUR <= t < moment
            ]
            if earlier:
                expected.add(source)
    after = flagged(auth, sheet, rules[rule_id("ssh_login_after_failures")])
    assert {w.group[0] for w in after.windows} == expected
    # root logins, new users and groups: the lines that say so
    root = {rid for rid, _, p, msg in rows if p.startswith("sshd") and (m := ACCEPTED.search(msg)) and m[1] == "root"}
    assert flagged(auth, sheet, rules[rule_id("ssh_root_login")]).rowids == root
    new_users = {rid for rid, _, _, msg in rows if msg.startswith("new user: ")}
    assert flagged(auth, sheet, rules[rule_id("user_added")]).rowids == new_users
    new_groups = {rid for rid, _, _, msg in rows if msg.startswith("new group: ") or re.match(r"add '[^']+' to group", msg)}
    assert flagged(auth, sheet, rules[rule_id("group_added")]).rowids == new_groups


def test_auth_samples_hold_what_the_rules_flag(auth: Workspace) -> None:
    """The figures the report quotes: what the pack finds in the shared samples."""
    totals = {"user_added": 0, "group_added": 0, "sudo_to_root": 0}
    for sample in AUTH_SAMPLES:
        sheet = sheet_name(sample)
        rules = compile_pack(auth, sheet)
        for stem in totals:
            totals[stem] += len(flagged(auth, sheet, rules[rule_id(stem)]).rowids)
    assert totals["user_added"] >= 1 and totals["group_added"] >= 1 and totals["sudo_to_root"] >= 1
