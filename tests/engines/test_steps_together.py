"""The toolbox's steps in one view (issue 14, item 8): a split into rows, then a lookup in another sheet, an IP
enrichment, a formula and the IOC column, in that order — every part keeps its row id, pages neither skip nor
repeat a part, and each step sees the columns the steps before it made."""

from __future__ import annotations

from pathlib import Path

from fixtures import write_ndjson
from logsheet.core import ir
from logsheet.workspace import Workspace


def test_row_steps_then_joins_formulas_and_ioc_marks_page_exactly(ws: Workspace, inputs: Path) -> None:
    rows = [
        {
            "t": f"2024-05-01T10:00:0{i}Z",
            "ips": "10.0.0.1,8.8.8.8" if i % 2 else "10.0.0.3",
            "n": i,
            "peer": "8.8.8.8" if i == 3 else "10.9.9.9",
        }
        for i in range(6)
    ]
    ws.import_paths([write_ndjson(inputs / "a.ndjson", rows)], sheet="a")
    ws.import_paths(
        [write_ndjson(inputs / "hosts.ndjson", [{"ip": "10.0.0.1", "host": "web"}, {"ip": "10.0.0.3", "host": "db"}])],
        sheet="hosts",
    )
    (inputs / "bad.txt").write_text("8.8.8.8\n", encoding="utf-8")
    ws.import_iocs(inputs / "bad.txt")
    steps = (
        ir.SplitRows("ips", ","),
        ir.Lookup("hosts", ("ips",), ("ip",), ("host",)),
        ir.Enrich("ips"),
        ir.Formula("label", "if(`hosts.matched`, `hosts.host`, `ips.class`)"),
        ir.MarkIoc(),
    )
    view = ir.Query(steps=steps, columns=("n", "ips", "label", "ioc_lists"))
    pages = [ws.query("a", view, limit=4, offset=offset) for offset in (0, 4, 8)]
    assert pages[0].total == 9
    got = [row for page in pages for row in page.rows]
    expected = []
    for i in range(6):
        if i % 2:
            mark = "bad" if i == 3 else None  # the IOC is looked for in the sheet's own IP column, peer
            expected += [(i, "10.0.0.1", "web", mark), (i, "8.8.8.8", "public", mark)]
        else:
            expected.append((i, "10.0.0.3", "db", None))
    assert got == expected
    ids = [rowid for page in pages for rowid in page.rowids]
    assert len(set(ids)) == 6 and ids == sorted(ids)
    assert ws.count("a", view.with_(where=ir.IocMatch())) == 2  # both parts of row 3
