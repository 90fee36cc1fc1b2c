"""Cases in the page (issue 12, item 1): the files page's cases section — create a case, add a sheet, rename the
case, remove the sheet — and the case page at /cases/{name}: its sheets (links) and its findings (each opens its
sheet narrowed to the finding). Names are shown as text, never markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from detect_fixtures import write_secure
from fixtures import write_ndjson

MARKUP = '<img src=x onerror="window.pwned=1"> case'


@pytest.fixture
def sheets(server: Any, inputs: Path) -> list[str]:
    ws = server.ws
    ws.import_paths([write_ndjson(inputs / "rows.ndjson", [{"n": i} for i in range(4)])], sheet="alpha")
    ws.import_paths([write_secure(inputs)], sheet="secure")
    ws.run_rules("secure")
    return ["alpha", "secure"]


def card(page: Any, name: str) -> Any:
    """A case's card on the files page (found by its link, whatever characters the name holds)."""
    return page.locator(".case-card").filter(has=page.locator(".case-link").get_by_text(name, exact=True))


def test_create_add_rename_remove_and_open_a_case(page: Any, server: Any, page_watch: Any, sheets: list[str]) -> None:
    page_watch.allow("409")  # the rename to a taken name, below
    page.goto(server.url + "/")
    cases = page.get_by_role("region", name="Cases")
    default = card(page, "default")
    expect(default.locator(".case-sheet .sheet-link")).to_have_text(["alpha", "secure"])
    expect(default.get_by_role("button", name="Delete default")).to_have_count(0)  # the default case stays

    cases.get_by_role("button", name="New case…").click()
    dialog = page.get_by_role("dialog", name="New case")
    dialog.get_by_label("Case name").fill("intrusion")
    dialog.get_by_role("button", name="Create").click()
    intrusion = card(page, "intrusion")
    expect(intrusion.get_by_text("Empty: add a sheet.")).to_be_visible()

    intrusion.get_by_role("button", name="Add a sheet to intrusion").click()
    menu = page.get_by_role("menu", name="Sheets to add to intrusion")
    expect(menu.get_by_role("menuitem")).to_have_text(["alpha", "secure"])
    menu.get_by_role("menuitem", name="secure").click()
    expect(intrusion.locator(".case-sheet .sheet-link")).to_have_text(["secure"])
    assert server.ws.case("intrusion").sheets == ("secure",)

    intrusion.get_by_role("button", name="Rename intrusion").click()
    rename = page.get_by_role("dialog", name="Rename intrusion")
    rename.get_by_label("New name").fill(MARKUP)
    rename.get_by_role("button", name="Rename").click()
    renamed = card(page, MARKUP)
    expect(renamed.locator(".case-sheet .sheet-link")).to_have_text(["secure"])  # the case keeps its sheets
    assert renamed.locator("img").count() == 0 and page.evaluate("window.pwned") is None
    assert [c.name for c in server.ws.cases()] == [MARKUP, "default"]

    # a taken name is refused in the dialog, which stays open with the server's words
    renamed.get_by_role("button", name=f"Rename {MARKUP}").click()
    again = page.get_by_role("dialog", name=f"Rename {MARKUP}")
    again.get_by_label("New name").fill("default")
    again.get_by_role("button", name="Rename").click()
    expect(again.get_by_role("alert")).to_have_text("a case named 'default' already exists")
    again.get_by_role("button", name="Cancel").click()

    renamed.get_by_role("button", name=f"Remove secure from {MARKUP}").click()
    expect(renamed.get_by_text("Empty: add a sheet.")).to_be_visible()
    assert server.ws.case(MARKUP).sheets == ()
    assert server.ws.sheet("secure").row_count > 0  # the sheet itself stays

    renamed.get_by_role("button", name=f"Add a sheet to {MARKUP}").click()
    page.get_by_role("menu", name=f"Sheets to add to {MARKUP}").get_by_role("menuitem", name="secure").click()
    expect(renamed.locator(".case-sheet .sheet-link")).to_have_text(["secure"])

    renamed.get_by_role("link", name=MARKUP, exact=True).click()
    expect(page.locator("h1.case-title")).to_have_text(MARKUP)
    assert "/cases/" in page.url and page.locator("h1.case-title img").count() == 0
    section = page.get_by_role("region", name="Sheets of the case")
    expect(section.locator("tbody tr")).to_have_count(1)
    expect(section.get_by_role("link", name="secure", exact=True)).to_be_visible()
    findings = page.get_by_role("region", name="Findings of the case")
    expected = server.ws.findings(case=MARKUP)
    assert expected and {f.sheet for f in expected} == {"secure"}
    expect(findings.locator("tbody tr")).to_have_count(len(expected))
    first = expected[0]
    expect(findings.locator("tbody tr").first).to_have_attribute("data-finding", first.id)

    # a finding opens its sheet narrowed to its rows; Back returns to the case
    findings.locator("tbody tr").first.get_by_role("link", name=first.title, exact=True).click()
    expect(page.locator("h1.sheet-title")).to_have_text("secure")
    expect(page.get_by_test_id("finding-chip")).to_contain_text(first.title)
    expect(page.get_by_test_id("total")).to_have_text(f"{first.rows:,} row{'' if first.rows == 1 else 's'}")
    page.go_back()
    expect(page.locator("h1.case-title")).to_have_text(MARKUP)


def test_an_empty_case_and_an_unknown_one(page: Any, server: Any, page_watch: Any) -> None:
    server.ws.create_case("empty")
    page.goto(server.url + "/cases/empty")
    expect(page.locator("h1.case-title")).to_have_text("empty")
    expect(page.get_by_test_id("case-no-sheets")).to_be_visible()
    expect(page.get_by_test_id("case-no-findings")).to_be_visible()
    page_watch.allow("404")
    page.goto(server.url + "/cases/nope")
    expect(page.get_by_role("alert")).to_have_text("Cannot open the case: no case named 'nope'; cases: default, empty")
    page.get_by_role("link", name="Back to the sheets and cases").click()
    expect(page.get_by_role("region", name="Cases")).to_be_visible()


def test_an_upload_into_a_case(page: Any, server: Any, inputs: Path) -> None:
    server.ws.create_case("existing")
    rows = write_ndjson(inputs / "up.ndjson", [{"n": 1}, {"n": 2}])
    page.goto(server.url + "/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose files…").click()
    chooser.value.set_files([str(rows)])
    page.get_by_label("Sheet name").fill("up")
    case = page.get_by_label("Case", exact=True)
    expect(page.locator(f"datalist#{case.get_attribute('list')} option")).to_have_count(1)  # the cases to pick from
    case.fill("from upload")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator('section.batch[data-sheet="up"] .import-summary')).to_be_visible(timeout=60_000)
    expect(card(page, "from upload").locator(".case-sheet .sheet-link")).to_have_text(["up"])
    expect(card(page, "default").locator(".case-sheet .sheet-link")).to_have_text(["up"])
    assert server.ws.case("from upload").sheets == ("up",)
