"""Log values are attacker-controlled: markup imported from a file shows as text everywhere the page shows
values (grid cells, search marks, the cell detail, headers, the filter, a chart and its tooltip, the profile)
and runs nothing. A trap (``window.__pwned``, ``alert``) must stay untouched. The page fixture also checks that
no request leaves the server and that the console has no errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from web_ui import cell, cell_menu, column_menu, expect_total, go_to_column, open_sheet, search, upload

from fixtures import write_ndjson

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
SVG = "<svg onload=window.__pwned=3>"
HOSTILE_KEY = "<img src=y onerror=window.__pwned=4>"


def test_hostile_values_show_as_text_and_run_nothing(page: Any, server: Any, inputs: Path) -> None:
    rows = [
        {"id": 1, "value": IMG, "t": "2022-03-22T15:00:01Z", HOSTILE_KEY: "k1", "tags": [SVG, "b"]},
        {"id": 2, "value": SCRIPT, "t": "2022-03-22T15:00:02Z", HOSTILE_KEY: "k2", "tags": [IMG]},
        {"id": 3, "value": SCRIPT, "t": "2022-03-22T15:00:03Z", HOSTILE_KEY: SCRIPT, "tags": []},
    ]
    source = write_ndjson(inputs / "hostile.ndjson", rows)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script("window.__pwned = undefined;")

    page.goto(server.url + "/")
    upload(page, [source], "hostile")
    open_sheet(page, "hostile")
    expect_total(page, "3 rows")

    # Grid cells and the header hold the literal text; no element was made from it.
    expect(cell(page, "value", IMG)).to_be_visible()
    expect(cell(page, "value", SCRIPT)).to_be_visible()
    expect(page.locator(".ag-header-cell", has_text=HOSTILE_KEY)).to_be_visible()  # AG Grid escapes its col-id attribute
    grid = page.locator(".grid-host")
    assert grid.locator("img, script, svg:not(.ag-icon)").count() == 0 or _only_grid_icons(grid)

    # The cell detail shows the nested JSON pretty-printed, as text.
    go_to_column(page, "tags")
    page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="tags"]').click()
    detail = page.locator(".detail-value")
    expect(detail).to_have_text(f'[\n  "{SVG}",\n  "b"\n]')
    assert detail.locator("svg, img").count() == 0

    # Search marks split text nodes: the match and its neighbours stay text.
    search(page, "<script>")
    expect_total(page, "2 rows")
    go_to_column(page, "value")
    expect(page.locator('.ag-cell[col-id="value"] mark').first).to_have_text("<script>")

    # "Filter to this value" puts it in the filter language, quoted, and filters exactly.
    search(page, "")
    expect_total(page, "3 rows")
    cell_menu(page, "value", IMG, "Filter to this value")
    expect_total(page, "1 row")
    expect(page.get_by_label("Filter (filter language)")).to_have_value(f"value = '{IMG}'")
    page.get_by_role("button", name="Clear").click()
    expect_total(page, "3 rows")

    # The profile's top values, a bar chart's labels and its tooltip: text.
    column_menu(page, "value", "Profile")
    expect(page.locator(".top-values")).to_contain_text(SCRIPT)
    column_menu(page, "value", "Group by this column")
    expect_total(page, "2 groups")
    page.get_by_label("Chart type").select_option("bar")
    chart = page.locator(".chart svg")
    expect(chart).to_contain_text(SCRIPT)
    expect(chart).to_contain_text(IMG)
    chart.locator("path[aria-roledescription='bar'], .mark-rect path").first.hover()
    expect(page.locator(".chart-tooltip")).to_contain_text(SCRIPT)
    assert page.locator(".chart-tooltip script, .chart img, .chart script").count() == 0

    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def _only_grid_icons(grid: Any) -> bool:
    """AG Grid draws its own icons as SVG: those are fine, anything else is not."""
    return grid.locator("img, script").count() == 0 and grid.locator("svg:not(.ag-icon svg):not(.ag-icon)").count() == 0
