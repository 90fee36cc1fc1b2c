"""No value changes meaning on import (issue 19, item 2): a column is numeric only when every value's text
means exactly the number stored; otherwise it stays text. Appends widen a column, never round into it."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logsheet.workspace import Workspace, build_query

LOGSHEET = str(Path(sys.executable).parent / "logsheet")


def logsheet(*args: str) -> str:
    done = subprocess.run([LOGSHEET, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_decimals_among_integers_are_not_rounded(tmp_path: Path) -> None:
    """2: `printf 'n,label\\n1,a\\n2.5,b\\n3,c\\n'` imported n as an integer column and 2.5 became 3."""
    (tmp_path / "a.csv").write_text("n,label\n1,a\n2.5,b\n3,c\n4.75,d\n3.5,e\n")
    logsheet("import", str(tmp_path / "a.csv"), "--sheet", "a")
    assert logsheet("query", "a", "--format", "csv", "--columns", "n").split() == ["n", "1.0", "2.5", "3.0", "4.75", "3.5"]


def test_an_append_that_does_not_fit_widens_the_column_and_says_so(tmp_path: Path) -> None:
    """2: appending 1.5 into an integer column stored 2."""
    (tmp_path / "i.csv").write_text("n,label\n1,a\n2,b\n")
    (tmp_path / "f.csv").write_text("n,label\n1.5,c\n")
    logsheet("import", str(tmp_path / "i.csv"), "--sheet", "s")
    said = logsheet("import", str(tmp_path / "f.csv"), "--sheet", "s", "--append")
    assert "column 'n' is now float (it was integer)" in said
    assert logsheet("query", "s", "--format", "csv", "--columns", "n").split() == ["n", "1.0", "2.0", "1.5"]


def test_identifiers_with_leading_zeros_and_long_decimals_stay_text(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("account,amount,ratio\n012345678901,0.12345678901234567,1e3\n123456789012,2,.5\n")
    logsheet("import", str(tmp_path / "a.csv"), "--sheet", "a")
    out = logsheet("query", "a", "--format", "csv").splitlines()
    assert out[1] == "012345678901,0.12345678901234567,1000.0"
    types = {c["name"]: c["type"] for c in json.loads(logsheet("info", "a", "--json"))["columns"]}
    assert types == {"account": "text", "amount": "text", "ratio": "float"}


NUMBERISH = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["007", "0", "-0", "+5", "1e5", "1E-3", ".5", "5.", "1_000", "0x10", "NaN", "inf", "true", " 3 "]),
)


def read_back(value: Any, kind: str, text: str) -> bool:
    if kind == "integer":
        return value == int(text)
    if kind == "float":
        return value == float(text) and math.isfinite(value)
    if kind == "boolean":
        return value == (text.strip().lower() in ("true", "t", "1", "yes", "y"))
    return value == text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.lists(st.lists(NUMBERISH, min_size=1, max_size=6), min_size=1, max_size=3))
def test_every_value_reads_back_equal_to_its_text(tmp_path_factory: Any, columns: list[list[str]]) -> None:
    folder = tmp_path_factory.mktemp("exact")
    rows = max(len(c) for c in columns)
    table = [[f"c{j}" for j in range(len(columns))] + ["tag"]]
    table += [[c[i] if i < len(c) else "" for c in columns] + [f"row{i}"] for i in range(rows)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    (folder / "t.csv").write_text(buffer.getvalue())
    ws = Workspace.open(folder / "home")
    ws.import_paths([folder / "t.csv"], sheet="t", format="csv")
    kinds = {c.name: c.type for c in ws.sheet("t").schema}
    page = ws.query("t", build_query(sort=["tag"]), limit=1000)
    names = [c.name for c in page.columns]
    for r, row in enumerate(page.rows):
        for j in range(len(columns)):
            text = table[1 + r][j]
            value = row[names.index(f"c{j}")]
            if text.strip() == "":
                continue
            assert read_back(value, kinds[f"c{j}"], text), (text, value, kinds[f"c{j}"])
