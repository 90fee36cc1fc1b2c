"""IOC lists in Chromium (issue 14, item 2), on the demo: the case page imports a list holding the attacker's
address (defanged, beside a hostile line that is set aside and shown as text), matches it against the case and
shows the rows per sheet — secure and vpcflow, with the counts the sheets themselves give — and the findings
section then holds the list's findings; a sheet's link opens it narrowed to those rows with the column
ioc_lists; on a sheet, the Views menu marks and keeps the rows holding an IOC."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total, first_text, go_to_column

from logsheet.core import ir
from logsheet.demo import FACTS
from logsheet.query.filterlang import parse_filter

ATTACKER = FACTS.ssh_attacker_ip
HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    return demo_logsheet_home


def counted(ws: Any, sheet: str, where: str) -> int:
    return int(ws.count(sheet, ir.Query(where=parse_filter(where))))


def test_import_match_and_open_the_hits_from_the_case_page(page: Any, server: Any, inputs: Path) -> None:
    ws = server.ws
    secure = counted(ws, "secure", f"src_ip = '{ATTACKER}'")
    flows = counted(ws, "vpcflow", f"srcaddr = '{ATTACKER}' or dstaddr = '{ATTACKER}'")
    assert secure > 0 and flows > 0
    listed = inputs / "actor.txt"
    listed.write_text(f"# the intrusion's actor\n{ATTACKER.replace('.', '[.]')}\n{HOSTILE}\n", encoding="utf-8")

    page.goto(f"{server.url}/cases/demo")
    section = page.get_by_role("region", name="IOC lists")
    expect(section.get_by_test_id("ioc-no-lists")).to_be_visible()
    section.get_by_test_id("ioc-file").set_input_files(str(listed))
    section.get_by_test_id("ioc-import").click()
    report = section.get_by_test_id("ioc-import-report")
    expect(report).to_contain_text("List actor: 1 indicators (1 ip) from actor.txt.")
    rejected = report.locator(".ioc-rejects li")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("line 3: not an IP address")
    expect(rejected).to_contain_text(HOSTILE)
    assert section.locator("img").count() == 0
    expect(section.locator("tr[data-ioc-list='actor'] td").first).to_have_text("1")

    section.get_by_test_id("ioc-match").click()
    results = section.get_by_test_id("ioc-results").locator("tbody tr")
    expect(results).to_have_count(2)
    expect(results.locator("th")).to_have_text(["secure", "vpcflow"])
    expect(results.locator("td:nth-child(2)")).to_have_text([f"{secure:,}", f"{flows:,}"])
    expect(results.first.locator(".ioc-values")).to_have_text(f"{ATTACKER} (actor, {secure:,})")
    findings = page.get_by_role("region", name="Findings of the case")
    expect(findings.get_by_role("link", name="IOC list 'actor' matched")).to_have_count(2)
    assert page.evaluate("window.pwned") is None

    results.first.get_by_role("link", name="secure").click()
    expect(page.locator("h1.sheet-title")).to_have_text("secure")
    expect_total(page, f"{secure:,} rows")
    go_to_column(page, "ioc_lists")
    assert first_text(page, "ioc_lists") == "actor"


def test_the_views_menu_marks_and_keeps_the_rows_holding_an_ioc(page: Any, server: Any, inputs: Path) -> None:
    ws = server.ws
    for listed in ws.ioc_lists():  # the module's demo copy may hold the first test's list
        ws.delete_ioc_list(listed["name"])
    path = inputs / "two.txt"
    path.write_text(f"{ATTACKER}\n", encoding="utf-8")
    ws.import_iocs(path, name="two", replace=True)
    flows = counted(ws, "vpcflow", f"srcaddr = '{ATTACKER}' or dstaddr = '{ATTACKER}'")
    page.goto(f"{server.url}/sheets/vpcflow")
    expect_total(page, f"{ws.sheet('vpcflow').row_count:,} rows")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menu", name="Views").get_by_role("menuitem", name="Show only rows holding an IOC").click()
    expect_total(page, f"{flows:,} rows")
    expect(page.get_by_label("Filter (filter language)")).to_have_value("ioc")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menu", name="Views").get_by_role("menuitem", name="Mark rows holding an IOC", exact=False).click()
    page.wait_for_url(re.compile("mark_ioc"))
    expect(page.locator(".grid-host.loading")).to_have_count(0)
    go_to_column(page, "ioc_lists")
    assert first_text(page, "ioc_lists") == "two"
    page.get_by_role("button", name="Views ▾").click()
    expect(
        page.get_by_role("menu", name="Views").get_by_role("menuitem", name="IOC hits are marked (column ioc_lists)")
    ).to_be_disabled()
