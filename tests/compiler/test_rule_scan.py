"""The combined rule scan (compiler/detection.py) counts, for any set of predicates, exactly what each
predicate counts alone as a filter — its anchors only narrow the rows it reads, its nested CASE only changes
the order terms are tested in. Generated predicates (and/or/not over equalities, lists, text tests, blanks,
JSON paths) on a sheet with blanks and mixed case, checked with Hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures import write_ndjson
from logsheet.compiler.detection import RuleScan, anchor, prefilter
from logsheet.core import ir
from logsheet.workspace import Workspace

NAMES = ["Run", "run", "List", None, ""]
ROWS = [
    {
        "t": f"2024-05-01T10:{i % 60:02d}:00Z",
        "name": NAMES[i % 5],
        "kind": ["a", "B", None][i % 3],
        "n": i % 7 if i % 11 else None,
        "doc": [["x", "Y", None][i % 3], i % 4] if i % 13 else None,  # an array: a JSON column, read by path
    }
    for i in range(120)
]

leaf = st.one_of(
    st.builds(lambda v, c: ir.Compare("name", "=", v, case_sensitive=c), st.sampled_from(["Run", "list", "x"]), st.booleans()),
    st.builds(
        lambda v: ir.InList("kind", tuple(v), case_sensitive=False), st.lists(st.sampled_from(["a", "b", "z"]), min_size=1)
    ),
    st.builds(lambda v: ir.Compare("n", ">=", v), st.integers(0, 7)),
    st.builds(lambda v: ir.Compare("n", "=", v), st.integers(0, 7)),
    st.builds(lambda v: ir.TextMatch("doc[0]", "contains", v, case_sensitive=False), st.sampled_from(["x", "y"])),
    st.builds(lambda v: ir.Compare("doc[1]", "=", v), st.integers(0, 4)),
    st.builds(lambda c, neg: ir.Blank(c, negate=neg), st.sampled_from(["name", "kind", "doc[0]"]), st.booleans()),
)
predicates = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda items: ir.And(tuple(items)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda items: ir.Or(tuple(items)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(ir.Not, inner),
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("scan")
    workspace = Workspace.open(folder / "home")
    workspace.import_paths([write_ndjson(folder / "rows.ndjson", ROWS)], sheet="rows")
    return workspace


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(predicates, min_size=1, max_size=4))
def test_one_pass_counts_what_each_predicate_counts(ws: Workspace, chosen: list[ir.Predicate]) -> None:
    plan, runner = ws.view("rows")
    counts = runner.fetch(RuleScan(plan, tuple(chosen)).counts_sql()).rows[0]
    for i, predicate in enumerate(chosen):
        view = ir.Query(where=predicate, sort=(ir.SortKey("t"),))
        page = ws.query("rows", view.with_(columns=("t",)), limit=1000)
        times = [r[0] for r in page.rows if r[0] is not None]
        assert counts[3 * i] == page.total, predicate
        assert (counts[3 * i + 1], counts[3 * i + 2]) == ((min(times), max(times)) if times else (None, None))
        # every row a predicate flags meets the anchors: the prefilter never drops one
        anchors = prefilter(chosen, plan.schema)
        assert anchors is not None
        assert ws.count("rows", ir.Query(where=ir.And((predicate, ir.Not(anchors))))) == 0


def test_anchors_are_plain_equalities_and_json_paths_are_not(ws: Workspace) -> None:
    schema = ws.sheet("rows").schema
    rule = ir.And((ir.TextMatch("doc[0]", "contains", "x"), ir.Compare("name", "=", "Run", case_sensitive=False)))
    assert anchor(rule, schema) == ir.InList("name", ("Run",), case_sensitive=False)
    assert anchor(ir.Compare("doc[0]", "=", "x"), schema) is None
    assert anchor(ir.Or((ir.Compare("name", "=", "a"), ir.Compare("doc[0]", "=", "x"))), schema) is None
    merged = prefilter([ir.Compare("name", "=", "a"), ir.InList("name", ("b", "a"))], schema)
    assert merged == ir.InList("name", ("a", "b"))
