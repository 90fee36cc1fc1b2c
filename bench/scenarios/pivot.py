"""The pivot (``Workspace.pivot``) on the query workspace's 10M-row CloudTrail sheet (and 100M with
``--sizes 10M,100M``), in a case of its own holding that sheet: a frequent source address, a rare one, an
access key, and the same address ``anywhere`` (the search). Each is one count pass and one related pass; the
counts are checked against ``Workspace.count`` on the entity columns' filter before anything is timed."""

from __future__ import annotations

from pathlib import Path

from bench import harness
from bench.gen import sheets
from bench.scenarios.queries import SIZES, workspace
from logsheet.core import ir
from logsheet.workspace.pivot import pivot_predicate, sheet_entities


def run(data: Path, reps: int, sizes: tuple[str, ...] = ("10M",)) -> None:
    ws = workspace(data)
    text, raw = "", {}
    for size in sizes:
        sheet = sheets.build(ws, "ct", f"ct{size.lower()}", SIZES[size])
        case = f"pivot-{size.lower()}"
        if ws.catalog.case_id(case) is None:
            ws.create_case(case, [sheet])
        ips = ws.query(
            sheet,
            ir.Query(group=ir.GroupBy(("sourceIPAddress",)), sort=(ir.SortKey("count", True),)),
            limit=1000,
            with_total=False,
        ).rows
        keys = ws.query(
            sheet,
            ir.Query(group=ir.GroupBy(("userIdentity.accessKeyId",)), sort=(ir.SortKey("count", True),)),
            limit=2,
            with_total=False,
        ).rows
        values = {
            f"frequent IP ({ips[0][1]:,} rows)": (str(ips[0][0]), False),
            f"rare IP ({ips[-1][1]:,} rows)": (str(ips[-1][0]), False),
            f"access key ({keys[0][1]:,} rows)": (str(keys[0][0]), False),
            f"rare IP anywhere ({ips[-1][1]:,} rows)": (str(ips[-1][0]), True),
        }
        columns = sheet_entities(ws, ws.sheet(sheet))
        for name, (value, anywhere) in values.items():
            # no time budget: the figure is how long it takes (at 100M rows `--anywhere`, a search of every
            # column, runs past the default 60 s budget, which stops it with a clear error)
            found = ws.pivot(value, case=case, anywhere=anywhere, timeout=None)
            if not anywhere:
                where = pivot_predicate(value, columns, False)
                assert found.rows == ws.count(sheet, ir.Query(where=where)), name
            figures = harness.alternate(
                {
                    "logsheet pivot": lambda v=value, a=anywhere, c=case: harness.timed(
                        lambda: ws.pivot(v, case=c, anywhere=a, timeout=None)
                    )
                },
                reps,
            )
            text += harness.table(f"pivot, {size}: {name}", figures, None) + "\n"
            raw[f"{size} {name}"] = figures
    harness.record(data, "pivot", text, raw)
