"""Annotations in the page (issue 12, item 4): star a row and tag two from the cell's context menu, comment one,
star every row of a view from the Views menu; the grid shows starred, tags and comment, the filter finds them
(`starred`, `tag = 'x'`), and a hostile comment stays text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import cell_menu, column_texts, expect_total, go_to_column, set_filter

from fixtures import write_ndjson

MARKUP = '<img src=x onerror="window.pwned=1">'
ROWS = [{"n": i, "user": "root" if i % 3 == 0 else f"u{i}", "msg": f"line {i}"} for i in range(12)]


@pytest.fixture
def sheet(server: Any, inputs: Path) -> str:
    server.ws.import_paths([write_ndjson(inputs / "auth.ndjson", ROWS)], sheet="auth", format="json")
    return "auth"


def prompt(page: Any, title: str, text: str, button: str) -> None:
    dialog = page.get_by_role("dialog", name=title)
    dialog.get_by_role("textbox").fill(text)
    dialog.get_by_role("button", name=button).click()
    expect(dialog).to_have_count(0)


def test_star_tag_comment_and_filter(page: Any, server: Any, sheet: str) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, "12 rows")

    cell_menu(page, "msg", "line 1", "Star row")
    expect(page.get_by_role("status").filter(has_text="Starred the row")).to_be_visible()
    go_to_column(page, "starred")
    cell_menu(page, "msg", "line 2", "Tag row…")
    prompt(page, "Tag row", "ssh-bruteforce", "Tag")
    cell_menu(page, "msg", "line 4", "Tag row…")
    prompt(page, "Tag row", "ssh-bruteforce", "Tag")
    cell_menu(page, "msg", "line 4", "Comment row…")
    prompt(page, "Comment row", MARKUP, "Comment")
    expect(page.get_by_role("status").filter(has_text="Commented the row")).to_be_visible()

    set_filter(page, "starred")
    expect_total(page, "1 row")
    assert column_texts(page, "msg", 1) == ["line 1"]
    set_filter(page, "tag = 'ssh-bruteforce'")
    expect_total(page, "2 rows")
    assert column_texts(page, "tags", 2) == ["ssh-bruteforce", "ssh-bruteforce"]
    set_filter(page, "comment contains 'onerror'")
    expect_total(page, "1 row")
    assert column_texts(page, "comment", 1) == [MARKUP]  # text, never markup
    assert page.locator(".ag-cell img").count() == 0 and page.evaluate("window.pwned") is None
    assert [(a.kind, a.value) for a in server.ws.annotations(sheet)] == [
        ("star", ""),
        ("tag", "ssh-bruteforce"),
        ("tag", "ssh-bruteforce"),
        ("comment", MARKUP),
    ]


def test_star_every_row_of_a_view(page: Any, server: Any, sheet: str) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    set_filter(page, "user = 'root'")
    expect_total(page, "4 rows")
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menu", name="Views").get_by_role("menuitem", name="Star all rows of this view…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Star the 4 rows of this view?")
    dialog.get_by_role("button", name="Star").click()
    expect(page.get_by_role("status").filter(has_text="Starred 4 rows")).to_be_visible()
    set_filter(page, "starred")
    expect_total(page, "4 rows")
    assert column_texts(page, "user", 4) == ["root"] * 4


def test_the_filter_builder_offers_the_annotations(page: Any, server: Any, sheet: str) -> None:
    from logsheet.query.spellings import build_query

    server.ws.annotate(sheet, build_query("n < 3"), star=True)
    server.ws.annotate(sheet, build_query("n = 5"), tag="t1110")
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, "12 rows")
    page.get_by_role("button", name="Builder").click()
    builder = page.get_by_role("group", name="Filter builder")
    builder.get_by_role("button", name="+ Condition").first.click()
    builder.get_by_label("Column").last.fill("(annotations)")
    operator = builder.get_by_label("Operator").last
    expect(operator).to_have_value("starred")
    expect(page.get_by_label("Filter (filter language)")).to_have_value("starred")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "3 rows")
    operator.select_option("tagged")
    builder.get_by_label("Value", exact=True).last.fill("t1110, other")
    expect(page.get_by_label("Filter (filter language)")).to_have_value("tag in ('t1110', 'other')")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "1 row")
    set_filter(page, "tag != 't1110'")  # from the text to the builder: the condition shows there
    expect_total(page, "11 rows")
    expect(builder.get_by_label("Operator").last).to_have_value("not tagged")
    expect(builder.get_by_label("Value", exact=True).last).to_have_value("t1110")
