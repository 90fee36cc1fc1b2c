"""Wide JSON (issue 19, Build item 6): records of more than 256 top-level keys keep the first 255 keys as
columns and the rest of each record as one json column, ``more_fields``; 10,000 keys × 10,000 records
import within a minute in bounded memory; records of up to 256 keys stay columns (never a MAP)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from logsheet import Workspace
from logsheet.cli import main
from logsheet.core import ir
from logsheet.query.filterlang import parse_filter

# The import's own peak: VmHWM starts afresh at exec (ru_maxrss keeps the forking parent's, pytest's, size).
PEAK = "print('PEAK', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)\n"


def imported(path: Path, home: Path, sheet: str = "w") -> dict[str, Any]:
    from click.testing import CliRunner

    done = CliRunner().invoke(main, ["import", str(path), "--sheet", sheet, "--json", "-q"], env={"LOGSHEET_HOME": str(home)})
    assert done.exit_code == 0, done.output
    summary: dict[str, Any] = json.loads(done.stdout)
    for s in summary["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    return summary


def record(i: int, width: int) -> dict[str, Any]:
    """Strings, integers, floats, booleans, nulls and a nested object, by key."""
    out: dict[str, Any] = {}
    for j in range(width):
        kind = j % 6
        value: Any = (
            f"s{i}-{j}",
            i * 1000 + j,
            (i * 1000 + j) / 4,
            (i + j) % 2 == 0,
            None if i % 2 else f"n{i}",
            {"a": i, "b": [j, "x"]},
        )[kind]
        out[f"key_{j}"] = value
    return out


def rows(home: Path, sheet: str, order: str = "key_1") -> list[dict[str, Any]]:
    ws = Workspace.open(home)
    page = ws.query(sheet, ir.Query(sort=(ir.SortKey(order),)), limit=1000)
    return [dict(zip([c.name for c in page.columns], r)) for r in page.rows]


def test_300_keys_keep_255_columns_and_the_rest_as_json(tmp_path: Path) -> None:
    home = tmp_path / "home"
    records = [record(i, 300) for i in range(20)]
    path = tmp_path / "wide.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    summary = imported(path, home)
    names = [c["name"] for c in summary["columns"]]
    assert names == [f"key_{j}" for j in range(255)] + ["more_fields"], names[-3:]
    types = {c["name"]: c["type"] for c in summary["columns"]}
    assert (types["key_0"], types["key_1"], types["key_2"], types["key_3"]) == ("text", "integer", "float", "boolean")
    assert (types["key_5"], types["more_fields"]) == ("json", "json")
    note = summary["sources"][0]["note"]
    assert "300 top-level keys in its first records: the first 255 are sheet columns" in note, note
    assert "key_255 … key_299" in note and "'more_fields'" in note
    got = rows(home, "w")
    assert len(got) == 20
    for want, row in zip(records, got):
        for j in range(255):  # values read back equal to what the record holds
            value = row[f"key_{j}"]
            expected = want[f"key_{j}"]
            if isinstance(expected, dict):
                assert json.loads(value) == expected
            else:
                assert value == expected, (j, value, expected)
        more = json.loads(row["more_fields"])
        assert list(more) == [f"key_{j}" for j in range(255, 300)]
        assert more == {f"key_{j}": want[f"key_{j}"] for j in range(255, 300)}
    # a JSON path into the folded keys counts right, through the filter language
    ws = Workspace.open(home)
    assert ws.count("w", ir.Query(where=parse_filter("more_fields.key_256 = 'n4'"))) == 1
    assert ws.count("w", ir.Query(where=parse_filter("more_fields.key_259 = 7259"))) == 1
    assert ws.count("w", ir.Query(where=parse_filter("more_fields.key_258 = 's3-258' or key_1 = 5001"))) == 2


def test_the_more_fields_text_is_the_record_as_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    head = ",".join(f'"k{j}":{j}' for j in range(300))
    lines = [
        "{" + head + "}",
        "{" + head.replace('"k299":299', '"k299":1.50e1, "k298x": "naïve \\u65e5"') + "}",
    ]
    path = tmp_path / "exact.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported(path, home)
    got = rows(home, "w", "k1")
    assert got[1]["more_fields"].endswith('"k299":1.50e1, "k298x": "naïve \\u65e5"}')
    assert json.loads(got[1]["more_fields"])["k298x"] == "naïve 日"


def test_a_wide_file_with_damage_goes_record_by_record_and_keeps_the_rules(tmp_path: Path) -> None:
    home = tmp_path / "home"
    records = [record(i, 300) for i in range(6)]
    text = [json.dumps(r) for r in records]
    text[2] = text[2][:500]  # not valid JSON: a reject
    text[3] = text[3].replace('"key_290": 822.5', '"key_290": 123456789012345678901234567890')  # kept as text
    text[4] = text[4].replace('"key_1": 4001', '"key_1": 4001, "key_1": 7')  # a duplicate key: the last wins
    path = tmp_path / "damaged.ndjson"
    path.write_text("\n".join(text) + "\n")
    summary = imported(path, home)
    source = summary["sources"][0]
    assert (source["rows_kept"], source["rejected"]) == (5, 1)
    assert "repeat a key" in source["note"] and "kept as text" in source["note"]
    assert "the first 255 are sheet columns" in source["note"]
    got = {r["key_0"]: r for r in rows(home, "w")}
    assert got["s4-0"]["key_1"] == 7
    assert json.loads(got["s3-0"]["more_fields"])["key_290"] == "123456789012345678901234567890"


def test_a_wide_json_array_is_split_the_same_way(tmp_path: Path) -> None:
    home = tmp_path / "home"
    records = [record(i, 400) for i in range(5)]
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(records))
    summary = imported(path, home)
    assert len(summary["columns"]) == 256 and summary["rows"] == 5
    ws = Workspace.open(home)
    assert ws.count("w", ir.Query(where=parse_filter("more_fields.key_397 = 3397"))) == 1


def test_250_keys_stay_columns_never_a_map(tmp_path: Path) -> None:
    """DuckDB's reader folded records of more than 200 keys of one type into one MAP column."""
    home = tmp_path / "home"
    path = tmp_path / "k250.ndjson"
    path.write_text("".join(json.dumps({f"k{j}": i * 1000 + j for j in range(250)}) + "\n" for i in range(10)))
    summary = imported(path, home)
    assert [c["name"] for c in summary["columns"]] == [f"k{j}" for j in range(250)]
    assert {c["type"] for c in summary["columns"]} == {"integer"}
    assert "note" not in summary["sources"][0] or not summary["sources"][0]["note"]
    ws = Workspace.open(home)
    assert ws.count("w", ir.Query(where=parse_filter("k249 = 9249"))) == 1


