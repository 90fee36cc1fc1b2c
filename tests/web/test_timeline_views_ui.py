"""The timeline's saved views and annotations in Chromium (issue 12, items 2 and 4), and the case a pivot from a
sheet looks across (item 3): save a filtered timeline view by name and open it again from the Views menu; star
one timeline row and tag every row of the view from the timeline, and find them in their own sheet; pivot on a
cell of a sheet opens the entity page of a case holding the sheet (the one the user came from), which says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import cell_menu, column_texts, expect_total, set_filter

from timeline_fixtures import build_case


@pytest.fixture
def case(server: Any, inputs: Path) -> str:
    build_case(server.ws, inputs)
    return "ir"


def views_menu(page: Any, item: str) -> None:
    page.get_by_role("button", name="Views ▾").click()
    page.get_by_role("menu").get_by_role("menuitem", name=item, exact=True).click()


def prompt(page: Any, title: str, text: str, button: str) -> None:
    dialog = page.get_by_role("dialog", name=title)
    dialog.get_by_role("textbox").fill(text)
    dialog.get_by_role("button", name=button).click()
    expect(dialog).to_have_count(0)


def test_save_and_open_a_timeline_view_and_annotate_its_rows(page: Any, server: Any, case: str) -> None:
    page.goto(f"{server.url}/cases/{case}/timeline")
    expect_total(page, f"{40 + server.ws.sheet('secure').row_count:,} rows")
    set_filter(page, "sheet = 'notes'")
    expect_total(page, "10 rows")
    views_menu(page, "Save this view as…")
    prompt(page, "Save view", "the notes", "Save")
    expect(page.get_by_role("status").filter(has_text="Saved view the notes")).to_be_visible()
    assert [v["name"] for v in server.ws.timeline_views(case)] == ["the notes"]

    page.goto(f"{server.url}/cases/{case}/timeline")
    expect_total(page, f"{40 + server.ws.sheet('secure').row_count:,} rows")
    views_menu(page, "Open “the notes”")
    expect_total(page, "10 rows")
    expect(page.get_by_label("Filter (filter language)")).to_have_value("sheet = 'notes'")

    cell_menu(page, "summary", "note 3 · ana", "Star row")
    expect(page.get_by_role("status").filter(has_text="Starred the row")).to_be_visible()
    views_menu(page, "Tag all rows of this view…")
    prompt(page, "Tag the 10 rows of this view", "seen", "Tag")
    expect(page.get_by_role("status").filter(has_text="Tagged 10 rows seen")).to_be_visible()

    page.goto(f"{server.url}/sheets/notes")
    expect_total(page, "10 rows")
    set_filter(page, "starred")
    expect_total(page, "1 row")
    assert column_texts(page, "msg", 1) == ["note 3"]
    set_filter(page, "tag = 'seen'")
    expect_total(page, "10 rows")
    assert [a.kind for a in server.ws.annotations("secure")] == []

    # the timeline shows the rows' annotations from their sheets, filters on them, and offers to unstar
    page.goto(f"{server.url}/cases/{case}/timeline")
    set_filter(page, "starred")
    expect_total(page, "1 row")
    assert column_texts(page, "summary", 1) == ["note 3 · ana"]
    set_filter(page, "tag = 'seen'")
    expect_total(page, "10 rows")
    cell_menu(page, "summary", "note 3 · ana", "Unstar row")
    expect(page.get_by_role("status").filter(has_text="Unstarred the row")).to_be_visible()
    set_filter(page, "starred")
    expect_total(page, "0 rows")


def test_a_pivot_from_a_sheet_looks_across_a_case_holding_it(page: Any, server: Any, case: str) -> None:
    server.ws.create_case("aaa", ["notes"])  # first by name among the cases holding notes (other than default)
    page.goto(f"{server.url}/sheets/notes")
    expect_total(page, "10 rows")
    cell_menu(page, "msg", "note 1", "Pivot on this value")
    expect(page.get_by_test_id("entity-value")).to_have_text("note 1")
    assert page.url.endswith("/cases/aaa/entities/note%201")
    expect(page.get_by_test_id("entity-scope")).to_have_text("Across the sheets of case aaa")

    page.goto(f"{server.url}/sheets/notes?from=/cases/{case}/timeline")  # opened from the timeline of case ir
    expect_total(page, "10 rows")
    cell_menu(page, "msg", "note 1", "Pivot on this value")
    expect(page.get_by_test_id("entity-scope")).to_have_text(f"Across the sheets of case {case}")
    assert page.url.endswith(f"/cases/{case}/entities/note%201")
