"""The upload form's import options: folded under "Import options", sent only when filled, and a refusal by the
server (a year out of range) shown as text in the form, which keeps what the user typed for the next try."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import expect

LINE = "Mar 22 15:40:{second:02d} host sshd[{pid}]: Accepted password for root from 1.2.3.4 port {port} ssh2"


def test_year_and_time_zone_reach_the_import_and_a_bad_year_is_refused_in_the_form(
    page: Any, server: Any, inputs: Path, page_watch: Any
) -> None:
    page_watch.allow(r"Failed to load resource: the server responded with a status of 400")
    source = inputs / "secure"
    source.write_text("".join(LINE.format(second=17 + i, pid=100 + i, port=50000 + i) + "\n" for i in range(3)), encoding="utf-8")

    page.goto(server.url + "/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose files…").click()
    chooser.value.set_files(str(source))
    form = page.get_by_role("region", name="New import")
    form.get_by_label("Sheet name").fill("auth")

    # The options are folded away until asked for.
    year = form.get_by_label("Year (syslog)")
    expect(year).to_be_hidden()
    form.get_by_text("Import options", exact=True).click()
    expect(year).to_be_visible()

    # A year the server refuses: its words appear in the form, no import starts, nothing is kept.
    year.fill("99999")
    form.get_by_label("Time zone").fill("UTC")
    form.get_by_role("button", name="Import", exact=True).click()
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("year must be a number such as 2022, not '99999'")
    expect(page.locator("section.batch")).to_have_count(0)
    expect(form.get_by_label("Time zone")).to_have_value("UTC")
    assert httpx.get(f"{server.url}/api/sheets").json() == []

    # Corrected in the same form: the import runs with year 2022 and UTC.
    year.fill("2022")
    form.get_by_role("button", name="Import", exact=True).click()
    batch = page.locator('section.batch[data-sheet="auth"]')
    expect(batch.locator(".import-summary")).to_contain_text("3 rows imported into auth", timeout=20_000)
    expect(batch).to_contain_text("year 2022, time zone UTC")
    expect(form).to_have_count(0)

    answer = httpx.post(f"{server.url}/api/sheets/{quote('auth', safe='')}/query", json={"sort": ["timestamp"], "limit": 1})
    assert answer.status_code == 200, answer.text
    page_rows = answer.json()
    column = [c["name"] for c in page_rows["columns"]].index("timestamp")
    assert page_rows["total"] == 3
    assert page_rows["rows"][0][column] == "2022-03-22T15:40:17Z"


def test_the_encoding_option_reaches_the_import(page: Any, server: Any, inputs: Path) -> None:
    """A Windows-1252 CSV imported with Encoding cp1252 from the form: its accents arrive as written."""
    source = inputs / "people.csv"
    source.write_bytes("who,where\nJosé,Zürich\nnaïve,Ærø\n".encode("cp1252"))
    page.goto(server.url + "/")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Choose files…").click()
    chooser.value.set_files(str(source))
    form = page.get_by_role("region", name="New import")
    form.get_by_label("Sheet name").fill("people")
    form.get_by_text("Import options", exact=True).click()
    form.get_by_label("Encoding (CSV, text)").fill("cp1252")
    form.get_by_role("button", name="Import", exact=True).click()
    batch = page.locator('section.batch[data-sheet="people"]')
    expect(batch.locator(".import-summary")).to_contain_text("2 rows imported into people", timeout=20_000)
    expect(batch).to_contain_text("encoding cp1252")
    rows = httpx.post(f"{server.url}/api/sheets/people/query", json={"limit": 10}).json()["rows"]
    assert [row[-2:] for row in rows] == [["José", "Zürich"], ["naïve", "Ærø"]]
