"""Nothing stale, and the small things (issue 11, items 3 and 6), in the demo incident: the profile and the cell
detail follow the view; a refused filter leaves the last good grid, total and histogram together with the error
at its character; times outside UTC carry their offset; a one-row histogram draws distinct labels; a brush gives
whole seconds; "1 row"; group counts with separators; the line chart inside its box; split columns beside their
source; an IP column profiled as addresses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from web_ui import column_menu, expect_total, first_text, go_to_column, set_filter, total

from logsheet.core import ir
from logsheet.demo import FACTS

ONE_ROW = f"eventName = 'ListBuckets' and sourceIPAddress = '{FACTS.attacker_api_ip}'"
REFUSED = r"Failed to load resource: the server responded with a status of 400"


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    """This module's tests run on the demo workspace (tests/web/conftest.py builds it once per module)."""
    return demo_logsheet_home


def open_sheet(page: Any, server: Any, sheet: str, query: str = "") -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{server.url}/sheets/{sheet}{query}")
    expect(page.locator("h1.sheet-title")).to_have_text(sheet)
    first_text(page, server.ws.summary(sheet).time_column)


def stat(page: Any, name: str) -> Any:
    """The value of one line of the profile's statistics (``Rows``, ``Distinct``, ``Public``...)."""
    return page.locator(".profile-stats dt", has_text=re.compile(f"^{name}$")).locator("xpath=following-sibling::dd[1]")


def histogram_caption(page: Any) -> Any:
    return page.locator(".histogram-caption")


# ------------------------------------------------------------------------------------------------ item 3
def test_profile_follows_a_filter(page: Any, server: Any) -> None:
    open_sheet(page, server, "cloudtrail")
    go_to_column(page, "sourceIPAddress")
    column_menu(page, "sourceIPAddress", "Profile")
    expect(stat(page, "Rows")).to_have_text(f"{FACTS.cloudtrail_unique_records:,}")
    before = page.locator(".profile-panel .top-values li").count()
    assert before > 1
    set_filter(page, ONE_ROW)
    expect_total(page, "1 row")
    expect(stat(page, "Rows")).to_have_text("1")  # the profile was made again, for the new rows
    expect(stat(page, "Distinct")).to_have_text("1")
    top = page.locator(".profile-panel .top-values li")
    expect(top).to_have_count(1)
    expect(top).to_contain_text(FACTS.attacker_api_ip)


def test_the_detail_follows_its_row_or_says_it_left(page: Any, server: Any) -> None:
    open_sheet(page, server, "secure")
    clicked = page.locator('.ag-row.row-loaded[row-index="4"] .ag-cell[col-id="event"]')
    event = str(clicked.text_content())
    message = str(page.locator('.ag-row.row-loaded[row-index="4"] .ag-cell[col-id="message"]').text_content())
    clicked.click()
    detail = page.locator(".detail-panel")
    expect(detail.locator(".detail-row")).to_have_text("row 5")
    expect(detail.locator(".detail-value")).to_have_text(event)

    # Only rows of that event: the row moves up; the detail names its new row number (and the same value).
    set_filter(page, f"event = '{event}'")
    expect(total(page)).not_to_have_text(f"{FACTS.secure_lines:,} rows")
    expect(detail.locator(".detail-row")).not_to_have_text("row 5")
    row = int(str(detail.locator(".detail-row").text_content()).split()[-1])
    assert row < 5
    moved = page.locator(f'.ag-row.row-loaded[row-index="{row - 1}"] .ag-cell[col-id="message"]')
    expect(moved).to_have_text(message)
    expect(detail.locator(".detail-value")).to_have_text(event)
    expect(detail.get_by_test_id("detail-stale")).to_have_count(0)

    # Every other event: the row left the view; the detail says so and clears in one click.
    set_filter(page, f"event != '{event}'")
    stale = detail.get_by_test_id("detail-stale")
    expect(stale).to_contain_text("Out of date")
    expect(detail.get_by_role("button", name="Filter to this value")).to_be_disabled()
    stale.get_by_role("button", name="Clear").click()
    expect(detail).to_contain_text("Click a cell")


