"""`logsheet config ip-ranges FILE`, `logsheet config geoip FILE.mmdb`, `query --enrich COLUMN` and
`query/export --lookup SHEET:KEY[=RIGHTKEY]` through the command line's entry point, as documented in
docs/cli.md and docs/enrichment.md; and the brief's "must show" on the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from enrich_fixtures import write_ip_ranges, write_mmdb
from fixtures import write_ndjson
from logsheet.cli import main
from lookup_rows import EVENTS, NETS, USERS


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def ok(home: Path, *args: str) -> Result:
    result = run(home, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-lookup")
    root = folder / "home"
    for name, rows in (("events", EVENTS), ("users", USERS), ("nets", NETS)):
        ok(root, "import", str(write_ndjson(folder / f"{name}.ndjson", rows)), "--sheet", name)
    return root


def rows(result: Result) -> list[dict[str, object]]:
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_lookup_on_query_with_the_matched_count(home: Path) -> None:
    args = ["query", "events", "--lookup", "users:user=name", "--lookup-columns", "team", "--lookup-ignore-case"]
    result = ok(home, *args, "-c", "rid,user,users.team,users.matched", "--format", "json", "--sort", "rid")
    got = {r["rid"]: r["users.team"] for r in rows(result)}
    assert got[1] == "red" and got[2] == got[3] == "green" and got[4] is None and len(got) == len(EVENTS)
    assert "(lookup in users: 5 of 12 rows matched)" in result.stderr
    filtered = ok(home, *args, "--where", "users.matched = true and users.team = 'green'", "--count")
    assert filtered.stdout.strip() == "2"


def test_cidr_lookup_with_a_prefix_grouped(home: Path) -> None:
    result = ok(
        home, "query", "events", "--lookup", "nets:ip=cidr", "--lookup-cidr", "--lookup-columns", "label",
        "--lookup-prefix", "net_", "-g", "net_label", "--format", "json",
    )  # fmt: skip
    assert {r["net_label"]: r["count"] for r in rows(result)} == {
        None: 4, "corp": 1, "corp-dc": 1, "web": 1, "attacker": 1, "home": 1, "doc6": 1, "aws6": 1, "link6": 1
    }  # fmt: skip
    assert "(lookup in nets: 8 of 12 rows matched)" in result.stderr


def test_lookup_on_export(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = ok(home, "export", "events", "-o", str(out), "--lookup", "users:user=name", "--lookup-columns", "team")
    assert "12 rows written" in result.stdout and "(lookup in users: 3 of 12 rows matched)" in result.stderr
    assert out.read_text().splitlines()[0].endswith("users.team,users.matched")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lookup", "users"], "--lookup is SHEET:KEY"),
        (["--lookup", "users:,"], "an empty key"),
        (["--lookup-cidr"], "go with --lookup"),
        (["--lookup", "nope:user"], "no sheet named 'nope'"),
        (["--lookup", "users:user=nope"], "unknown column 'nope'"),
        (["--enrich", "nope"], "unknown column 'nope'"),
    ],
)
def test_lookup_and_enrich_refusals(home: Path, args: list[str], message: str) -> None:
    result = run(home, "query", "events", *args)
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_config_ip_ranges_and_geoip_then_enrich(tmp_path: Path) -> None:
    root = tmp_path / "home"
    ok(root, "import", str(write_ndjson(tmp_path / "events.ndjson", EVENTS)), "--sheet", "events")
    assert "ip-ranges     -" in ok(root, "config").stdout
    shown = ok(root, "config", "ip-ranges", str(write_ip_ranges(tmp_path / "ip-ranges.json"))).stdout
    assert shown.startswith("ip-ranges     ip-ranges.json (8 prefixes, sha256 ")
    info = json.loads(ok(root, "config", "geoip", str(write_mmdb(tmp_path / "geo.mmdb")), "--json").stdout)
    assert info["networks"] == 3 and info["has"] == ["country", "city", "asn", "org"]
    result = ok(
        root, "query", "events", "--enrich", "ip", "--where", "ip.aws_service = 'EC2'",
        "-c", "ip,ip.class,ip.aws_service,ip.aws_region,ip.country,ip.asn", "--format", "json",
    )  # fmt: skip
    assert [(r["ip"], r["ip.aws_region"], r["ip.country"]) for r in rows(result)] == [
        ("44.202.228.109", "us-east-1", "US"), ("2600:1f18::10", "us-east-1", None)
    ]  # fmt: skip
    grouped = ok(root, "query", "events", "--enrich", "ip", "-g", "ip.class", "--format", "json")
    assert {r["ip.class"]: r["count"] for r in rows(grouped)}["public"] == 4
    assert ok(root, "config", "geoip", "none").stdout.strip() == "geoip forgotten"
    plain = ok(root, "query", "events", "--enrich", "ip", "-n", "1", "--format", "json")
    assert "ip.country" not in rows(plain)[0] and "ip.aws_service" in rows(plain)[0]


def test_config_refuses_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "ip-ranges.json"
    bad.write_text('{"prefixes": "no"}')
    result = run(tmp_path / "home", "config", "ip-ranges", str(bad))
    assert result.exit_code == 1 and "is not an AWS ip-ranges.json" in result.output and "Traceback" not in result.output
    result = run(tmp_path / "home", "config", "geoip", str(bad))
    assert result.exit_code == 1 and "is not a MaxMind / DB-IP .mmdb file" in result.output
    assert "ip-ranges     -" in ok(tmp_path / "home", "config").stdout


# ------------------------------------------------------------------------------------------- the demo
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("demo-enrich")
    ok(root / "home", "demo", "--no-serve")
    ok(root / "home", "config", "ip-ranges", str(write_ip_ranges(root / "ip-ranges.json")))
    yield root / "home"


def test_demo_instance_ip_is_aws_ec2_in_us_east_1_and_the_attacker_is_public_outside_aws(demo: Path) -> None:
    columns = "sourceIPAddress,sourceIPAddress.class,sourceIPAddress.aws_service,sourceIPAddress.aws_region"
    result = ok(
        demo, "query", "cloudtrail", "--enrich", "sourceIPAddress", "-g", columns, "--format", "json",
        "--where", "sourceIPAddress in ('44.202.228.109', '123.214.118.119')",
    )  # fmt: skip
    assert [tuple(r[c] for c in columns.split(",")) for r in rows(result)] == [("44.202.228.109", "public", "EC2", "us-east-1")]
    secure = ok(
        demo, "query", "secure", "--enrich", "src_ip", "--where", "src_ip = '123.214.118.119'", "-g",
        "src_ip.class,src_ip.aws_service", "--format", "json",
    )  # fmt: skip
    assert [(r["src_ip.class"], r["src_ip.aws_service"]) for r in rows(secure)] == [("public", None)]
