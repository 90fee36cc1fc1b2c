"""What the browser tests do on the page, in the words of the page: upload, filter, read the total, open menus."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect


def total(page: Any) -> Any:
    """The exact row (or group) total shown in the sheet's header."""
    return page.get_by_test_id("total")


def expect_total(page: Any, text: str, timeout: float = 30_000) -> None:
    expect(total(page)).to_have_text(text, timeout=timeout)


def upload(page: Any, files: list[Path], sheet: str, fmt: str | None = None, timeout: float = 120_000) -> Any:
    """Uploads through the files page's picker and waits for the import summary; returns the batch element."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose files…").click()
    chooser.value.set_files([str(f) for f in files])
    name = page.get_by_label("Sheet name")
    name.fill(sheet)
    if fmt:
        page.get_by_label("Format").select_option(fmt)
    page.get_by_role("button", name="Import", exact=True).click()
    batch = page.locator(f'section.batch[data-sheet="{sheet}"]').first
    expect(batch.locator(".import-summary")).to_be_visible(timeout=timeout)
    return batch


def open_sheet(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.locator("h1.sheet-title")).to_have_text(name)


def set_filter(page: Any, text: str) -> None:
    box = page.get_by_label("Filter (filter language)")
    box.fill(text)
    box.press("Enter")


def search(page: Any, text: str) -> None:
    page.keyboard.press("Escape")
    page.locator("body").press("/")
    box = page.get_by_label("Search all columns")
    expect(box).to_be_focused()
    box.fill(text)
    box.press("Enter")


def header_ids(page: Any) -> list[str]:
    return page.locator(".ag-header-cell[col-id]").evaluate_all("els => els.map(e => e.getAttribute('col-id'))")


def column_texts(page: Any, column: str, count: int) -> list[str]:
    """The texts of a column's cells, top to bottom, once ``count`` rows of it are loaded and drawn."""
    selector = f'.ag-row.row-loaded .ag-cell[col-id="{column}"]'
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n && !document.querySelector('.grid-host.loading')"
        # every cell drawn: AG Grid can mark a row loaded a frame before its cells get their values
        " && [...document.querySelectorAll(sel)].every(c => !!c.querySelector('.cell-text[data-drawn]'))",
        arg=[selector, count],
    )
    return page.locator(selector).evaluate_all(
        "els => els.map(e => [Number(e.closest('.ag-row').getAttribute('row-index')), e.textContent])"
        ".sort((a, b) => a[0] - b[0]).map(x => x[1])"
    )


def first_text(page: Any, column: str) -> str:
    """The text of a column's cell in the first row, once loaded."""
    selector = f'.ag-row.row-loaded[row-index="0"] .ag-cell[col-id="{column}"]'
    page.wait_for_function(
        "sel => !!document.querySelector(sel + ' .cell-text[data-drawn]') && !document.querySelector('.grid-host.loading')",
        arg=selector,
    )
    return str(page.locator(selector).first.text_content())


def cell(page: Any, column: str, text: str) -> Any:
    return page.locator(f'.ag-cell[col-id="{column}"]', has_text=re.compile(f"^{re.escape(text)}$")).first


def column_menu(page: Any, column: str, item: str) -> None:
    page.get_by_role("button", name=f"Column menu for {column}", exact=True).click()
    page.get_by_role("menu").get_by_role("menuitem", name=item, exact=True).click()


def cell_menu(page: Any, column: str, text: str, item: str) -> None:
    cell(page, column, text).click(button="right")
    page.get_by_role("menu").get_by_role("menuitem", name=item, exact=True).click()


def go_to_column(page: Any, column: str) -> None:
    """Brings a column into view through the Columns dialog's "Go to" (the grid renders only what is in view)."""
    page.get_by_role("button", name="Columns", exact=True).click()
    page.get_by_role("button", name=f"Go to {column}", exact=True).click()
    expect(page.locator(f'.ag-header-cell[col-id="{column}"]')).to_be_visible()


def undo(page: Any) -> None:
    """Ctrl+Z with the focus outside any text box (where Ctrl+Z undoes typing instead)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Control+z")