def test_a_refused_filter_keeps_the_last_good_view(page: Any, server: Any, page_watch: Any) -> None:
    page_watch.allow(REFUSED)
    open_sheet(page, server, "secure")
    set_filter(page, "event = 'failed_password'")
    count = server.ws.count("secure", ir.Query(where=ir.Compare("event", "=", "failed_password")))
    expect_total(page, f"{count:,} rows")
    expect(histogram_caption(page)).to_contain_text(f"{count:,} rows")
    bar = page.get_by_role("region", name="Filter")
    box = page.get_by_label("Filter (filter language)")
    histogram_error = page.locator(".histogram .inline-error")

    # A filter the server refuses (no such column): the grid, total and histogram stay those of the last good
    # view, the typed text stays in the box, the error points at the column; no stray Undo button.
    set_filter(page, "event = 'x' or nosuch = 1")
    error = bar.get_by_role("alert")
    expect(error).to_contain_text("unknown column 'nosuch'")
    expect(error.get_by_test_id("error-char")).to_have_text("n")
    expect(error.locator(".error-at")).to_have_attribute("data-position", "15")
    expect(box).to_have_value("event = 'x' or nosuch = 1")
    expect_total(page, f"{count:,} rows")
    expect(histogram_caption(page)).to_contain_text(f"{count:,} rows")
    expect(histogram_error).to_be_hidden()
    expect(page.get_by_role("button", name="Undo that change")).to_be_hidden()
    assert first_text(page, "event") == "failed_password"
    assert "nosuch" not in page.url

    # A syntax error: marked at its character (the end of the text); still no histogram error.
    set_filter(page, "event = ")
    expect(error).to_contain_text("position")
    expect(error.locator(".error-at")).to_have_attribute("data-position", "7")
    expect_total(page, f"{count:,} rows")
    expect(histogram_error).to_be_hidden()
    assert first_text(page, "event") == "failed_password"


# ------------------------------------------------------------------------------------------------ item 6
def test_times_in_a_zone_show_their_offset(page: Any, server: Any) -> None:
    open_sheet(page, server, "secure")
    utc = first_text(page, "timestamp")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", utc), utc  # UTC: bare
    page.get_by_label("Display time zone").select_option("Europe/Berlin")
    instant = datetime.strptime(utc, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    offset = instant.strftime("%z")
    expected = f"{instant:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"
    cell = page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="timestamp"]')
    expect(cell).to_have_text(expected)
    cell.click()
    expect(page.locator(".detail-panel .detail-value")).to_have_text(expected)


def test_a_one_row_histogram_has_distinct_labels_that_do_not_overlap(page: Any, server: Any) -> None:
    open_sheet(page, server, "cloudtrail")
    set_filter(page, ONE_ROW)
    expect_total(page, "1 row")
    expect(histogram_caption(page)).to_contain_text("1 row ·")
    labels = page.locator(".histogram-chart svg .role-axis-label text")
    expect(labels.first).to_be_visible()
    page.wait_for_timeout(300)  # the chart settles its labels
    boxes = labels.evaluate_all(
        "els => els.filter(e => getComputedStyle(e).opacity !== '0' && e.getAttribute('opacity') !== '0')"
        ".map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.right, r.top, r.bottom]; })"
    )
    x_labels = [b for b in boxes if re.search(r"\d\d:\d\d", b[0])]
    assert len(x_labels) >= 2, boxes
    assert len({b[0] for b in x_labels}) == len(x_labels), x_labels  # no pile of equal labels
    ordered = sorted(x_labels, key=lambda b: b[1])
    for left, right in zip(ordered, ordered[1:]):
        assert left[2] <= right[1], (left, right)  # no overlap


