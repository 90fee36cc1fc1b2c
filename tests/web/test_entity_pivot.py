"""Entities and the pivot in Chromium (issue 12, item 3): on the demo, right-click a cell of the secure sheet →
"Pivot on this value" opens the entity page of the attacker's address in case demo (a case holding the sheet,
which the page names), listing secure and vpcflow with the rows the sheets themselves count, a timeline row
per sheet and the related entities; a related entity opens its own page, a sheet's link opens that sheet
filtered to the value's rows. Values show as text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from web_ui import cell_menu, expect_total

from logsheet.core import ir
from logsheet.demo import FACTS
from logsheet.query.filterlang import parse_filter

ATTACKER = FACTS.ssh_attacker_ip


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def counted(ws: Any, sheet: str, where: str) -> int:
    return int(ws.count(sheet, ir.Query(where=parse_filter(where))))


def test_pivot_from_a_cell_to_the_entity_page_and_on(page: Any, server: Any, page_watch: Any) -> None:
    ws = server.ws
    secure_rows = counted(ws, "secure", f"src_ip = '{ATTACKER}'")
    flows = counted(ws, "vpcflow", f"srcaddr = '{ATTACKER}' or dstaddr = '{ATTACKER}'")
    q = json.dumps({**ir.query_to_json(ir.Query(where=parse_filter(f"src_ip = '{ATTACKER}'")))})
    page.goto(f"{server.url}/sheets/secure?q={quote(q)}")
    expect_total(page, f"{secure_rows:,} rows")
    cell_menu(page, "src_ip", ATTACKER, "Pivot on this value")
    expect(page).to_have_url(re.compile(f"/cases/demo/entities/{re.escape(ATTACKER)}$"))  # the demo case holds secure
    expect(page.get_by_test_id("entity-scope")).to_have_text("Across the sheets of case demo")
    expect(page.get_by_test_id("entity-value")).to_have_text(ATTACKER)
    expect(page.get_by_test_id("entity-kind")).to_have_text(f"IP address · {secure_rows + flows:,} rows in 2 sheets")
    sheets = page.get_by_role("region", name="Sheets holding the value")
    expect(sheets.locator("tbody tr th")).to_have_text(["secure", "vpcflow"])
    expect(sheets.locator("tbody tr td.num")).to_have_text([f"{secure_rows:,}", f"{flows:,}"])
    expect(sheets.locator('tr[data-sheet="secure"] td').nth(1)).to_have_text(re.compile(r"^2022-03-22 14:50:04"))
    timeline = page.get_by_test_id("entity-timeline")
    expect(timeline.locator(".entity-timeline-row .entity-timeline-label")).to_have_text(["secure", "vpcflow"])
    expect(timeline.locator('.entity-timeline-row[data-sheet="vpcflow"] .entity-bar')).to_have_count(
        timeline.locator('.entity-timeline-row[data-sheet="secure"] .entity-bar').count()  # the same span, same buckets
    )
    for sheet in ("secure", "vpcflow"):
        bars = timeline.locator(f'.entity-timeline-row[data-sheet="{sheet}"] .entity-bar')
        heights = bars.evaluate_all("els => els.filter(e => e.style.height !== '0px' && e.style.height !== '0').length")
        assert heights > 0
    related = page.get_by_role("region", name="Related entities")
    users = related.locator('[data-kind="user"] .entity-link')
    expect(users.first).to_have_text("root")
    expect(related.locator('[data-kind="host"] .entity-link')).to_have_text(["ip-172-31-83-20"])
    # a related entity opens its own page
    users.first.click()
    expect(page).to_have_url(re.compile("/cases/demo/entities/root$"))
    expect(page.get_by_test_id("entity-value")).to_have_text("root")
    root_rows = counted(ws, "secure", "user = 'root'")
    expect(page.locator('tr[data-sheet="secure"] td.num')).to_have_text(f"{root_rows:,}")
    expect(page.get_by_role("region", name="Related entities").locator('[data-kind="ip"] .entity-link').first).to_have_text(
        ATTACKER
    )
    # back, and a sheet's link opens that sheet filtered to the value's rows
    page.go_back()
    expect(page.get_by_test_id("entity-value")).to_have_text(ATTACKER)
    page.get_by_role("region", name="Sheets holding the value").get_by_role("link", name="vpcflow", exact=True).click()
    expect(page.locator("h1.sheet-title")).to_have_text("vpcflow")
    expect_total(page, f"{flows:,} rows")


def test_the_entity_page_shows_values_as_text(page: Any, server: Any, page_watch: Any) -> None:
    value = '<img src=x onerror="window.pwned=1">'
    page.goto(f"{server.url}/cases/demo/entities/{quote(value, safe='')}")
    expect(page.get_by_test_id("entity-value")).to_have_text(value)
    expect(page.get_by_test_id("entity-nothing")).to_contain_text("No sheet of the case holds this value in an entity column")
    page.get_by_test_id("entity-anywhere").check()
    expect(page).to_have_url(re.compile(r"\?anywhere=1$"))
    expect(page.get_by_test_id("entity-nothing")).to_contain_text("in any column")
    assert page.evaluate("window.pwned") is None
    assert page.locator("img").count() == 0
