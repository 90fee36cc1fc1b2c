"""How a sheet opens (issue 11, items 1 and 2), in the demo incident's default views at 1400 px with the side
panel open: key values whole (the attacker's IP in ``src_ip`` and ``srcaddr``, every ``eventName``), long text
(``message``) given the room that is left with the whole value on hover; rows in time order, the time column
pinned left, the format's column order; a width set by hand kept across a view change and a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import column_menu, expect_total, first_text, go_to_column, set_filter

from logsheet.demo import FACTS
from logsheet.ingest.formats import COLUMN_ORDERS

ATTACKER_IP = "123.214.118.119"
WIDTH = 1400
SCROLLBAR = 18  # the grid's vertical scrollbar, beside the last column


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    """This module's tests run on the demo workspace (tests/web/conftest.py builds it once per module)."""
    return demo_logsheet_home


def open_default(page: Any, server: Any, sheet: str) -> None:
    """Opens a sheet by its address, without a view: what a responder sees first."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{server.url}/sheets/{sheet}")
    expect(page.locator("h1.sheet-title")).to_have_text(sheet)
    expect(page.locator("aside.side")).to_be_visible()  # the side panel is open
    time_column = server.ws.summary(sheet).time_column
    first_text(page, time_column)


def displayed_headers(page: Any) -> list[str]:
    """The rendered headers left to right on the screen (pinned ones first)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.ag-header-cell[col-id]')]
            .filter(e => e.getBoundingClientRect().width > 0)
            .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
            .map(e => e.getAttribute('col-id'))"""
    )


def cut_cells(page: Any, column: str) -> list[str]:
    """The loaded cells of a column whose text does not fit (scrollWidth > clientWidth)."""
    return page.evaluate(
        """col => [...document.querySelectorAll(`.ag-row.row-loaded .ag-cell[col-id="${col}"]`)]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)""",
        column,
    )


def cut_headers(page: Any) -> list[str]:
    """The rendered headers whose name does not show whole."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.ag-header-cell[col-id] .header-name')]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)"""
    )


def fits(page: Any, column: str, text: str) -> bool:
    """Whether ``text`` would show whole in the column's first loaded cell (written into it, then measured)."""
    return bool(
        page.evaluate(
            """([col, text]) => {
                const cell = document.querySelector(`.ag-row.row-loaded .ag-cell[col-id="${col}"]`);
                const span = cell.querySelector('.cell-text');
                const before = span.textContent;
                span.textContent = text;
                const ok = cell.scrollWidth <= cell.clientWidth;
                span.textContent = before;
                return ok;
            }""",
            [column, text],
        )
    )


def width_of(page: Any, column: str) -> float:
    return float(page.locator(f'.ag-header-cell[col-id="{column}"]').evaluate("e => e.getBoundingClientRect().width"))


LOADED_TEXTS = """col => [...document.querySelectorAll(`.ag-row.row-loaded .ag-cell[col-id="${col}"]`)]
    .map(e => [Number(e.closest('.ag-row').getAttribute('row-index')), e.textContent])
    .sort((a, b) => a[0] - b[0]).map(x => x[1])"""


def loaded_texts(page: Any, column: str) -> list[str]:
    """The texts of a column's loaded cells, top to bottom."""
    return page.evaluate(LOADED_TEXTS, column)


def assert_time_first(page: Any, server: Any, sheet: str) -> None:
    summary = server.ws.summary(sheet)
    time_column = summary.time_column
    header = page.locator(f'.ag-header-cell[col-id="{time_column}"]')
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert page.locator(f'.ag-grid-pinned-left-cells .ag-header-cell[col-id="{time_column}"]').count() == 1
    times = loaded_texts(page, time_column)
    assert len(times) >= 10 and times == sorted(times)  # "YYYY-MM-DD HH:MM:SS" sorts as text
    shown = displayed_headers(page)
    expected = list(COLUMN_ORDERS[summary.format])
    assert shown[0] == time_column
    assert shown == expected[: len(shown)] or expected == shown[: len(expected)], shown
    assert "q=" not in page.url  # the default view: reopening the address opens it the same way
    assert cut_headers(page) == []


