"""Deleting a saved view in the page: from the Views menu, after a confirm, names shown as text (issue 19,
item 7), and a stored view that cannot be read any more is listed, not opened, and can be deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import expect_total

from fixtures import START, ct_record, ct_s3_key, write_gz_json
from logsheet.core import ir

RECORDS = 20
MARKUP = '<img src=x onerror="window.pwned=1">'


@pytest.fixture
def sheet(server: Any, inputs: Path) -> str:
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": [ct_record(i) for i in range(RECORDS)]})
    ws = server.ws
    ws.import_paths([inputs / "ct"], sheet="trail")
    ws.save_view("trail", "launches", ir.query_from_json({"version": 1, "search": "RunInstances"}))
    ws.save_view("trail", MARKUP, ir.query_from_json({"version": 1}))
    where: dict[str, Any] = {"kind": "blank", "column": "eventName"}
    for _ in range(300):  # stored before the IR's depth limit: unreadable now
        where = {"kind": "not", "item": where}
    ws.catalog.save_view(ws.sheet("trail").id, "too deep", json.dumps({"version": 1, "where": where}))
    return "trail"


def views_menu(page: Any) -> Any:
    page.get_by_role("button", name="Views ▾").click()
    menu = page.get_by_role("menu", name="Views")
    expect(menu).to_be_visible()
    return menu


def test_delete_a_saved_view_with_a_confirm(page: Any, server: Any, sheet: str) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect_total(page, f"{RECORDS} rows")

    menu = views_menu(page)
    expect(menu.get_by_role("menuitem", name="Open “launches”")).to_be_visible()
    expect(menu.get_by_role("menuitem", name=f"Open “{MARKUP}”")).to_be_visible()  # the name is text, not markup
    assert menu.locator("img").count() == 0
    unreadable = menu.get_by_role("menuitem", name="“too deep” cannot be opened", exact=False)
    expect(unreadable).to_be_disabled()

    menu.get_by_role("menuitem", name=f"Delete “{MARKUP}”…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"The saved view {MARKUP} will be forgotten")
    dialog.get_by_role("button", name="Cancel").click()
    assert MARKUP in [v["name"] for v in server.ws.views(sheet)]  # cancelled: nothing deleted

    views_menu(page).get_by_role("menuitem", name=f"Delete “{MARKUP}”…").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text=f"Deleted view {MARKUP}")).to_be_visible()
    assert [v["name"] for v in server.ws.views(sheet)] == ["launches", "too deep"]

    views_menu(page).get_by_role("menuitem", name="Delete “too deep”…").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text="Deleted view too deep")).to_be_visible()

    menu = views_menu(page)
    expect(menu.get_by_role("menuitem", name=f"Open “{MARKUP}”")).to_have_count(0)
    expect(menu.get_by_role("menuitem", name="Delete “too deep”…")).to_have_count(0)
    menu.get_by_role("menuitem", name="Open “launches”").click()
    expect_total(page, f"{RECORDS // 5} rows")  # the remaining view still opens
    assert page.evaluate("window.pwned") is None
    assert server.ws.sheet(sheet).row_count == RECORDS
