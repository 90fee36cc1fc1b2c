"""The case timeline in Chromium (issue 12, item 2), on the demo: the case page links to its timeline, which merges
the three sheets oldest first under a histogram stacked by sheet (one colour per sheet, with its legend); a
filter narrows it to the root login; that row opens in its own sheet (the event dialog on the secure sheet),
whose header leads back to the timeline with the filter kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total, first_text, set_filter

ROOT_LOGIN = "summary starts with 'accepted_password' and user = 'root'"


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def test_the_demo_timeline_stacks_filters_and_jumps_to_a_row_and_back(page: Any, server: Any, screenshots: Path) -> None:
    page.goto(server.url + "/cases/demo")
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator("h1.sheet-title")).to_have_text("Timeline")
    assert page.url.endswith("/cases/demo/timeline")
    expect_total(page, "178,651 rows")
    expect(page.get_by_test_id("timeline-sheets")).to_have_text("Merging cloudtrail, secure, vpcflow")
    legend = page.get_by_role("list", name="Sheets")
    expect(legend.locator(".legend-name")).to_have_text(["cloudtrail", "secure", "vpcflow"])
    expect(legend.locator(".legend-rows")).to_have_text(["48,512 rows", "10,139 rows", "120,000 rows"])
    colours = legend.locator(".legend-swatch").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colours)) == 3
    expect(page.locator(".histogram-chart canvas, .histogram-chart svg").first).to_be_visible()
    assert first_text(page, "time").startswith("2022-03-19")
    page.screenshot(path=str(screenshots / "timeline.png"))

    set_filter(page, ROOT_LOGIN)
    expect_total(page, "1 row")
    expect(legend.locator(".legend-rows")).to_have_text(["0 rows", "1 row", "0 rows"])
    summary = first_text(page, "summary")
    assert summary == "accepted_password user root from 123.214.118.119 success"
    page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="summary"]').click()
    opener = page.get_by_role("button", name="Open row", exact=False)
    expect(opener).to_contain_text("in secure")
    rowid = opener.text_content().split()[2]  # type: ignore[union-attr]
    opener.click()

    expect(page.locator("h1.sheet-title")).to_have_text("secure")
    dialog = page.get_by_role("dialog", name="Event")
    expect(dialog.locator("h2")).to_have_text(f"Event · row {rowid}")
    expect(dialog).to_contain_text("accepted_password")
    dialog.get_by_role("button", name="Back to the sheet").click()
    page.get_by_role("link", name="Back to the timeline").click()
    expect(page.locator("h1.sheet-title")).to_have_text("Timeline")
    expect_total(page, "1 row")
    expect(page.get_by_label("Filter (filter language)")).to_have_value(ROOT_LOGIN)
