"""The lookup dialog and the enrich step in the browser: column menu → "Lookup in another sheet…" (choose the
sheet, the keys and the columns; the dialog says how many rows find a match), column menu → "Enrich IP"; both
land in the steps list, add their columns to the grid, and undo; the entity page of an IP shows its enrichment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from web_ui import column_menu, expect_total, go_to_column, undo

from enrich_fixtures import write_ip_ranges, write_mmdb
from fixtures import write_ndjson
from lookup_rows import EVENTS, NETS, USERS


def _sheets(server: Any, folder: Path) -> None:
    for name, rows in (("events", EVENTS), ("users", USERS), ("nets", NETS)):
        server.ws.import_paths([write_ndjson(folder / f"{name}.ndjson", rows)], sheet=name)


def _go_to_new_column(page: Any, column: str) -> None:
    """Go to a column a step just added, once the view with it has arrived (the Columns dialog lists the
    columns of the view when it opens)."""
    for _ in range(30):
        page.wait_for_function("() => !document.querySelector('.grid-host.loading')")
        page.get_by_role("button", name="Columns", exact=True).click()
        target = page.get_by_role("button", name=f"Go to {column}", exact=True)
        if target.count():
            target.click()
            expect(page.locator(f'.ag-header-cell[col-id="{column}"]')).to_be_visible()
            return
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    raise AssertionError(f"the grid never showed {column}")


def test_lookup_dialog_adds_the_other_sheets_columns(page: Any, server: Any, tmp_path: Path) -> None:
    _sheets(server, tmp_path)
    page.goto(f"{server.url}/sheets/events")
    expect_total(page, "12 rows")
    column_menu(page, "user", "Lookup in another sheet…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("lookup-sheet").select_option("users")
    expect(dialog.get_by_test_id("lookup-right-key")).to_contain_text("name")
    dialog.get_by_test_id("lookup-right-key").select_option("name")
    dialog.get_by_label("Add port").uncheck()
    expect(dialog.get_by_test_id("lookup-matched")).to_have_text("3 of 12 rows find a match in users")
    dialog.get_by_label("Ignore case").check()
    expect(dialog.get_by_test_id("lookup-matched")).to_have_text("5 of 12 rows find a match in users")
    expect(dialog.locator("th.new-column")).to_have_text(["users.team", "users.matched"])
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("Lookup in users on user = name (ignoring case): team")
    expect(page.get_by_test_id("step-matched")).to_have_text("(5 of 12 rows matched)")
    expect_total(page, "12 rows")  # the row count never changes
    go_to_column(page, "users.team")
    undo(page)
    expect(page.locator(".steps-list")).to_contain_text("No steps yet.")
    expect(page.locator('.ag-header-cell[col-id="users.team"]')).to_have_count(0)


def test_cidr_lookup_and_enrich_ip_steps(page: Any, server: Any, tmp_path: Path) -> None:
    _sheets(server, tmp_path)
    server.ws.set_ip_ranges(write_ip_ranges(tmp_path / "ip-ranges.json"))
    page.goto(f"{server.url}/sheets/events")
    expect_total(page, "12 rows")
    column_menu(page, "ip", "Lookup in another sheet…")
    dialog = page.get_by_role("dialog")
    dialog.get_by_test_id("lookup-sheet").select_option("nets")
    dialog.get_by_test_id("lookup-mode").select_option("cidr")
    dialog.get_by_test_id("lookup-right-key").select_option("cidr")
    expect(dialog.get_by_test_id("lookup-matched")).to_have_text("8 of 12 rows find a match in nets")
    dialog.get_by_role("button", name="Apply step").click()
    expect(page.locator(".steps-list")).to_contain_text("Lookup in nets on ip = cidr (IP in network): label")
    expect(page.get_by_test_id("step-matched")).to_have_text("(8 of 12 rows matched)")
    column_menu(page, "ip", "Enrich IP")
    expect(page.locator(".steps-list")).to_contain_text("Enrich IP ip")
    _go_to_new_column(page, "ip.aws_service")
    expect(page.locator('.ag-cell[col-id="ip.aws_service"]', has_text="EC2").first).to_be_visible()
    page.get_by_label("Filter (filter language)").fill("ip.class = 'public' and nets.matched = true")
    page.get_by_label("Filter (filter language)").press("Enter")
    expect_total(page, "3 rows")  # 44.202.228.109, 123.214.118.119 and 2600:1f18::10 (2001:db8::1 is documentation)
    expect(page.get_by_test_id("step-matched")).to_have_text("(3 of 3 rows matched)")  # of the view's rows


def test_entity_page_shows_the_enrichment_of_an_ip(page: Any, server: Any, tmp_path: Path) -> None:
    _sheets(server, tmp_path)
    server.ws.set_ip_ranges(write_ip_ranges(tmp_path / "ip-ranges.json"))
    server.ws.set_geoip(write_mmdb(tmp_path / "geo.mmdb"))
    page.goto(f"{server.url}/cases/default/entities/44.202.228.109?anywhere=1")
    facts = page.get_by_test_id("entity-enrichment")
    expect(facts.locator("dd")).to_have_text(["public", "EC2 in us-east-1", "Ashburn, US", "AS14618 AMAZON-AES"])
    page.goto(f"{server.url}/cases/default/entities/123.214.118.119?anywhere=1")
    expect(page.get_by_test_id("entity-enrichment").locator("dd")).to_have_text(
        ["public", "outside AWS's published ranges", "Seoul, KR", "AS4766 Korea Telecom"]
    )