def test_brushed_bounds_are_whole_seconds(page: Any, server: Any) -> None:
    open_sheet(page, server, "secure")
    chart = page.locator(".histogram-chart svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    y = box["y"] + box["height"] * 0.4
    page.mouse.move(box["x"] + box["width"] * 0.33, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.41, y, steps=8)
    page.mouse.up()
    expect(page.get_by_label("Filter (filter language)")).to_have_value(re.compile("between"))
    text = page.get_by_label("Filter (filter language)").input_value()
    assert not re.search(r"\d\d:\d\d:\d\d\.(?!000Z)\d", text), text  # whole seconds (written .000Z)
    for name in ("From time", "To time"):
        field = page.get_by_label(name)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", field.input_value()), field.input_value()
        assert field.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{name} is clipped"


def test_one_row_is_one_row(page: Any, server: Any) -> None:
    open_sheet(page, server, "cloudtrail")
    set_filter(page, ONE_ROW)
    expect_total(page, "1 row")
    expect(histogram_caption(page)).to_have_text(re.compile(r"^1 row ·"))
    expect(page.locator("body")).not_to_contain_text("1 rows")


def test_group_counts_have_thousands_separators(page: Any, server: Any) -> None:
    open_sheet(page, server, "vpcflow")
    go_to_column(page, "action")
    column_menu(page, "action", "Group by this column")
    grouped = server.ws.query(
        "vpcflow",
        ir.Query(group=ir.GroupBy(("action",), (ir.Agg("count"),)), sort=(ir.SortKey("count", True),)),
        limit=10,
    )
    expect_total(page, f"{grouped.total} groups")
    biggest = grouped.rows[0][1]
    assert biggest >= 1000
    expect(page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="count"]')).to_have_text(f"{biggest:,}")
    assert page.locator('.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="count"]').evaluate(
        "e => e.scrollWidth <= e.clientWidth"
    )


def test_the_line_chart_fits_its_box(page: Any, server: Any) -> None:
    open_sheet(page, server, "vpcflow")
    go_to_column(page, "action")
    column_menu(page, "action", "Group by this column")
    expect(total(page)).to_have_text(re.compile("groups$"))
    page.get_by_label("Chart type").select_option("line")
    svg = page.locator(".chart svg")
    expect(svg).to_be_visible()
    expect(svg.locator(".role-legend")).to_be_visible()
    panel = page.locator(".chart-panel")
    fits = panel.evaluate(
        """p => { const s = p.querySelector('.chart svg').getBoundingClientRect(); const b = p.getBoundingClientRect();
            return { scroll: p.scrollHeight - p.clientHeight, bottom: b.bottom - s.bottom, top: s.top - b.top,
                     right: b.right - s.right }; }"""
    )
    assert fits["scroll"] <= 1, fits  # nothing hidden below: the panel does not scroll
    assert fits["bottom"] >= 0 and fits["top"] >= 0 and fits["right"] >= 0, fits


def test_split_columns_appear_beside_their_source(page: Any, server: Any) -> None:
    open_sheet(page, server, "secure")
    go_to_column(page, "message")
    column_menu(page, "message", "Split into columns…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator('.ag-header-cell[col-id="message_1"]')).to_be_visible()
    order = page.evaluate(
        """() => [...document.querySelectorAll('.ag-header-cell[col-id]')]
            .filter(e => e.getBoundingClientRect().width > 0 && e.getAttribute('col-id') !== 'timestamp')
            .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
            .map(e => e.getAttribute('col-id'))"""
    )
    assert "message" in order, order  # (the time column is pinned left, out of this order)
    at = order.index("message")
    assert order[at + 1 : at + 3] == ["message_1", "message_2"], order


def test_an_ip_column_profiles_as_addresses(page: Any, server: Any) -> None:
    open_sheet(page, server, "secure")
    go_to_column(page, "src_ip")
    column_menu(page, "src_ip", "Profile")
    expected = server.ws.profile("secure", "src_ip").to_json()
    assert expected["ip"] is not None
    expect(stat(page, "Public")).to_have_text(f"{expected['ip']['public']:,}")
    expect(stat(page, "Private")).to_have_text(f"{expected['ip']['private']:,}")
    expect(stat(page, "Distinct")).to_have_text(f"{expected['distinct']:,}")
    expect(stat(page, "Column")).to_have_text("src_ip (IP addresses)")
    expect(page.locator(".profile-stats dt", has_text=re.compile("^Min$"))).to_have_count(0)
    expect(page.locator(".profile-panel .top-values li").first).to_contain_text(expected["top"][0]["value"])