def test_secure_opens_readable_and_in_time_order(page: Any, server: Any) -> None:
    open_default(page, server, "secure")
    expect_total(page, f"{FACTS.secure_lines:,} rows")
    assert_time_first(page, server, "secure")
    assert fits(page, "src_ip", ATTACKER_IP)
    for column in ("timestamp", "host", "program", "event", "outcome", "user", "src_ip"):
        assert cut_cells(page, column) == [], column
    # message takes the room the columns before it leave: it ends at the grid's right edge.
    grid = page.locator(".grid-host").evaluate("e => e.getBoundingClientRect().right")
    message = page.locator('.ag-header-cell[col-id="message"]').evaluate("e => e.getBoundingClientRect()")
    assert message["width"] >= 200 and abs(grid - SCROLLBAR - message["right"]) <= 8, (grid, message)
    # ... with the whole value on hover, as text.
    cell = page.locator('.ag-row.row-loaded[row-index="2"] .ag-cell[col-id="message"]')
    title = cell.get_attribute("title")
    assert title and title == cell.text_content() and title.startswith("Invalid user")
    cell.click()
    expect(page.locator(".detail-body")).to_contain_text(title)

    # Newest first is one click on the time column's header.
    page.locator('.ag-header-cell[col-id="timestamp"] .header-name').click()
    expect(page.locator('.ag-header-cell[col-id="timestamp"]')).to_have_attribute("aria-sort", "descending")
    page.wait_for_function(
        f"""() => {{ const t = ({LOADED_TEXTS})('timestamp');
            const newestFirst = t.every((v, i) => i === 0 || t[i - 1] >= v);
            return !document.querySelector('.grid-host.loading') && t.length > 10 && newestFirst; }}"""
    )

    # Jumping to a far column keeps the time column in view, pinned.
    go_to_column(page, "line_number")
    expect(page.locator('.ag-grid-pinned-left-cells .ag-header-cell[col-id="timestamp"]')).to_be_visible()


def test_vpcflow_opens_in_the_flow_order_with_addresses_whole(page: Any, server: Any) -> None:
    open_default(page, server, "vpcflow")
    assert_time_first(page, server, "vpcflow")
    flow = ["start", "srcaddr", "srcport", "dstaddr", "dstport", "protocol", "action", "bytes"]
    assert displayed_headers(page)[: len(flow)] == flow
    assert fits(page, "srcaddr", ATTACKER_IP) and fits(page, "dstaddr", ATTACKER_IP)
    for column in ("start", "srcaddr", "dstaddr", "action"):
        assert cut_cells(page, column) == [], column
    # the action starts in view at 1400 px with the side panel open, IPv6 addresses and all (ACCEPT shows)
    action = page.locator('.ag-header-cell[col-id="action"]').bounding_box()
    grid = page.locator(".ag-root-wrapper").bounding_box()
    assert action is not None and grid is not None and action["x"] + 40 <= grid["x"] + grid["width"]


def test_cloudtrail_event_names_whole(page: Any, server: Any) -> None:
    open_default(page, server, "cloudtrail")
    assert_time_first(page, server, "cloudtrail")
    assert len(loaded_texts(page, "eventName")) >= 10
    for column in ("eventTime", "eventName", "userIdentity.arn", "sourceIPAddress"):
        assert cut_cells(page, column) == [], column
    # Whole after a change of view too: a page with other, longer names.
    set_filter(page, "eventName starts with 'Describe'")
    page.wait_for_function(
        f"""() => {{ const t = ({LOADED_TEXTS})('eventName');
            return !document.querySelector('.grid-host.loading') && t.length > 0 && t.every(v => v.startsWith('Describe')); }}"""
    )
    assert cut_cells(page, "eventName") == []


def test_a_width_set_by_hand_is_kept(page: Any, server: Any) -> None:
    open_default(page, server, "secure")
    before = width_of(page, "host")
    handle = page.locator('.ag-header-cell[col-id="host"] .ag-header-cell-resize')
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=6)
    page.mouse.move(x + 90, y, steps=4)
    page.mouse.up()
    chosen = width_of(page, "host")
    assert chosen >= before + 60
    program = width_of(page, "program")

    # A change of view re-sizes the other columns from the new first page, never the one sized by hand.
    set_filter(page, "event = 'accepted_password'")
    page.wait_for_function("() => !document.querySelector('.grid-host.loading')")
    first_text(page, "timestamp")
    assert width_of(page, "host") == chosen
    assert width_of(page, "program") == pytest.approx(program, abs=40)
    # And reopening the sheet keeps it too.
    page.reload()
    first_text(page, "timestamp")
    assert width_of(page, "host") == chosen


def test_ungrouping_goes_back_to_time_order(page: Any, server: Any) -> None:
    """Group by a column, then Ungroup: the rows come back oldest first, not in file order."""
    open_default(page, server, "secure")
    go_to_column(page, "program")
    column_menu(page, "program", "Group by this column")
    expect(page.locator('.ag-header-cell[col-id="count"]')).to_be_visible()
    page.get_by_role("tab", name="Group").click()
    page.get_by_role("button", name="Ungroup").click()
    first_text(page, "timestamp")
    assert_time_first(page, server, "secure")


def test_a_sheet_put_back_in_file_order_stays_so_on_reload(page: Any, server: Any) -> None:
    """The opening time order leaves the address bare; taking the sort off is written into it, so a reload
    keeps the file order instead of sorting again."""
    open_default(page, server, "secure")
    assert "q=" not in page.url
    header = page.locator('.ag-header-cell[col-id="timestamp"]')
    header.locator(".header-name").click()  # newest first
    expect(header).to_have_attribute("aria-sort", "descending")
    assert "q=" in page.url
    header.locator(".header-name").click()  # no sort
    expect(header).not_to_have_attribute("aria-sort", "descending")
    page.wait_for_function("() => location.search.includes('q=')")
    page.reload()
    first_text(page, "timestamp")
    expect(page.locator('.ag-header-cell[col-id="timestamp"]')).not_to_have_attribute("aria-sort", "ascending")
