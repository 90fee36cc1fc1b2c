"""The filter language's aliases (docs/filter-language.md, "Aliases"; issue 11, item 4) typed into the filter
bar on the demo incident: each gives exactly the rows of its canonical spelling (the total shown against the
workspace's own count of the canonical filter), and a bad alias is refused with its error at the character."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from web_ui import set_filter, total

from logsheet.core import ir
from logsheet.demo import FACTS
from logsheet.query.filterlang import FilterSyntaxError, parse_filter

ATTACKER_IP = "123.214.118.119"


@pytest.fixture
def logsheet_home(demo_logsheet_home: Path) -> Path:
    """This module's tests run on the demo workspace (tests/web/conftest.py builds it once per module)."""
    return demo_logsheet_home


def count(server: Any, sheet: str, canonical: str) -> int:
    return server.ws.count(sheet, ir.Query(where=parse_filter(canonical)))


def two_word_user_agent(server: Any) -> str:
    """A userAgent of the instance's own API calls that has a space in it (read from the sheet, not assumed)."""
    where = parse_filter(f"sourceIPAddress = '{FACTS.attacker_api_ip}' and userAgent contains ' '")
    page = server.ws.query("cloudtrail", ir.Query(where=where), limit=1)
    value = page.rows[0][[c.name for c in page.columns].index("userAgent")]
    assert isinstance(value, str) and " " in value and '"' not in value
    return value


def open_sheet_page(page: Any, server: Any, sheet: str) -> None:
    page.goto(f"{server.url}/sheets/{sheet}")
    expect(page.locator("h1.sheet-title")).to_have_text(sheet)
    expect(total(page)).to_have_text(f"{server.ws.count(sheet):,} rows", timeout=60_000)


def rows_text(n: int) -> re.Pattern[str]:
    return re.compile(rf"^\s*{n:,} rows?\s*$")


ALIASES = [
    # (sheet, typed alias, canonical spelling)
    ("cloudtrail", "eventName:RunInstances", "eventName = 'RunInstances'"),
    ("cloudtrail", "eventName:Describe*", "eventName starts with 'Describe'"),
    ("cloudtrail", "eventName:*Instances", "eventName ends with 'Instances'"),
    ("cloudtrail", "userAgent:*aws-cli*", "userAgent contains 'aws-cli'"),
    ("cloudtrail", "eventName:RunInstances && errorMessage:*", "eventName = 'RunInstances' and errorMessage is not blank"),
    ("cloudtrail", "eventName:RunInstances || eventName:ListBuckets", "eventName = 'RunInstances' or eventName = 'ListBuckets'"),
    ("cloudtrail", "eventName == 'RunInstances'", "eventName = 'RunInstances'"),
    ("cloudtrail", "!eventName:RunInstances", "not (eventName = 'RunInstances')"),
    ("cloudtrail", "!(readOnly:true || eventName:RunInstances)", "not (readOnly = true or eventName = 'RunInstances')"),
    ("cloudtrail", "EVENTNAME = 'RunInstances'", "eventName = 'RunInstances'"),
    (
        "cloudtrail",
        "sourceipaddress:44.202.228.109 && eventname:ListBuckets",
        "sourceIPAddress = '44.202.228.109' and eventName = 'ListBuckets'",
    ),
    ("secure", f"SRC_IP:{ATTACKER_IP} && Outcome:success", f"src_ip = '{ATTACKER_IP}' and outcome = 'success'"),
    ("secure", f"src_ip == '{ATTACKER_IP}'", f"src_ip = '{ATTACKER_IP}'"),
    ("vpcflow", f"srcaddr:{ATTACKER_IP} && dstport:22", f"srcaddr = '{ATTACKER_IP}' and dstport = 22"),
    ("vpcflow", "bytes:>1000 || Action:REJECT", "bytes > 1000 or action = 'REJECT'"),
]


@pytest.mark.parametrize(("sheet", "alias", "canonical"), ALIASES, ids=[a for _, a, _ in ALIASES])
def test_an_alias_gives_the_rows_of_its_canonical_spelling(
    page: Any, server: Any, sheet: str, alias: str, canonical: str
) -> None:
    expected = count(server, sheet, canonical)
    assert 0 < expected < server.ws.count(sheet)  # a filter that tells rows apart
    open_sheet_page(page, server, sheet)
    set_filter(page, alias)
    expect(total(page)).to_have_text(rows_text(expected), timeout=60_000)
    expect(page.locator(".filter-bar .inline-error")).to_be_hidden()


def test_a_double_quoted_two_word_value(page: Any, server: Any) -> None:
    agent = two_word_user_agent(server)
    canonical = "userAgent = '" + agent.replace("'", "''") + "'"
    expected = count(server, "cloudtrail", canonical)
    assert expected > 0
    open_sheet_page(page, server, "cloudtrail")
    set_filter(page, f'userAgent:"{agent}"')
    expect(total(page)).to_have_text(rows_text(expected), timeout=60_000)


@pytest.mark.parametrize(
    "bad",
    ["eventName:Run*Instances", "eventName:(RunInstances or ListBuckets)", "eventName:RunInstances &&", "eventName:and"],
)
def test_a_bad_alias_shows_its_error_at_the_character(page: Any, server: Any, page_watch: Any, bad: str) -> None:
    page_watch.allow(r"400|Bad Request")
    with pytest.raises(FilterSyntaxError) as refused:
        parse_filter(bad)
    at = refused.value.position
    reason = str(refused.value).split(" at position ")[0]
    open_sheet_page(page, server, "cloudtrail")
    before = total(page).text_content()
    set_filter(page, bad)
    error = page.locator(".filter-bar .inline-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(reason)
    box = page.get_by_label("Filter (filter language)")
    expect(box).to_be_focused()
    expect(box).to_have_value(bad)  # nothing typed is lost
    selection = box.evaluate("e => [e.selectionStart, e.selectionEnd]")
    assert selection == [at, min(len(bad), at + 1)]  # the offending character is selected
    expect(total(page)).to_have_text(before or "")  # the view did not change
