"""Row steps and the pivot table in Chromium (issue 14, items 4-6), on the demo: the pivot table of the attacker's
session (eventName × sourceIPAddress) with its heatmap and CSV export; RunInstances exploded to one row per
launched instance from the column menu; duplicates removed and split to rows, each a step that undo takes back;
a star on an exploded row marks its event. Values reach the page as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from web_ui import cell_menu, column_menu, column_texts, expect_total, go_to_column, undo

from logsheet.core import ir
from logsheet.demo import FACTS
from logsheet.query.filterlang import parse_filter

SESSION = "userIdentity.accessKeyId = 'ASIA2CCZ5S8F2DVCF39X'"  # the web server role's session the attacker used
ITEMS = "responseElements.instancesSet.items"


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def open_view(page: Any, server: Any, where: str) -> None:
    q = json.dumps(ir.query_to_json(ir.Query(where=parse_filter(where))))
    page.goto(f"{server.url}/sheets/cloudtrail?q={quote(q)}")


def test_pivot_table_of_the_attackers_session_with_a_heatmap(page: Any, server: Any, tmp_path: Path) -> None:
    rows = server.ws.count("cloudtrail", ir.Query(where=parse_filter(SESSION)))
    open_view(page, server, SESSION)
    expect_total(page, f"{rows:,} rows")
    page.get_by_role("button", name="Pivot table", exact=True).click()
    dialog = page.get_by_role("dialog", name="Pivot table")
    expect(dialog.get_by_label("Rows", exact=True)).to_have_value("eventName")
    expect(dialog.get_by_label("Columns", exact=True)).to_have_value("sourceIPAddress")
    table = dialog.get_by_role("table", name="Pivot table")
    expect(table.locator("thead th")).to_have_text(["eventName", FACTS.attacker_api_ip, "172.31.83.20", "total"])
    run_instances = table.locator("tbody tr", has=page.locator("th", has_text="RunInstances"))
    five = str(FACTS.run_instances_from_attacker_ip)
    expect(run_instances.locator("td")).to_have_text([five, "0", five])
    totals = table.locator("tr.pivot-totals td")
    expect(totals).to_have_text([str(FACTS.attacker_api_requests), str(rows - FACTS.attacker_api_requests), str(rows)])
    heatmap = dialog.locator(".pivot-heatmap")
    expect(heatmap.locator("svg")).to_be_visible()
    cells = heatmap.locator("svg g.mark-rect.role-mark path")
    expect(cells.first).to_be_attached()
    assert cells.count() == 9  # one rect per non-empty cell: 8 calls from the public address, GetObject privately
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Export CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"eventName,{FACTS.attacker_api_ip},172.31.83.20,total"
    assert f"RunInstances,{FACTS.run_instances_from_attacker_ip},0,{FACTS.run_instances_from_attacker_ip}" in lines
    assert lines[-1] == f"total,{FACTS.attacker_api_requests},{rows - FACTS.attacker_api_requests},{rows}"
    # another aggregate: last seen, one column, the rest folded into other
    dialog.get_by_label("Aggregate", exact=True).select_option("last")
    dialog.get_by_label("Top columns").fill("1")
    dialog.get_by_role("button", name="Build").click()
    expect(table.locator("thead th")).to_have_text(["eventName", FACTS.attacker_api_ip, "other", "total"])
    expect(dialog.locator(".pivot-summary")).to_contain_text("last seen of eventTime")


def test_run_instances_exploded_to_one_row_per_launched_instance(page: Any, server: Any) -> None:
    open_view(page, server, "eventName = 'RunInstances'")
    expect_total(page, f"{FACTS.run_instances} rows")
    go_to_column(page, "responseElements")
    column_menu(page, "responseElements", "Explode JSON array into rows…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("JSON array path").fill(ITEMS)
    dialog.get_by_role("button", name="Find fields").click()
    expect(dialog.get_by_label("Field instanceId")).to_be_checked()
    expect(dialog.locator(".preview-table")).to_be_visible()
    dialog.get_by_role("button", name="Apply step").click()
    expect_total(page, "3 rows")  # the raw JSON's count: tests/cli/test_cli_rowsteps.py counts it
    expect(page.locator(".steps-list")).to_contain_text(f"Explode {ITEMS} into rows")
    go_to_column(page, "items.instanceId")
    assert FACTS.launched_instance_id in column_texts(page, "items.instanceId", 3)
    # a star on an exploded row is on its event: the sheet's own rows show that event starred
    cell_menu(page, "items.instanceId", FACTS.launched_instance_id, "Star row")
    starred = ir.Query(where=parse_filter("starred"), columns=("responseElements",))
    expect(page.get_by_text("Starred the row")).to_be_visible()
    (event,) = server.ws.query("cloudtrail", starred).rows
    assert FACTS.launched_instance_id in event[0]
    undo(page)
    expect_total(page, f"{FACTS.run_instances} rows")


def test_remove_duplicates_and_split_to_rows_are_steps(page: Any, server: Any) -> None:
    where = f"sourceIPAddress = '{FACTS.attacker_api_ip}'"
    open_view(page, server, where)
    expect_total(page, f"{FACTS.attacker_api_requests} rows")
    column_menu(page, "eventName", "Remove duplicates…")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Count column name")).to_have_value("duplicates")
    dialog.get_by_role("button", name="Apply step").click()
    expect_total(page, "8 rows")  # the distinct calls of the attacker's address
    go_to_column(page, "duplicates")
    counts = column_texts(page, "duplicates", 8)
    assert sorted(counts, key=int) == ["1"] * 7 + [str(FACTS.run_instances_from_attacker_ip)]
    undo(page)
    expect_total(page, f"{FACTS.attacker_api_requests} rows")
    split = ir.Query(steps=(ir.SplitRows("userAgent", " "),), where=parse_filter(where))
    parts = server.ws.count("cloudtrail", split)
    assert parts > FACTS.attacker_api_requests
    go_to_column(page, "userAgent")
    column_menu(page, "userAgent", "Split into rows…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="space").click()
    dialog.get_by_role("button", name="Apply step").click()
    expect_total(page, f"{parts:,} rows")
    expect(page.locator(".steps-list")).to_contain_text('Split userAgent on " " into rows')
