"""The filter builder never drops input (issue 11, item 4): typing a column and then clicking, tabbing or pressing
Enter into its value keeps the focus there and keeps what is typed; Apply with an incomplete condition is refused
with the reason at the field that is missing, and everything typed stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total, open_sheet

from fixtures import write_csv

ROWS = 40  # user-0 .. user-3 ten times each; port 20..59


@pytest.fixture(scope="module")
def builder_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from logsheet.workspace import Workspace

    root = tmp_path_factory.mktemp("filter-builder")
    rows = [[f"user-{i % 4}", 20 + i, "web", f"user-{i % 4}" if i % 2 == 0 else "USER-x"] for i in range(ROWS)]
    data = write_csv(root / "logins.csv", ["user", "port", "host", "owner"], rows)  # owner = user on even rows
    Workspace.open(root / "home").import_paths([data], sheet="logins")
    return root / "home"


@pytest.fixture
def logsheet_home(builder_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LOGSHEET_HOME", str(builder_home))
    monkeypatch.delenv("LOGSHEET_TOKEN", raising=False)
    yield builder_home


def open_builder(page: Any, server: Any) -> Any:
    page.goto(server.url)
    open_sheet(page, "logins")
    expect_total(page, f"{ROWS} rows")
    page.get_by_role("button", name="Builder").click()
    builder = page.get_by_role("group", name="Filter builder")
    builder.get_by_role("button", name="+ Condition").first.click()
    expect(builder.get_by_label("Column").last).to_be_focused()
    return builder


def filter_text(page: Any) -> Any:
    return page.get_by_label("Filter (filter language)")


def test_click_into_value_after_typing_a_column_keeps_focus_and_value(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Column").last.press_sequentially("user")
    value = builder.get_by_label("Value", exact=True).last
    value.click()  # the first click: the column's change must not move the focus nor rebuild the box
    expect(value).to_be_focused()
    page.keyboard.type("user-2")
    expect(value).to_have_value("user-2")
    expect(builder.get_by_label("Column").last).to_have_value("user")
    expect(filter_text(page)).to_have_value("user = 'user-2'")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "10 rows")
    # After the view changes the builder is redrawn from it: still the same condition, nothing lost.
    expect(builder.get_by_label("Value", exact=True).last).to_have_value("user-2")


def test_tab_order_column_operator_value_and_back(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    column = builder.get_by_label("Column").last
    column.press_sequentially("port")
    page.keyboard.press("Tab")
    operator = builder.get_by_label("Operator").last
    expect(operator).to_be_focused()
    operator.select_option(">=")
    expect(operator).to_be_focused()
    page.keyboard.press("Tab")
    value = builder.get_by_label("Value", exact=True).last
    expect(value).to_be_focused()
    page.keyboard.type("50")
    # Back to the column and change it: the operator (still offered) and the typed value stay.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(column).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(column).to_be_focused()
    page.keyboard.type("port")
    expect(column).to_have_value("port")
    expect(value).to_have_value("50")
    expect(builder.get_by_label("Operator").last).to_have_value(">=")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(value).to_be_focused()
    page.keyboard.press("Enter")
    expect_total(page, "10 rows")


def test_enter_in_the_column_goes_on_to_the_value(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    column = builder.get_by_label("Column").last
    column.press_sequentially("user")
    column.press("Enter")
    value = builder.get_by_label("Value", exact=True).last
    expect(value).to_be_focused()
    page.keyboard.type("user-1")
    page.keyboard.press("Enter")
    expect_total(page, "10 rows")
    expect(filter_text(page)).to_have_value("user = 'user-1'")


def test_apply_with_a_missing_value_is_refused_at_the_value(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Column").last.press_sequentially("host")
    page.get_by_role("button", name="Apply").click()
    value = builder.get_by_label("Value", exact=True).last
    message = builder.locator(".filter-cond .cond-error")
    expect(message).to_have_text("Type a value.")
    expect(message).to_be_visible()
    expect(value).to_be_focused()
    expect(value).to_have_attribute("aria-invalid", "")
    expect(value).to_have_attribute("aria-describedby", message.get_attribute("id") or "?")
    # Placed at the field: right under the value box, not somewhere else on the page.
    box, at = value.bounding_box(), message.bounding_box()
    assert box is not None and at is not None and 0 <= at["y"] - (box["y"] + box["height"]) < 40
    expect(builder.get_by_label("Column").last).to_have_value("host")
    expect_total(page, f"{ROWS} rows")  # nothing applied
    # Filling the value in clears the message; Apply then works.
    page.keyboard.type("web")
    expect(message).to_be_hidden()
    page.get_by_role("button", name="Apply").click()
    expect_total(page, f"{ROWS} rows")
    expect(filter_text(page)).to_have_value("host = 'web'")


def test_apply_with_a_missing_column_is_refused_at_the_column_keeping_the_value(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Value", exact=True).last.fill("user-3")
    builder.get_by_label("Value", exact=True).last.press("Enter")
    column = builder.get_by_label("Column").last
    message = builder.locator(".filter-cond .cond-error")
    expect(message).to_have_text("Choose a column (or remove this condition).")
    expect(column).to_be_focused()
    expect(column).to_have_attribute("aria-invalid", "")
    expect(builder.get_by_label("Value", exact=True).last).to_have_value("user-3")
    page.keyboard.type("user")
    expect(message).to_be_hidden()
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "10 rows")


def test_a_range_missing_its_second_value_is_refused_there(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Column").last.press_sequentially("port")
    builder.get_by_label("Operator").last.select_option("between")
    builder.get_by_label("Value", exact=True).last.fill("20")
    page.get_by_role("button", name="Apply").click()
    second = builder.get_by_label("Second value").last
    expect(builder.locator(".filter-cond .cond-error")).to_have_text("Type the second value of the range.")
    expect(second).to_be_focused()
    expect(builder.get_by_label("Value", exact=True).last).to_have_value("20")
    page.keyboard.type("29")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "10 rows")


def test_text_typed_after_the_builder_is_what_apply_applies(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Column").last.press_sequentially("user")
    value = builder.get_by_label("Value", exact=True).last
    value.click()
    page.keyboard.type("user-2")
    page.get_by_role("button", name="Apply").click()  # straight from the value box: the builder's tree
    expect_total(page, "10 rows")
    expect(value).to_have_value("user-2")
    # Then the text: typed and applied at once, before the builder follows it.
    filter_text(page).fill("user = 'user-1' or user = 'user-3'")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, "20 rows")
    expect(filter_text(page)).to_have_value("user = 'user-1' or user = 'user-3'")


def test_a_column_compared_with_another_column_both_ways(page: Any, server: Any) -> None:
    builder = open_builder(page, server)
    builder.get_by_label("Column").last.press_sequentially("user")
    builder.get_by_label("Operator").last.select_option("= column")
    value = builder.get_by_label("Value", exact=True).last
    expect(value).to_have_attribute("placeholder", "other column")
    value.fill("owner")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, f"{ROWS // 2} rows")
    expect(filter_text(page)).to_have_value("user = column(owner)")
    # The text back into the builder: the operator and the other column's name
    filter_text(page).fill("user != column(owner) nocase")
    page.get_by_role("button", name="Apply").click()
    expect_total(page, f"{ROWS // 2} rows")
    expect(builder.get_by_label("Operator").last).to_have_value("!= column")
    expect(builder.get_by_label("Value", exact=True).last).to_have_value("owner")
