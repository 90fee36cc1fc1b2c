"""The demo incident, built and queried through the command line as a user would: `logsheet demo --no-serve`,
then `logsheet query ... --count` for every figure of the reference story."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from logsheet.cli import main
from logsheet.demo import FACTS

ATTACKER_IP = "123.214.118.119"
INSTANCE_IP = "44.202.228.109"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("demo-home")
    result = CliRunner().invoke(main, ["--home", str(root), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "sheet 'cloudtrail': 48,512 rows" in result.stdout
    yield root


def count(home: Path, sheet: str, *args: str) -> int:
    result = CliRunner().invoke(main, ["--home", str(home), "query", sheet, *args, "--count"])
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("eventName = 'RunInstances'", 7),
        ("eventName = 'RunInstances' and errorMessage is not blank", 4),
        ("eventName = 'RunInstances' and sourceIPAddress = 'AWS Internal'", 2),
        (f"eventName = 'RunInstances' and sourceIPAddress = '{INSTANCE_IP}' and userAgent contains 'aws-cli'", 5),
        (f"sourceIPAddress = '{INSTANCE_IP}'", 12),
        (f"sourceIPAddress = '{INSTANCE_IP}' and eventName = 'ListBuckets'", 1),
        ("eventName = 'RunInstances' and eventTime = '2022-03-22T15:48:02Z' and requestParameters.instanceType = 't2.micro'", 1),
        (
            "eventName = 'RunInstances' and eventTime between '2022-03-22T15:18:02Z' and '2022-03-22T16:18:02Z'",
            7,
        ),
    ],
)
def test_cloudtrail_story(home: Path, where: str, expected: int) -> None:
    assert count(home, "cloudtrail", "--where", where) == expected


def test_cloudtrail_dedupe_accounting(home: Path) -> None:
    assert count(home, "cloudtrail") == FACTS.cloudtrail_unique_records
    result = CliRunner().invoke(main, ["--home", str(home), "info", "cloudtrail", "--json"])
    import json

    info = json.loads(result.stdout)
    assert info["duplicates_removed"] == FACTS.cloudtrail_duplicates
    assert len(info["sources"]) == FACTS.cloudtrail_files
    for source in info["sources"]:
        assert source["records_read"] == source["rows_kept"] + source["rejected"] + source["duplicates"]


def test_secure_story(home: Path) -> None:
    assert count(home, "secure", "--search", "Failed password", "--where", f"src_ip = '{ATTACKER_IP}'") == (
        FACTS.brute_force_failed_password
    )
    accepted = "message contains 'Accepted password for root from 123.214.118.119'"
    assert count(home, "secure", "--where", accepted) == 1
    assert count(home, "secure", "--where", f"src_ip = '{ATTACKER_IP}' and outcome = 'success'") == 1
    assert count(home, "secure", "--where", "event = 'accepted_password' and user = 'root'") == 1


def test_vpcflow_story(home: Path) -> None:
    assert count(home, "vpcflow") == FACTS.vpcflow_rows
    assert count(home, "vpcflow", "--where", f"srcaddr = '{ATTACKER_IP}' and dstport = 22") == FACTS.vpcflow_attacker_ssh_rows


def test_planted_hostile_values_stay_text(home: Path) -> None:
    result = CliRunner().invoke(
        main, ["--home", str(home), "query", "cloudtrail", "--search", "<script>", "--format", "json", "-n", "5"]
    )
    assert result.exit_code == 0
    assert "<script>" in result.stdout


def test_the_demo_case_holds_its_three_sheets(home: Path) -> None:
    import json

    result = CliRunner().invoke(main, ["--home", str(home), "case", "show", "demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sheets"] == ["cloudtrail", "secure", "vpcflow"]
    listed = CliRunner().invoke(main, ["--home", str(home), "case", "list", "--format", "json"])
    assert {c["name"]: c["sheets"] for c in json.loads(listed.stdout)} == {
        "default": ["cloudtrail", "secure", "vpcflow"],
        "demo": ["cloudtrail", "secure", "vpcflow"],
    }
    findings = CliRunner().invoke(main, ["--home", str(home), "findings", "--case", "demo", "--format", "json"])
    assert findings.exit_code == 0 and {f["sheet"] for f in json.loads(findings.stdout)} >= {"cloudtrail", "secure"}