@pytest.mark.slow
def test_ten_thousand_keys_by_ten_thousand_records_in_a_minute_and_bounded_memory(tmp_path: Path) -> None:
    """6: a JSON-lines file of 10,000 keys × 10,000 records ran out of memory (11.7 GB after 4m42s)."""
    home = tmp_path / "home"
    path = tmp_path / "wide.ndjson"
    width = 10_000
    keys = [f'"key_{j}":' for j in range(width)]
    variants = []
    for shift in range(7):
        values = [str((j + shift) % 7) if j % 2 else f'"x{(j + shift) % 7}"' for j in range(width)]
        variants.append("{" + ",".join(k + v for k, v in zip(keys, values)) + "}\n")
    with open(path, "w") as fh:
        for i in range(10_000):
            fh.write(variants[i % 7])
    script = (
        "import sys\nfrom logsheet.cli import main\n"
        "sys.argv = ['logsheet', 'import', sys.argv[1], '--sheet', 'wide', '--json', '-q']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n" + PEAK
    )
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300, env=env)
    peak_kib = int(done.stderr.split("PEAK")[-1].split()[0])
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == 10_000 and summary["rejected"] == 0
    assert len(summary["columns"]) == 256
    assert summary["elapsed_seconds"] < 60, summary["elapsed_seconds"]
    assert peak_kib < 2 * 1024 * 1024, f"peak memory {peak_kib / 1024:.0f} MiB"
    ws = Workspace.open(home)  # key_9001 is 3 in every 7th record, from the 5th on
    assert ws.count("wide", ir.Query(where=parse_filter("more_fields.key_9001 = 3"))) == len(range(4, 10_000, 7))
    print(f"10,000 × 10,000 JSON lines: {summary['elapsed_seconds']:.1f} s, peak {peak_kib / 1024:.0f} MiB")


def test_what_the_engine_check_would_let_through_is_not_kept_as_json(tmp_path: Path) -> None:
    """DuckDB's json_valid accepts NaN and trailing commas; the rest of a line must be JSON."""
    home = tmp_path / "home"
    head = ",".join(f'"k{j}":{j}' for j in range(300))
    lines = [
        "{" + head + "}",
        "{" + head.replace('"k299":299', '"k299":NaN') + "}",
        "{" + head + ",}",
    ]
    path = tmp_path / "lenient.ndjson"
    path.write_text("\n".join(lines) + "\n")
    summary = imported(path, home)
    source = summary["sources"][0]
    assert (source["rows_kept"], source["rejected"]) == (2, 1)
    assert "kept as text" in source["note"]
    got = rows(home, "w", "k1")
    # NaN is no JSON number: kept as text, and so is every number of its key (as for columns)
    assert {json.loads(r["more_fields"])["k299"] for r in got} == {"299", "NaN"}
