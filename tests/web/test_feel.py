"""How the page feels: errors where the user acted, keyboard shortcuts, the time zone switch, saved views,
export, the column profile, rename and delete on the files page, and a layout that fits 1280×800."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import column_menu, expect_total, first_text, go_to_column, open_sheet, set_filter

from fixtures import START, ct_record, ct_s3_key, write_gz_json

RECORDS = 40  # ct_record(i): eventName cycles 5 names (8 each), one second apart from 2022-03-22 15:00:00Z


@pytest.fixture
def sheet(server: Any, inputs: Path) -> str:
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": [ct_record(i) for i in range(RECORDS)]})
    server.ws.import_paths([inputs / "ct"], sheet="trail")
    return "trail"


def test_errors_show_where_the_user_acted(page: Any, server: Any, sheet: str, page_watch: Any) -> None:
    page_watch.allow(r"Failed to load resource: the server responded with a status of 400")
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{RECORDS} rows")
    bar = page.get_by_role("region", name="Filter")
    set_filter(page, "eventName = ")
    expect(bar.get_by_role("alert")).to_contain_text("position")
    expect_total(page, f"{RECORDS} rows")  # nothing was applied
    set_filter(page, "nosuchcolumn = 1")
    expect(bar.get_by_role("alert")).to_contain_text("nosuchcolumn")
    set_filter(page, "eventName = 'ListBuckets'")
    expect_total(page, "8 rows")
    expect(bar.get_by_role("alert")).to_be_hidden()


def test_shortcuts_time_zone_views_export_profile(page: Any, server: Any, sheet: str, tmp_path: Path) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{RECORDS} rows")

    page.locator("body").press("f")
    expect(page.get_by_label("Filter (filter language)")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("body").press("/")
    expect(page.get_by_label("Search all columns")).to_be_focused()
    page.keyboard.press("Escape")

    assert first_text(page, "eventTime") == "2022-03-22 15:00:00"
    page.get_by_label("Display time zone").select_option("Asia/Tokyo")
    first = page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="eventTime"]')
    expect(first).to_have_text("2022-03-23 00:00:00 +09:00")
    assert "tz=Asia%2FTokyo" in page.url
    page.get_by_label("Display time zone").select_option("UTC")

    set_filter(page, "eventName = 'RunInstances'")
    expect_total(page, "8 rows")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menuitem", name="Save this view as…").click()
    page.get_by_role("dialog").get_by_label("Name", exact=True).fill("launches")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Saved view launches")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Export ▾").click()
        page.get_by_role("menuitem", name="CSV").click()
    target = tmp_path / "export.csv"
    download.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("eventTime,") and len(lines) == 1 + 8

    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{RECORDS} rows")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menuitem", name="Open “launches”").click()
    expect_total(page, "8 rows")

    column_menu(page, "eventName", "Profile")
    profile = page.locator(".profile-panel")
    expect(profile).to_contain_text("Distinct")
    expect(profile.locator(".top-values li")).to_have_count(1)
    expect(profile.locator(".top-values")).to_contain_text("RunInstances")


def test_files_page_rename_delete_and_small_screen(page: Any, server: Any, sheet: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server.url + "/")
    row = page.locator(f'.sheets-table tr[data-sheet="{sheet}"]')
    expect(row).to_contain_text(str(RECORDS))
    row.get_by_role("button", name="Rename").click()
    page.get_by_label("New name").fill("renamed")
    page.get_by_role("button", name="Rename", exact=True).last.click()
    expect(page.locator('.sheets-table tr[data-sheet="renamed"]')).to_be_visible()

    open_sheet(page, "renamed")
    expect_total(page, f"{RECORDS} rows")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], "the sheet page scrolls sideways at 1280×800"
    expect(page.locator(".side")).to_be_in_viewport()

    page.get_by_role("link", name="logsheet").click()
    page.locator('.sheets-table tr[data-sheet="renamed"]').get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("The original files are not touched")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No sheets yet")).to_be_visible()


def test_column_layout_is_remembered(page: Any, server: Any, sheet: str) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{RECORDS} rows")
    column_menu(page, "eventName", "Pin left")
    # Brought into view as a user would: the browser's own scrolling can leave it under the pinned columns.
    go_to_column(page, "eventSource")
    column_menu(page, "eventSource", "Hide column")
    expect(page.locator('.ag-header-cell[col-id="eventSource"]')).to_have_count(0)
    assert "hide=" in page.url
    page.goto(f"{server.url}/sheets/{sheet}")  # no view in the address: the pin comes from the sheet's layout
    expect_total(page, f"{RECORDS} rows")
    # Pinned beside the time column, which a sheet opens pinned left.
    expect(page.locator('.ag-grid-pinned-left-cells .ag-header-cell[col-id="eventName"]')).to_have_count(1)
    page.go_back()
    expect_total(page, f"{RECORDS} rows")
    expect(page.locator('.ag-header-cell[col-id="eventSource"]')).to_have_count(0)
