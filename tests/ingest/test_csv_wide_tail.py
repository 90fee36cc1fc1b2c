"""Wide CSV (issue 19): the fields after the first 255 columns are one json column, ``more_columns``, an
object {header name: value text} in header order, whose values round-trip exactly (quoted commas, quotes,
line breaks, backslashes, control characters), named as the narrow path names headers, and queryable with
JSON paths; the document view gets it as a json column."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from logsheet import Workspace
from logsheet.api import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient warns it will move from httpx to httpx2
    from fastapi.testclient import TestClient

LOGSHEET = str(Path(sys.executable).parent / "logsheet")
WIDTH = 300

# Values for the tail, each written quoted where CSV needs it (the csv module decides).
ODD = [
    "a,b",  # a delimiter inside quotes
    'say "hi"',  # doubled quotes
    "two\nlines",  # a line break inside quotes
    "crlf\r\nend",
    "back\\slash \\n not a newline",
    "tab\there",
    "bell\x07 and unit\x1f separator",
    "",  # blank stays an empty string
    "  padded  ",
    "naïve 日本 🙂",
    '{"looks": "like json"}',
    "\\",
    '"',
    "null",
]


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOGSHEET_HOME": str(home)}
    return subprocess.run([LOGSHEET, *args], capture_output=True, text=True, timeout=300, env=env)


def imported(path: Path, sheet: str, home: Path) -> dict[str, Any]:
    done = run("import", str(path), "--sheet", sheet, "--json", home=home)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    for s in summary["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    return summary


def query(sheet: str, home: Path, *extra: str) -> list[dict[str, Any]]:
    done = run("query", sheet, "--format", "json", "--limit", "10000", "--sort", "c0", *extra, home=home)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def write_csv(path: Path, header: list[str], body: list[list[str]], delimiter: str = ",") -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def test_quoted_and_odd_tail_values_round_trip_exactly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    header = [f"c{j}" for j in range(WIDTH)]
    body = []
    for i in range(40):
        line = [str(i * 1000 + j) for j in range(WIDTH)]
        if i % 2:  # every other line holds odd values in its tail (and so has quotes, or backslashes)
            for k, value in enumerate(ODD):
                line[256 + k * 3 + i % 3] = value
        body.append(line)
    path = tmp_path / "odd.csv"
    write_csv(path, header, body)
    summary = imported(path, "odd", home)
    assert summary["rows"] == 40 and summary["rejected"] == 0
    assert summary["columns"][-1] == {"name": "more_columns", "type": "json"}
    got = query("odd", home)
    assert len(got) == 40
    for line, row in zip(body, got):
        assert row["c0"] == int(line[0]) and row["c254"] == int(line[254])
        tail = json.loads(row["more_columns"])
        assert list(tail) == header[255:]  # header order
        assert list(tail.values()) == line[255:]  # every value exactly, as text


def test_a_tab_separated_wide_file_with_backslashes_and_control_characters(tmp_path: Path) -> None:
    """A line without quotes is staged as written unless a value needs escaping in JSON."""
    home = tmp_path / "home"
    header = [f"c{j}" for j in range(WIDTH)]
    body = [[str(i), *[str(j) for j in range(1, WIDTH)]] for i in range(3)]
    body[1][290] = "C:\\temp\\x"
    body[2][291] = "bell\x07"
    body[2][292] = "a,b;c|d"
    path = tmp_path / "wide.tsv"
    path.write_text("\n".join("\t".join(r) for r in [header, *body]) + "\n", encoding="utf-8")
    imported(path, "tsv", home)
    tails = [json.loads(r["more_columns"]) for r in query("tsv", home)]
    assert [t["c290"] for t in tails] == ["290", "C:\\temp\\x", "290"]
    assert [(t["c291"], t["c292"]) for t in tails] == [("291", "292"), ("291", "292"), ("bell\x07", "a,b;c|d")]
    for t in tails:
        assert len(t) == WIDTH - 255


def test_tail_names_are_the_header_names_of_the_narrow_path(tmp_path: Path) -> None:
    """Blank headers become column_N, repeats get _2, _3... (case-insensitively), as for narrow files; a
    header named more_columns among the first 255 moves the tail to more_columns_2."""
    home = tmp_path / "home"
    header = [f"c{j}" for j in range(WIDTH)]
    header[3] = "more_columns"
    header[270], header[271], header[272], header[273] = "dup", "dup", "", "DUP"
    header[274] = "c0"
    body = [[f"v{i}-{j}" for j in range(WIDTH)] for i in range(2)]
    path = tmp_path / "names.csv"
    write_csv(path, header, body)
    summary = imported(path, "names", home)
    names = [c["name"] for c in summary["columns"]]
    assert names[3] == "more_columns" and names[-1] == "more_columns_2"
    assert summary["columns"][-1]["type"] == "json" and summary["columns"][3]["type"] == "text"
    row = query("names", home)[0]
    tail = json.loads(row["more_columns_2"])
    assert list(tail)[15:20] == ["dup", "dup_2", "column_273", "DUP_3", "c0_2"]
    assert tail["dup_2"] == "v0-271" and tail["column_273"] == "v0-272" and tail["c0_2"] == "v0-274"
    assert row["more_columns"] == "v0-3"


def test_tail_values_are_filtered_by_json_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    header = [f"c{j}" for j in range(WIDTH)]
    body = [[str(i * 1000 + j) for j in range(WIDTH)] for i in range(30)]
    body[7][299] = "needle, with a comma"
    body[8][298] = "x"
    path = tmp_path / "filter.csv"
    write_csv(path, header, body)
    imported(path, "f", home)
    hit = query("f", home, "--where", "more_columns.c299 = 'needle, with a comma'")
    assert [r["c0"] for r in hit] == [7000]
    assert [r["c0"] for r in query("f", home, "--where", "more_columns.c298 = 'x' or c1 = 5001")] == [5000, 8000]
    done = run("query", "f", "--where", "more_columns.c260 = '12260'", "--count", home=home)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stdout + done.stderr


def test_several_wide_files_and_a_narrow_one_in_one_sheet(tmp_path: Path) -> None:
    """Each wide file's tail is named by its own header; a narrow file's column of the same name is text,
    kept as a JSON string."""
    home, folder = tmp_path / "home", tmp_path / "case"
    folder.mkdir()
    first = [f"c{j}" for j in range(WIDTH)]
    second = [*first[:255], *[f"other{j}" for j in range(20)]]
    write_csv(folder / "a.csv", first, [["1", *[f"a{j}" for j in range(1, WIDTH)]]])
    write_csv(folder / "b.csv", second, [["2", *[f"b{j}" for j in range(1, 275)]]])
    write_csv(folder / "c.csv", ["c0", "more_columns"], [["3", "plain, text"]])
    summary = imported(folder, "mix", home)
    assert summary["rows"] == 3 and summary["rejected"] == 0
    got = {r["c0"]: r["more_columns"] for r in query("mix", home)}
    assert json.loads(got[1]) == {f"c{j}": f"a{j}" for j in range(255, WIDTH)}
    assert json.loads(got[2]) == {f"other{j}": f"b{255 + j}" for j in range(20)}
    assert json.loads(got[3]) == "plain, text"


def test_the_document_view_gets_the_tail_as_a_json_column(tmp_path: Path) -> None:
    home = tmp_path / "home"
    header = [f"c{j}" for j in range(WIDTH)]
    body = [[str(j) for j in range(WIDTH)]]
    body[0][280] = 'quoted "value", here'
    path = tmp_path / "doc.csv"
    write_csv(path, header, body)
    imported(path, "doc", home)
    client = TestClient(create_app(Workspace.open(home)))
    page = client.post("/api/sheets/doc/query", json={"limit": 10}).json()
    columns = [c["name"] for c in page["columns"]]
    at = columns.index("more_columns")
    assert page["columns"][at]["type"] == "json"
    assert json.loads(page["rows"][0][at])["c280"] == 'quoted "value", here'
