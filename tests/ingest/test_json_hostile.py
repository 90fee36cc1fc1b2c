"""Hostile and broken JSON (issue 19, items 2-6 of "Build"): duplicate keys, deep nesting, truncation,
numbers no double holds, invalid UTF-8, long lines.

Each test reproduces the failure as the issue reports it, through the CLI's entry point or the workspace, and
checks that the other records (and files) of the import are kept and every source's accounting holds."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import PRINT_PEAK, peak_kib
from logsheet.workspace import Workspace, build_query

LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def imported(*args: str) -> dict[str, Any]:
    done = subprocess.run([LOGSHEET, "import", *args, "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.JSONDecoder().raw_decode(done.stdout)[0]
    for s in summary["sources"]:
        assert s["records_read"] == s["rows_kept"] + s["rejected"] + s["duplicates"], s
    return summary


def rejects(sheet: str) -> list[dict[str, Any]]:
    done = subprocess.run([LOGSHEET, "rejects", sheet, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def rows(ws: Workspace, sheet: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        page = ws.query(sheet, build_query(), limit=10_000, offset=len(out), with_total=False)
        names = [c.name for c in page.columns]
        out += [dict(zip(names, r)) for r in page.rows]
        if len(page.rows) < 10_000:
            return out


def _home() -> Path:
    return Path(os.environ["LOGSHEET_HOME"])


def by_name(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(s["path"]).name: s for s in summary["sources"]}


def test_a_duplicate_key_keeps_the_last_value_and_is_noted(tmp_path: Path) -> None:
    """4: a JSON object with a duplicate key aborted the whole import ("internal error")."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "dup.json").write_text('{"a":1,"b":"x"}\n{"a":1,"a":2,"b":"y"}\n{"a":3,"b":"z"}\n')
    (folder / "good.json").write_text('{"a":10,"b":"w"}\n')
    summary = imported(str(folder), "--sheet", "dup")
    assert summary["rows"] == 4 and summary["rejected"] == 0
    note = by_name(summary)["dup.json"]["note"]
    assert "1 record(s) repeat a key (first: 'a')" in note and "last value" in note
    ws = Workspace.open(_home())
    assert sorted((r["a"], r["b"]) for r in rows(ws, "dup")) == [(1, "x"), (2, "y"), (3, "z"), (10, "w")]


def test_nesting_10000_deep_is_one_reject_the_rest_kept(tmp_path: Path) -> None:
    """4: JSON nested 10,000 deep aborted the import (RecursionError)."""
    folder = tmp_path / "case"
    folder.mkdir()
    deep = '{"x":' * 10_000 + "1" + "}" * 10_000
    limit_ok = '{"y":' * 126 + '{"z":1}' + "}" * 126  # 127 levels: kept
    one_more = '{"y":' * 127 + '{"z":1}' + "}" * 127  # 128 levels: refused
    (folder / "deep.json").write_text("\n".join(['{"a":1}', deep, '{"a":2}', limit_ok, one_more, '{"a":3}']) + "\n")
    (folder / "other.json").write_text('{"a":4}\n')
    summary = imported(str(folder), "--sheet", "deep")
    assert summary["rows"] == 5 and summary["rejected"] == 2
    found = sorted(rejects("deep"), key=lambda r: r["position"])
    assert [r["position"] for r in found] == [2, 5]
    assert all("nested deeper than 127 levels" in r["reason"] for r in found)
    assert found[0]["raw"].startswith('{"x":{"x":')
    assert by_name(summary)["deep.json"]["records_read"] == 6


def _lines(n: int) -> bytes:
    return "".join(json.dumps({"n": i, "who": "root", "msg": f"event {i} " + "x" * (i % 40)}) + "\n" for i in range(n)).encode()


def _zcat(path: Path) -> bytes:
    return subprocess.run(["gzip", "-dc", str(path)], capture_output=True, timeout=60).stdout  # exits 1: cut short


def _check_truncated(summary: dict[str, Any], sheet: str, text: bytes) -> None:
    """Every complete line of ``text`` kept, the cut line (or the damage) one reject with its position."""
    complete = text.count(b"\n")
    source = summary["sources"][0]
    assert source["rows_kept"] == complete
    assert source["rejected"] == 1
    (reject,) = rejects(sheet)
    assert reject["position"] == complete + 1 and "byte" in reject["reason"]
    partial = text[text.rfind(b"\n") + 1 :]
    assert source["rows_kept"] + source["rejected"] == complete + (1 if partial else 0) or not partial
    ws = Workspace.open(_home())
    assert sorted(r["n"] for r in rows(ws, sheet)) == list(range(complete))


