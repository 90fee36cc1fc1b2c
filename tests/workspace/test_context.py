"""``Workspace.context``: a row and the rows just before and after it in ``(time, __rowid)`` order, on a
generated sheet whose times tie, run backwards and are sometimes blank; and by row id on a sheet without time."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from fixtures import write_ndjson
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.workspace import Workspace

ROWS = 40


def _times(seed: int = 7) -> list[str | None]:
    """Times out of file order, many shared by several rows, a few blank."""
    rng = random.Random(seed)
    out: list[str | None] = []
    for i in range(ROWS):
        if i % 11 == 5:
            out.append(None)
        else:
            out.append(f"2024-05-01T10:{rng.randrange(8):02d}:00Z")
    return out


@pytest.fixture
def sheet(ws: Workspace, inputs: Path) -> Workspace:
    rows: list[dict[str, Any]] = [{"n": i, "time": t} for i, t in enumerate(_times())]
    ws.import_paths([write_ndjson(inputs / "events.ndjson", rows)], sheet="events")
    rows = [{"n": i, "word": f"w{i}"} for i in range(12)]
    ws.import_paths([write_ndjson(inputs / "plain.ndjson", rows)], sheet="plain")
    return ws


def _expected_order(ws: Workspace) -> list[tuple[int, int]]:
    """(rowid, n) of every row in the reference order, computed in Python from the stored rows."""
    page = ws.query("events", None, limit=ROWS)
    n_at = [c.name for c in page.columns].index("n")
    time_at = [c.name for c in page.columns].index("time")
    rows = [(rowid, row[n_at], row[time_at]) for rowid, row in zip(page.rowids, page.rows, strict=True)]
    rows.sort(key=lambda r: (r[2] is None, r[2] or 0, r[0]))
    return [(rowid, n) for rowid, n, _ in rows]


def test_the_sheet_has_ties_and_blanks(sheet: Workspace) -> None:
    times = [t for t in _times() if t]
    assert len(set(times)) < len(times) and None in _times()
    assert sheet.sheet("events").time_column == "time"


@pytest.mark.parametrize("position", [0, 1, 9, 10, 17, 20, 30, ROWS - 4, ROWS - 2, ROWS - 1])
@pytest.mark.parametrize(("before", "after"), [(10, 10), (3, 5), (0, 0), (0, 50), (50, 0)])
def test_context_is_the_neighbours_in_time_then_rowid_order(sheet: Workspace, position: int, before: int, after: int) -> None:
    order = _expected_order(sheet)
    rowid = order[position][0]
    context = sheet.context("events", rowid, before, after)
    start = max(0, position - before)
    want = order[start : position + after + 1]
    assert context.rowids == [r for r, _ in want]
    n_at = [c.name for c in context.columns].index("n")
    assert [row[n_at] for row in context.rows] == [n for _, n in want]
    assert context.rowids[context.index] == rowid
    assert context.before == position - start and context.after == len(want) - 1 - context.before
    assert context.order_by == "time"


def test_the_first_and_last_rows_have_no_neighbours_on_their_outer_side(sheet: Workspace) -> None:
    order = _expected_order(sheet)
    first = sheet.context("events", order[0][0], 10, 10)
    assert first.index == 0 and first.before == 0 and first.after == 10
    last = sheet.context("events", order[-1][0], 10, 10)  # a blank time: the very end of the order
    assert last.after == 0 and last.before == 10 and last.row[[c.name for c in last.columns].index("time")] is None
    everything = sheet.context("events", order[20][0], 1000, 1000)
    assert everything.rowids == [r for r, _ in order]


def test_every_column_of_the_sheet_is_in_the_rows(sheet: Workspace) -> None:
    context = sheet.context("events", _expected_order(sheet)[3][0], 1, 1)
    assert [c.name for c in context.columns] == [c.name for c in sheet.query("events", None, limit=1).columns]
    body = context.to_json()
    assert body["rowid"] == context.rowid and body["index"] == 1 and len(body["rows"]) == 3
    assert body["rows"][1][[c["name"] for c in body["columns"]].index("time")].startswith("2024-05-01")


def test_a_sheet_without_a_time_column_is_in_row_id_order(sheet: Workspace) -> None:
    assert sheet.sheet("plain").time_column is None
    ids = sheet.query("plain", None, limit=100).rowids
    context = sheet.context("plain", ids[5], 2, 3)
    assert context.order_by == "__rowid"
    assert context.rowids == ids[3:9] and context.index == 2


def test_an_unknown_row_or_sheet_is_not_found(sheet: Workspace) -> None:
    with pytest.raises(NotFound, match="no row 123456"):
        sheet.context("events", 123456)
    with pytest.raises(NotFound, match="no sheet named"):
        sheet.context("nope", 1)


@pytest.mark.parametrize(("before", "after"), [(-1, 0), (0, -1), (1001, 0)])
def test_counts_out_of_range_are_refused(sheet: Workspace, before: int, after: int) -> None:
    with pytest.raises(LogsheetError, match="0 to 1,000 rows"):
        sheet.context("events", 1, before, after)
