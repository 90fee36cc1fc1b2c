"""``logsheet query --where`` with the filter language's aliases (``field:value``, ``&&``, ``!``, wildcards) and
column names in another case, on a generated CloudTrail sheet: each counts what its canonical spelling counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fixtures import EVENT_NAMES, START, ct_record, ct_s3_key, write_gz_json
from logsheet.cli import main

RECORDS = 60


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def count(where: str) -> int:
    result = run("query", "ct", "--where", where, "--count")
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


@pytest.fixture
def ct(inputs: Path) -> None:
    records = [ct_record(i) for i in range(RECORDS)]
    records[7]["errorMessage"] = "You are not authorized"
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": records})
    result = run("import", str(inputs / "ct"), "--sheet", "ct", "--quiet")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("alias", "canonical", "expected"),
    [
        ("eventname:RunInstances", "eventName = 'RunInstances'", RECORDS // len(EVENT_NAMES)),
        ("EVENTNAME == 'RunInstances'", "eventName = 'RunInstances'", RECORDS // len(EVENT_NAMES)),
        ("eventName:runinstances", "eventName = 'runinstances'", 0),  # values keep their case, as in Kibana
        ("eventName:*Instances", "eventName ends with 'Instances'", 2 * RECORDS // len(EVENT_NAMES)),
        ("eventName:Run* && sourceipaddress:10.0.0.1", "eventName starts with 'Run' and sourceIPAddress = '10.0.0.1'", 3),
        ("readonly:true || eventName:*Bucket*", "readOnly = true or eventName contains 'Bucket'", 36),
        ("!readOnly:true", "not (readOnly = true)", RECORDS // 2),
        ("errormessage:*", "errorMessage is not blank", 1),
        ("useridentity.username:user1", "userIdentity.userName = 'user1'", RECORDS // 2),
        ("requestparameters.bucketName:bucket-1", "requestParameters.bucketName = 'bucket-1'", RECORDS // 3),
        ("eventtime:>='2022-03-22T15:00:30Z'", "eventTime >= '2022-03-22T15:00:30Z'", RECORDS - 30),
    ],
)
def test_alias_counts_what_the_canonical_spelling_counts(ct: None, alias: str, canonical: str, expected: int) -> None:
    assert count(canonical) == expected
    assert count(alias) == expected


def test_json_keys_keep_their_case(ct: None) -> None:
    """Only the column is matched ignoring case: a JSON key in another case is another key (no match)."""
    assert count("requestParameters.bucketname = 'bucket-1'") == 0


def test_an_unknown_column_is_still_an_error(ct: None) -> None:
    result = run("query", "ct", "--where", "eventnames:RunInstances", "--count")
    assert result.exit_code != 0
    assert "unknown column 'eventnames'; did you mean 'eventName'" in result.stderr
    assert "Traceback" not in result.output


def test_an_alias_syntax_error_points_at_the_character(ct: None) -> None:
    result = run("query", "ct", "--where", "eventName:Run*ces", "--count")
    assert result.exit_code != 0
    assert "a '*' wildcard may only start or end a value" in result.stderr
    assert "at position 14" in result.stderr


def test_a_step_may_not_add_a_name_that_differs_only_by_case(ct: None) -> None:
    """DuckDB and Spark read ``EVENTNAME`` as ``eventName``, so a step may not add it beside it (the ambiguity
    error for such a schema is checked in tests/query/test_filter_aliases.py); the exact name still works."""
    steps = [{"kind": "combine", "columns": ["eventName", "awsRegion"], "separator": "/", "name": "EVENTNAME"}]

    def view(steps: list[dict[str, object]], where: dict[str, object]) -> str:
        return json.dumps({"version": 1, "steps": steps, "where": where, "search": "", "columns": [], "sort": []})

    where = {"kind": "compare", "column": "eventname", "op": "=", "value": "RunInstances", "case_sensitive": True}
    result = run("query", "ct", "--query-json", view(steps, where), "--count")
    assert result.exit_code != 0
    assert "a column named 'eventName' already exists; choose another name" in result.stderr
    exact = run("query", "ct", "--query-json", view([], {**where, "column": "eventName"}), "--count")
    assert exact.exit_code == 0, exact.output
    assert int(exact.stdout) == RECORDS // len(EVENT_NAMES)
