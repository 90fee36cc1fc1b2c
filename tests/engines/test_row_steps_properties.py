"""Properties of the row steps on generated sheets (Hypothesis, DuckDB): split to rows gives one row per part (a
blank value one row), explode one row per element, dedupe one row per distinct key with the duplicates adding up
to the rows; every part carries its row's id; and the pages of such a view, put together, are the view."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.workspace import Workspace

WORDS = st.sampled_from(["a", "b", "c", "", "a b"])
ROW = st.fixed_dictionaries(
    {
        "k": st.sampled_from(["x", "y", "z", None]),
        "tags": st.one_of(st.none(), st.lists(WORDS, min_size=1, max_size=4).map(",".join)),
        "arr": st.one_of(st.none(), st.lists(st.fixed_dictionaries({"v": st.integers(0, 3)}), max_size=4)),
    }
)
counter = itertools.count()


def sheet(folder: Path, rows: list[dict[str, Any]]) -> Workspace:
    n = next(counter)
    ws = Workspace.open(folder / f"home{n}")
    rows = [{"i": i, **r} for i, r in enumerate(rows)]
    ws.import_paths([write_ndjson(folder / f"rows{n}.ndjson", rows)], sheet="s")
    return ws


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(ROW, min_size=1, max_size=12), size=st.integers(1, 5))
def test_row_counts_ids_and_pages(tmp_path_factory: Any, rows: list[dict[str, Any]], size: int) -> None:
    ws = sheet(tmp_path_factory.mktemp("props"), rows)
    plain = ws.query("s", ir.Query(columns=("i",)), limit=100)
    id_of = dict(zip((r[0] for r in plain.rows), plain.rowids))

    split = ir.Query(steps=(ir.SplitRows("tags", ","),), columns=("i", "tags"), sort=(ir.SortKey("k", True),))
    parts = ws.query("s", split, limit=1000)
    assert parts.total == sum(1 if r["tags"] is None else len(r["tags"].split(",")) for r in rows)
    assert parts.rowids == [id_of[r[0]] for r in parts.rows]

    explode = ir.Query(steps=(ir.Explode("arr", fields=("v",)),), columns=("i", "arr.v"))
    elements = ws.query("s", explode, limit=1000)
    assert elements.total == sum(len(r["arr"] or []) for r in rows)
    assert sorted((r[0], r[1]) for r in elements.rows) == sorted(
        (i, str(e["v"])) for i, r in enumerate(rows) for e in (r["arr"] or [])
    )

    dedupe = ir.Query(steps=(ir.Dedupe(("k",)),), columns=("k", "duplicates"))
    kept = ws.query("s", dedupe, limit=100)
    assert kept.total == len({r["k"] for r in rows})
    assert sum(r[1] for r in kept.rows) == len(rows)

    paged: list[Any] = []
    for offset in range(0, parts.total, size):
        paged += ws.query("s", split, limit=size, offset=offset).rows
    assert paged == parts.rows
