"""The case report through the workspace facade (``Workspace.report``): what each part holds on a small case
whose contents are known, hostile values from the logs, the case name, tags, comments and saved views inert in
both formats (HTML: only the report's own elements and escaped text; Markdown: no raw HTML, no link, no code
span, tables whose cells a pipe cannot split), saved views cut at 200 rows and saying so, and the refusals."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fixtures import ACCOUNT, REGION, START, ct_record, ct_s3_key, write_gz_json, write_ndjson
from logsheet.core.errors import LogsheetError, NotFound
from logsheet.query.spellings import build_query
from logsheet.report import markdown
from logsheet.workspace import Workspace

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "=cmd|' /C calc'!A0",
    "[click](javascript:alert(4))",
    "`code` | pipe | ",
    "+1+1",
    "@SUM(A1:A2)",
]
CASE = '"><svg onload=alert(5)> case'
TAG = "<b>tag</b>"
COMMENT = "seen <script>alert(6)</script> | [x](javascript:alert(7))"
#: The elements a report is made of: its own and vl-convert's SVG (no script, image, frame, object, link).
ALLOWED = {
    *("html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "section", "table", "thead", "tbody"),
    *("tr", "th", "td", "span", "div", "code", "figure", "figcaption"),
    *("svg", "g", "path", "rect", "text", "line", "defs", "clippath"),
}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def case_ws(logsheet_home: Path, inputs: Path) -> Workspace:
    """Case CASE: ``ct`` (CloudTrail, 40 records, two with hostile user names, one per region) and ``hostile``
    (NDJSON, one row per hostile value, 250 rows in all); rows starred, tagged and commented; two saved views."""
    ws = Workspace.open(logsheet_home)
    records = [ct_record(i) for i in range(40)]
    records[3]["userIdentity"]["userName"] = HOSTILE[0]
    records[4]["awsRegion"] = "eu-west-1"
    records[5]["userIdentity"]["userName"] = HOSTILE[2]
    write_gz_json(ct_s3_key(inputs / "ct", START, 1), {"Records": records})
    ws.import_paths([inputs / "ct"], sheet="ct", case=CASE)
    rows = [{"id": i, "value": HOSTILE[i % len(HOSTILE)], "t": f"2022-03-22T15:{i // 60:02d}:{i % 60:02d}Z"} for i in range(250)]
    ws.import_paths([write_ndjson(inputs / "hostile.ndjson", rows)], sheet="hostile", case=CASE)
    ws.annotate("ct", build_query(where="eventTime <= '2022-03-22T15:00:05Z'"), star=True)
    ws.annotate("hostile", build_query(where="id < 8"), star=True)
    ws.annotate("hostile", build_query(where="id = 1"), tag=TAG)
    ws.annotate("hostile", build_query(where="id = 2"), comment=COMMENT, author="<i>analyst</i>")
    ws.save_view("hostile", "<em>first</em>", build_query(where="id < 300"))
    ws.save_view("ct", "errors", build_query(where="eventName != 'x'", columns=["eventTime", "userIdentity.userName"]))
    return ws


def test_the_html_report_holds_every_part_and_only_inert_text(case_ws: Workspace) -> None:
    text = case_ws.report(CASE, "html", [("hostile", "<em>first</em>")], title="<h1>t</h1>", author=HOSTILE[1])
    parsed = Elements()
    parsed.feed(text)
    assert parsed.tags <= ALLOWED, parsed.tags - ALLOWED
    assert not {a for a in parsed.attributes if a.startswith("on") or a in ("href", "src", "xlink:href", "srcset")}
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">' in text
    shown = "".join(parsed.text)
    for value in [*HOSTILE[:5], CASE, TAG, "<i>analyst</i>", "<em>first</em>", "<h1>t</h1>"]:
        assert value in shown, value  # shown as the text it is
    assert "<script" not in text.lower().replace("&lt;script", "")
    assert "onerror=" not in text.replace("onerror=alert(2)&gt;", "") and "<svg onload" not in text
    assert "seen &lt;script&gt;alert(6)&lt;/script&gt; | [x](javascript:alert(7))" in text
    # the parts
    for heading in ("Summary", "Charts", "Findings", "Starred events", "Saved views", "Evidence appendix"):
        assert f"<h2>{heading}</h2>" in text
    assert text.count("<svg") == 1  # the histogram (no findings: no levels chart)
    assert "The first 200 of 250 rows (a report shows at most 200)." in text
    assert ACCOUNT in shown and REGION in shown and "eu-west-1" in shown


def test_starred_events_are_in_time_order_with_their_tags_and_comments(case_ws: Workspace) -> None:
    from logsheet.report import gather

    report = gather(case_ws, CASE)
    times = [e.time for e in report.starred]
    assert times == sorted(times) and report.starred_total == len(report.starred) == 6 + 8
    by_value = {e.summary: e for e in report.starred if e.sheet == "hostile"}
    tagged = [e for e in report.starred if e.tags]
    assert [e.tags for e in tagged] == [(TAG,)]
    commented = [e for e in report.starred if e.comments]
    assert [(c.text, c.author) for e in commented for c in e.comments] == [(COMMENT, "<i>analyst</i>")]
    assert len(by_value) == 8
    assert [s.name for s in report.sheets] == ["ct", "hostile"]
    assert {c.value for c in report.summary["region"]} == {REGION, "eu-west-1"}
    assert [c.value for c in report.summary["account"]] == [ACCOUNT]


def test_the_evidence_appendix_is_every_source_with_its_hash_and_accounting(case_ws: Workspace, inputs: Path) -> None:
    from logsheet.report import gather

    report = gather(case_ws, CASE)
    assert len(report.evidence) == 2
    for e in report.evidence:
        data = Path(e.path).read_bytes()
        assert e.sha256 == hashlib.sha256(data).hexdigest() and e.size == len(data)
        assert e.read == e.kept + e.rejected + e.duplicates and e.imported_at.startswith("20")
    assert {(e.sheet, e.kept) for e in report.evidence} == {("ct", 40), ("hostile", 250)}


def _cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_the_markdown_report_escapes_html_links_code_and_pipes(case_ws: Workspace) -> None:
    text = case_ws.report(CASE, "md", [("hostile", "<em>first</em>")], author=HOSTILE[4])
    assert "<" not in text.replace("&lt;", "")  # no raw HTML at all: markup is entities
    assert "](javascript" not in text and "](" not in text.replace("](data:image/svg+xml;base64,", "")
    assert "`" not in text.replace("\\`", "").replace("`sha256sum FILE`", "")
    tables = [block.splitlines() for block in text.split("\n\n") if block.startswith("| ")]
    assert len(tables) >= 6
    for table in tables:
        widths = {len(_cells(line)) for line in table}
        assert len(widths) == 1, table[:3]  # a pipe in a value never adds a cell
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert "The first 200 of 250 rows (a report shows at most 200)." in text
    assert text.count("](data:image/svg+xml;base64,") == 1


def test_md_escapes_what_would_be_markdown() -> None:
    assert markdown.md("a|b `c` [d](javascript:e) <f> & *g* _h_") == (
        "a\\|b \\`c\\` \\[d\\]\\(javascript:e\\) &lt;f&gt; &amp; \\*g\\* \\_h\\_"
    )
    assert markdown.md("# heading") == "\\# heading" and markdown.md("1. item") == "1\\. item"
    assert markdown.md("- item") == "\\- item" and markdown.md("2022-03-22") == "2022-03-22"
    assert markdown.md("two\nlines") == "two lines"


def test_refusals_name_what_is_wrong(case_ws: Workspace) -> None:
    with pytest.raises(NotFound, match="no case"):
        case_ws.report("nope", "html")
    with pytest.raises(NotFound, match="no saved view named 'gone'.*'<em>first</em>'"):
        case_ws.report(CASE, "html", [("hostile", "gone")])
    with pytest.raises(NotFound, match="not in the case"):
        case_ws.create_case("other")
        case_ws.report("other", "html", [("hostile", "<em>first</em>")])
    with pytest.raises(LogsheetError, match="unknown report format 'pdf'"):
        case_ws.report(CASE, "pdf")
    with pytest.raises(LogsheetError, match="SHEET:VIEW"):
        from logsheet.report import parse_view

        parse_view("no-colon")


def test_an_empty_case_has_a_report_too(case_ws: Workspace) -> None:
    case_ws.create_case("empty")
    text = case_ws.report("empty", "html")
    assert "0 sheet(s)" in text and "No findings" in text and "No starred events" in text and "<svg" not in text


def test_a_case_without_annotations_or_findings(case_ws: Workspace, inputs: Path) -> None:
    rows = [{"t": f"2022-03-22T16:00:0{i}Z", "host": f"h{i}"} for i in range(3)]
    case_ws.import_paths([write_ndjson(inputs / "quiet.ndjson", rows)], sheet="quiet", case="quiet")
    rows = [{"n": i} for i in range(2)]
    case_ws.import_paths([write_ndjson(inputs / "timeless.ndjson", rows)], sheet="timeless", case="quiet")
    text = case_ws.report("quiet", "md")
    assert "No starred events in the case." in text and "No findings" in text
    assert "timeless is not on the timeline: it has no time column." in text
    assert "time span 2022-03-22 16:00:00 UTC to 2022-03-22 16:00:02 UTC" in text


def test_a_chart_svg_that_reaches_outside_is_refused() -> None:
    from logsheet.report.charts import checked_svg

    assert checked_svg('<svg><g clip-path="url(#c1)"><text>x</text></g></svg>').startswith("<svg")
    for bad in ('<svg><image href="http://x/y.png"/></svg>', '<svg onload="x()"></svg>', "<svg><script>x</script></svg>",
                '<svg><rect style="fill:url(http://x)"/></svg>'):  # fmt: skip
        with pytest.raises(LogsheetError):
            checked_svg(bad)


def test_each_report_is_recorded_in_the_audit_trail(case_ws: Workspace) -> None:
    text = case_ws.report(CASE, "md", [("hostile", "<em>first</em>")])
    entry = case_ws.audit(CASE)[-1]
    assert entry["action"] == "report" and entry["cases"] == [CASE] and entry["sheets"] == ["ct", "hostile"]
    assert entry["detail"]["format"] == "md" and entry["detail"]["views"] == ["hostile:<em>first</em>"]
    assert entry["detail"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert case_ws.verify_audit()["ok"] is True