def test_truncated_ndjson_gz_keeps_every_line_before_the_damage(tmp_path: Path) -> None:
    """5: a 200k-line file cut in half kept 90,512 of the 99,791 lines zcat reads; 9,277 were in no count."""
    whole = gzip.compress(_lines(200_000))
    cut = tmp_path / "events.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    text = _zcat(cut)
    assert 50_000 < text.count(b"\n") < 150_000
    summary = imported(str(cut), "--sheet", "cut")
    _check_truncated(summary, "cut", text)
    (reject,) = rejects("cut")
    assert "cut short" in reject["reason"] and reject["raw"] == text[text.rfind(b"\n") + 1 :].decode()


def test_a_small_truncated_ndjson_gz_is_not_nothing(tmp_path: Path) -> None:
    """5: 2,389 readable lines gave "nothing could be imported"."""
    whole = gzip.compress(_lines(5_000))
    cut = tmp_path / "small.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    text = _zcat(cut)
    assert text.count(b"\n") > 1000
    _check_truncated(imported(str(cut), "--sheet", "small"), "small", text)


def test_truncated_plain_ndjson_and_json_array(tmp_path: Path) -> None:
    text = _lines(3_000)
    plain = tmp_path / "plain.json"
    plain.write_bytes(text[: len(text) // 2 + 7])
    _check_truncated(imported(str(plain), "--sheet", "plain"), "plain", plain.read_bytes())
    (reject,) = rejects("plain")
    assert "the file ends inside it" in reject["reason"]

    records = [{"n": i, "who": "root"} for i in range(3_000)]
    document = json.dumps(records).encode()
    array = tmp_path / "array.json"
    array.write_bytes(document[: len(document) // 2])
    summary = imported(str(array), "--sheet", "array")
    kept = summary["sources"][0]["rows_kept"]
    complete = document[: len(document) // 2].count(b"}")
    assert kept == complete and summary["rejected"] == 1
    (reject,) = rejects("array")
    assert reject["position"] == kept + 1 and "byte" in reject["reason"]
    ws = Workspace.open(_home())
    assert sorted(r["n"] for r in rows(ws, "array")) == list(range(kept))

    gz_array = tmp_path / "array2.json.gz"
    packed = gzip.compress(document)
    gz_array.write_bytes(packed[: len(packed) * 2 // 3])
    summary = imported(str(gz_array), "--sheet", "array2")
    readable = _zcat(gz_array)
    assert summary["sources"][0]["rows_kept"] == readable.count(b"}") and summary["rejected"] == 1


def test_numbers_no_double_holds_read_back_as_their_text(tmp_path: Path) -> None:
    """2: no value changes meaning — big integers, long decimals, 1e400 and -0 in JSON."""
    path = tmp_path / "n.json"
    path.write_text(
        '{"big":123456789012345678901234567890,"long":0.12345678901234567890123,"huge":1e400,"zero":-0,'
        '"id":12345678901234567,"f":2.5}\n'
        '{"big":1,"long":2.5,"huge":3,"zero":0,"id":5,"f":-0.0}\n'
    )
    summary = imported(str(path), "--sheet", "n")
    types = {c["name"]: c["type"] for c in summary["columns"]}
    assert types == {"big": "text", "long": "text", "huge": "text", "zero": "integer", "id": "integer", "f": "float"}
    assert "number(s) kept as text" in summary["sources"][0]["note"]
    got = sorted(rows(Workspace.open(_home()), "n"), key=lambda r: r["id"])
    assert got[1] == {"big": "123456789012345678901234567890", "long": "0.12345678901234567890123", "huge": "1e400",
                      "zero": 0, "id": 12345678901234567, "f": 2.5}  # fmt: skip
    assert got[0]["big"] == "1" and got[0]["long"] == "2.5" and got[0]["huge"] == "3"
    assert str(got[0]["f"]) == "-0.0"


NUMBER = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["0", "-0", "-0.0", "1e5", "1E-3", "1e400", "-1e400", "1e-400", "9007199254740993", "2.5"]),
)


def _valid_json_number(text: str) -> str:
    """Hypothesis decimals print like 1E+1 or 0E-20: valid JSON numbers too, but keep them JSON-shaped."""
    json.loads(text)  # raises on anything that is not a JSON number
    return text


def read_back(value: Any, kind: str, text: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and value == int(text)
    if kind == "float":
        return isinstance(value, float) and Decimal(repr(value)) == Decimal(text)
    return value == text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.lists(st.lists(NUMBER, min_size=1, max_size=6), min_size=1, max_size=3))
def test_every_json_number_reads_back_equal_to_its_text(tmp_path_factory: Any, columns: list[list[str]]) -> None:
    folder = tmp_path_factory.mktemp("exact")
    count = max(len(c) for c in columns)
    lines = []
    for i in range(count):
        fields = [f'"c{j}":{_valid_json_number(c[i])}' for j, c in enumerate(columns) if i < len(c)]
        lines.append("{" + ",".join([*fields, f'"tag":"row{i:03d}"']) + "}")
    (folder / "t.json").write_text("\n".join(lines) + "\n")
    ws = Workspace.open(folder / "home")
    ws.import_paths([folder / "t.json"], sheet="t", format="json")
    kinds = {c.name: c.type for c in ws.sheet("t").schema}
    page = ws.query("t", build_query(sort=["tag"]), limit=1000)
    names = [c.name for c in page.columns]
    for i, row in enumerate(page.rows):
        for j, c in enumerate(columns):
            if i < len(c):
                value = row[names.index(f"c{j}")]
                assert read_back(value, kinds[f"c{j}"], c[i]), (c[i], value, kinds[f"c{j}"])


def test_one_invalid_byte_is_replaced_and_counted_not_latin1(tmp_path: Path) -> None:
    """6: one invalid byte made the whole file Latin-1: naïve became naÃ¯ve, 日本 became æ—¥æœ¬."""
    path = tmp_path / "mixed.json"
    lines = [json.dumps({"n": i, "s": s}, ensure_ascii=False).encode() for i, s in enumerate(["naïve", "日本", "plain"])]
    lines.append(b'{"n": 3, "s": "caf\xe9 ok"}')  # a Latin-1 byte in an otherwise UTF-8 file
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = imported(str(path), "--sheet", "mixed")
    assert summary["rows"] == 4 and summary["rejected"] == 0
    note = summary["sources"][0]["note"]
    assert "1 invalid UTF-8 byte sequence(s) in 1 record(s) (first at line 4) replaced by U+FFFD" in note
    got = {r["n"]: r["s"] for r in rows(Workspace.open(_home()), "mixed")}
    assert got == {0: "naïve", 1: "日本", 2: "plain", 3: "caf\ufffd ok"}


def test_a_line_longer_than_the_limit_is_a_reject_in_bounded_memory(tmp_path: Path) -> None:
    """A single 200 MB line in an uncompressed NDJSON: one reject, the other lines kept, memory bounded."""
    path = tmp_path / "long.json"
    with open(path, "wb") as fh:
        fh.write(b'{"n": 1}\n{"n": 2, "blob": "')
        block = b"A" * (1 << 20)
        for _ in range(200):
            fh.write(block)
        fh.write(b'"}\n{"n": 3}\n')
    script = (
        "import sys\nfrom logsheet.cli import main\n"
        "sys.argv = ['logsheet', 'import', sys.argv[1], '--sheet', 'long', '--json']\n"
        "try:\n    main()\nfinally:\n"
        "    " + PRINT_PEAK
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300)
    peak = peak_kib(done.stderr)
    assert peak < 1024 * 1024, f"peak memory {peak / 1024:.0f} MiB"
    summary = json.JSONDecoder().raw_decode(done.stdout)[0]
    assert summary["rows"] == 2 and summary["rejected"] == 1
    (reject,) = rejects("long")
    assert reject["position"] == 2 and "is longer than 67,108,864 bytes" in reject["reason"]


def test_a_too_deep_element_of_an_array_is_one_reject_the_elements_after_it_kept(tmp_path: Path) -> None:
    deep = '{"x":' * 10_000 + '"a } ] \\" string"' + "}" * 10_000
    path = tmp_path / "arr.json"
    path.write_text('[{"a":1},\n' + deep + ',\n{"a":2},{"a":3}]\n')
    ws = Workspace.open(_home())
    summary = ws.import_paths([path], sheet="arr")
    assert summary.rows == 3 and summary.rejected == 1
    assert sorted(r["a"] for r in rows(ws, "arr")) == [1, 2, 3]
    (reject,) = rejects("arr")
    assert reject["position"] == 2 and reject["reason"] == "element 2 (byte 10) is nested deeper than 127 levels"


def test_an_unpaired_surrogate_escape_is_replaced_and_noted(tmp_path: Path) -> None:
    """``"\\ud800"`` is valid JSON text but half a UTF-16 pair, which no UTF-8 string holds: it crashed the whole
    import ("internal error (UnicodeEncodeError)"). It becomes U+FFFD, counted in the note; the rest is kept."""
    path = tmp_path / "halves.ndjson"
    path.write_text('{"n": 1, "s": "ok"}\n{"n": 2, "s": "a\\ud800b"}\n{"n": 3, "s": "\\ud83d\\ude00"}\n', encoding="utf-8")
    summary = imported(str(path), "--sheet", "halves")
    assert summary["rows"] == 3 and summary["rejected"] == 0
    assert "1 unpaired UTF-16 surrogate escape(s) (first in record 2) replaced by U+FFFD" in summary["sources"][0]["note"]
    got = {r["n"]: r["s"] for r in rows(Workspace.open(_home()), "halves")}
    assert got == {1: "ok", 2: "a\ufffdb", 3: "\U0001f600"}  # a whole pair is the character it spells
