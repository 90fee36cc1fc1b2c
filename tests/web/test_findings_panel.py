"""The findings panel of a sheet (issue 13, part 3): empty before any run, Run rules and what it did, the
findings grouped by rule, and a finding opening exactly its rows as a view (the chip in the filter bar, the
address keeping it across a reload and Back, × back to the sheet's view). Rule titles are shown as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import column_menu, expect_total, first_text, set_filter

from detect_fixtures import BRUTE_FAILURES, BRUTE_IP, RULES, SLOW_IP, sshd_lines, write_rules, write_secure

MARKUP = '<img src=x onerror="window.pwned=1">'
# One more rule, whose title and description are markup (a rule file is anyone's text).
MARKUP_RULE = f"""---
title: 'Accepted login {MARKUP}'
id: 00000000-0000-4000-8000-000000000009
status: test
description: 'Described as {MARKUP}'
logsource: {{product: linux, service: sshd}}
detection:
  sel:
    event|startswith: accepted_
  condition: sel
level: medium
"""
ROWS = len(sshd_lines())


@pytest.fixture
def sheet(server: Any, inputs: Path) -> str:
    ws = server.ws
    ws.import_paths([write_secure(inputs)], sheet="secure")
    ws.set_rules_settings(sigma=[str(write_rules(inputs, RULES + MARKUP_RULE))])
    return "secure"


def panel(page: Any) -> Any:
    return page.locator(".findings-panel")


def rule_group(page: Any, title: str) -> Any:
    return panel(page).locator(".finding-rule", has=page.locator(".finding-title", has_text=re.compile(f"^{re.escape(title)}$")))


def stat(page: Any, name: str) -> Any:
    """The value of one line of the column profile (``Rows``, ``Distinct``)."""
    return page.locator(".profile-stats dt", has_text=re.compile(f"^{name}$")).locator("xpath=following-sibling::dd[1]")


def src_ips(page: Any) -> list[str]:
    """The src_ip texts of every row the grid has drawn (all of them are loaded)."""
    selector = '.ag-row.row-loaded .ag-cell[col-id="src_ip"]'
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length > 0 && !document.querySelector('.grid-host.loading')", arg=selector
    )
    return list(page.locator(selector).all_text_contents())


def test_run_rules_and_open_a_finding(page: Any, server: Any, sheet: str, screenshots: Path) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{ROWS} rows")
    button = page.get_by_role("button", name=re.compile("^Findings"))
    expect(button.get_by_test_id("findings-badge")).to_have_text("0")
    button.click()
    expect(panel(page)).to_be_visible()
    expect(panel(page).get_by_test_id("findings-empty")).to_contain_text("No findings.")
    expect(panel(page).get_by_test_id("findings-empty")).to_contain_text("Run the rules")

    panel(page).get_by_role("button", name="Run rules").click()
    summary = panel(page).get_by_test_id("rule-run")
    expect(summary).to_contain_text(" could not run")
    run = server.ws.last_rule_run(sheet)  # the built-in pack ran too: its figures are the workspace's own
    assert run is not None and run["findings"] >= 3
    refused = len(run["refused"])
    expect(summary).to_contain_text(f"{run['rules']} rules ran, {run['findings']} findings, {refused} could not run")
    summary.locator("summary", has_text=re.compile(f"^{refused} rules? could not run$")).click()
    mine = summary.locator(".refused li", has_text="Not runnable here (test)")
    expect(mine).to_contain_text("%admins%")
    badge = button.get_by_test_id("findings-badge")
    expect(badge).to_have_text(str(len(server.ws.findings(sheet))))
    expect(badge).to_have_class(re.compile("level-critical"))

    brute = rule_group(page, "SSH brute force (test)")
    expect(brute.locator(".level-badge")).to_have_text("high")
    expect(brute.locator(".finding-attack")).to_have_text("T1110.001")
    expect(brute.locator(".finding-counts")).to_have_text(f"1 window · {BRUTE_FAILURES} rows")
    expect(brute.locator(".finding-subject")).to_have_text(f"src_ip={BRUTE_IP}")
    root = rule_group(page, "Root login accepted (test)")
    expect(root.locator(".level-badge")).to_have_text("critical")
    expect(root.locator(".finding-counts")).to_have_text("1 row")
    expect(root.locator(".finding-subject")).to_contain_text(f"ip {BRUTE_IP}")
    expect(root.locator(".finding-subject")).to_contain_text("user root")

    # The rule written as markup is listed as its text: no element made of it, nothing run.
    marked = rule_group(page, f"Accepted login {MARKUP}")
    expect(marked).to_have_count(1)
    marked.locator("summary", has_text="About this rule").click()
    expect(marked.locator(".finding-about")).to_contain_text(f"Described as {MARKUP}")
    assert panel(page).locator("img").count() == 0

    # A finding opens its rows: the grid, the total and the histogram are of its 30 rows.
    brute.locator("button.finding-open").click()
    expect_total(page, f"{BRUTE_FAILURES} rows")
    chip = page.get_by_test_id("finding-chip")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text(f"Finding: SSH brute force (test) — src_ip={BRUTE_IP}")
    assert set(src_ips(page)) == {BRUTE_IP}
    column_menu(page, "src_ip", "Profile")  # every row of the view, not only those drawn
    expect(stat(page, "Rows")).to_have_text(str(BRUTE_FAILURES))
    expect(stat(page, "Distinct")).to_have_text("1")
    expect(page.locator(".profile-panel .top-values li").first).to_contain_text(BRUTE_IP)
    with page.expect_download() as download:  # the export is of the finding's rows too
        page.get_by_role("button", name="Export ▾").click()
        page.get_by_role("menu").get_by_role("menuitem", name="CSV", exact=True).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(exported) == BRUTE_FAILURES + 1 and all(BRUTE_IP in line for line in exported[1:])
    page.get_by_role("button", name=re.compile("^Findings")).click()
    expect(page.locator(".histogram-caption")).to_contain_text(f"{BRUTE_FAILURES} rows")
    assert re.search(r"[?&]finding=F[0-9a-f]{12}\b", page.url), page.url
    expect(brute.locator("button.finding-open")).to_have_attribute("aria-current", "true")
    page.screenshot(path=str(screenshots / "findings.png"))

    # The user's filter applies on top of the finding.
    set_filter(page, f"src_ip = '{SLOW_IP}'")
    expect_total(page, "0 rows")
    set_filter(page, "")
    page.get_by_role("button", name="Clear").click()
    expect_total(page, f"{BRUTE_FAILURES} rows")

    # A reload opens the same view; Back goes to the view before the finding, Forward to it again.
    page.reload()
    expect_total(page, f"{BRUTE_FAILURES} rows")
    expect(page.get_by_test_id("finding-chip")).to_contain_text("Finding: SSH brute force (test)")
    page.go_back()
    expect_total(page, f"{ROWS} rows")
    expect(page.get_by_test_id("finding-chip")).to_be_hidden()
    page.go_forward()
    expect_total(page, f"{BRUTE_FAILURES} rows")

    # × goes back to the sheet's view.
    page.get_by_role("button", name="Remove the finding from the view").click()
    expect_total(page, f"{ROWS} rows")
    expect(page.get_by_test_id("finding-chip")).to_be_hidden()
    assert "finding=" not in page.url
    first_text(page, "src_ip")
    assert page.evaluate("window.pwned") is None


def test_a_finding_with_a_markup_title_opens_as_text(page: Any, server: Any, sheet: str) -> None:
    findings = server.ws.run_rules(sheet).findings  # the pack and the workspace's rules, as Run rules does
    marked = next(f for f in findings if f.title.startswith("Accepted login"))
    page.goto(f"{server.url}/sheets/{sheet}?finding={marked.id}")
    expect_total(page, "2 rows")
    chip = page.get_by_test_id("finding-chip")
    expect(chip).to_contain_text(f"Finding: Accepted login {MARKUP}")
    assert chip.locator("img").count() == 0
    assert page.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_an_address_naming_a_finding_that_is_gone(page: Any, server: Any, sheet: str, page_watch: Any) -> None:
    page_watch.allow(r"status of 404")
    page.goto(f"{server.url}/sheets/{sheet}?finding=F000000000000")
    chip = page.get_by_test_id("finding-chip")
    expect(chip).to_contain_text("Finding: F000000000000 (")
    expect(page.locator(".grid-messages .inline-error")).to_contain_text("F000000000000")
    chip.get_by_role("button", name="Remove the finding from the view").click()
    expect_total(page, f"{ROWS} rows")
