"""Formula columns, find/replace and URL parts in Chromium, through the column menu: a formula with an error is
shown with the character marked and is not applied; fixed, its column appears in the grid, filters like any
column, sits in the Steps panel and is undone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from web_ui import column_menu, expect_total, first_text, go_to_column, set_filter, undo

from fixtures import write_ndjson

ROWS = [
    {"id": i, "eventName": name, "errorCode": err, "userAgent": ua, "url": url}
    for i, (name, err, ua, url) in enumerate(
        [
            ("RunInstances", "Client.UnauthorizedOperation", "aws-cli/2.4.0", "https://www.example.co.uk/login?user=1"),
            ("RunInstances", None, "aws-cli/2.4.0", "http://evil.example.com/x"),
            ("ListBuckets", "AccessDenied", "console.amazonaws.com", "example.com"),
            ("RunInstances", "Client.UnauthorizedOperation", "aws-cli/2.4.0", "https://a.b.github.io/"),
            ("GetRole", "", "Boto3/1.20", None),
        ]
    )
]


def _open(page: Any, server: Any, tmp_path: Path) -> None:
    server.ws.import_paths([write_ndjson(tmp_path / "calls.ndjson", ROWS)], sheet="calls")
    page.goto(server.url + "/sheets/calls")
    expect_total(page, "5 rows")


def test_add_formula_column_with_an_error_first(page: Any, server: Any, page_watch: Any, tmp_path: Path) -> None:
    page_watch.allow("status of 400")  # the refused previews of the formula with an error
    _open(page, server, tmp_path)
    column_menu(page, "userAgent", "Add formula column…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Formula column name").fill("cli_error")
    formula = dialog.get_by_label("Formula", exact=True)
    formula.fill("errorCode is not blank and userAgnt contains 'aws-cli'")
    error = dialog.locator(".inline-error")
    expect(error).to_contain_text("unknown column 'userAgnt'; did you mean 'userAgent'?")
    expect(error.locator(".error-at")).to_have_attribute("data-position", "27")
    expect(error.get_by_test_id("error-char")).to_have_text("u")
    dialog.get_by_role("button", name="Apply step").click()  # refused: the formula has an error
    expect(dialog).to_be_visible()
    expect(error.locator(".error-at")).to_have_attribute("data-position", "27")

    formula.fill("errorCode is not blank and userAgent contains 'aws-cli'")
    expect(error).to_be_hidden()
    expect(dialog.locator("th.new-column")).to_have_text("cli_error")
    dialog.get_by_role("button", name="Apply step").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".steps-list")).to_contain_text(
        "Formula cli_error = errorCode is not blank and userAgent contains 'aws-cli'"
    )
    go_to_column(page, "cli_error")
    expect(page.locator('.ag-header-cell[col-id="cli_error"] .type-badge')).to_be_visible()
    set_filter(page, "cli_error = true")
    expect_total(page, "2 rows")
    assert first_text(page, "cli_error") == "true"
    undo(page)  # the filter
    expect_total(page, "5 rows")
    undo(page)  # the step
    expect(page.locator(".steps-list")).not_to_contain_text("Formula cli_error")
    expect(page.locator('.ag-header-cell[col-id="cli_error"]')).to_have_count(0)


def test_find_replace_and_url_parts_from_the_column_menu(page: Any, server: Any, tmp_path: Path) -> None:
    _open(page, server, tmp_path)
    column_menu(page, "userAgent", "Find and replace…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Find", exact=True).fill("aws-cli/(\\S+)")
    dialog.get_by_label("Replace with").fill("CLI \\1")
    dialog.get_by_label("Regular expression").check()
    dialog.get_by_label("New column name").fill("agent")
    expect(dialog.locator(".preview-table")).to_contain_text("CLI 2.4.0")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("Replace /aws-cli/(\\S+)/ with")
    set_filter(page, "agent = 'CLI 2.4.0'")
    expect_total(page, "3 rows")
    set_filter(page, "")

    column_menu(page, "url", "URL and domain parts…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("path (/login)").uncheck()
    expect(dialog.locator("th.new-column")).to_have_count(4)
    expect(dialog.locator(".preview-table")).to_contain_text("example.co.uk")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("URL parts of url: scheme, host, domain, query_keys")
    set_filter(page, "url.domain = 'example.com'")
    expect_total(page, "2 rows")
    set_filter(page, "url.domain = 'github.io'")
    expect_total(page, "1 row")


def test_ip_helpers_from_the_column_menu(page: Any, server: Any, tmp_path: Path) -> None:
    rows = [{"id": i, "src": ip} for i, ip in enumerate(["10.1.2.3", "44.202.228.109", "192.168.7.7", "fe80::1", "junk"])]
    server.ws.import_paths([write_ndjson(tmp_path / "ips.ndjson", rows)], sheet="ips")
    page.goto(server.url + "/sheets/ips")
    expect_total(page, "5 rows")
    column_menu(page, "src", "IP helpers…")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Formula", exact=True)).to_have_value("is_private(src)")
    dialog.get_by_role("button", name="network /16", exact=True).click()
    expect(dialog.get_by_label("Formula", exact=True)).to_have_value("ip_network(src, 16)")
    expect(dialog.locator(".preview-table")).to_contain_text("44.202.0.0/16")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("Formula src_net16 = ip_network(src, 16)")
    set_filter(page, "src_net16 = '192.168.0.0/16'")
    expect_total(page, "1 row")
    set_filter(page, "src_net16 is blank")
    expect_total(page, "2 rows")


def test_formula_text_and_values_stay_text(page: Any, server: Any, page_watch: Any, tmp_path: Path) -> None:
    """A formula that writes markup shows it as characters in the steps panel and the grid, never as HTML."""
    _open(page, server, tmp_path)
    column_menu(page, "eventName", "Add formula column…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Formula column name").fill("markup")
    dialog.get_by_label("Formula", exact=True).fill("'<img src=x onerror=alert(1)>' & eventName")
    expect(dialog.locator("th.new-column")).to_have_text("markup")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("Formula markup = '<img src=x onerror=alert(1)>' & eventName")
    go_to_column(page, "markup")
    assert first_text(page, "markup") == "<img src=x onerror=alert(1)>RunInstances"
    assert page.locator("img[src=x]").count() == 0
