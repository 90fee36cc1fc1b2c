"""IOC files read into indicators: plain text (comments, defanged values), CSV (MISP's export, a bare list),
STIX 2.1 bundles (patterns, observables), each value's kind by its shape or given, and nothing dropped
silently: what is not an indicator is set aside with its line and the reason, repeats are counted."""

from __future__ import annotations

import json

import pytest

from logsheet.core.errors import LogsheetError
from logsheet.detect import iocs
from logsheet.detect.iocs import Indicator, classify, indicator, parse, refang

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("203.0.113.7", "ip"),
        ("2001:DB8::1", "ip"),
        ("198.51.100.0/24", "cidr"),
        ("evil.example.com", "domain"),
        ("https://evil.example/a?b=c", "url"),
        (SHA256.upper(), "hash"),
        ("d41d8cd98f00b204e9800998ecf8427e", "hash"),
        ("AKIAIOSFODNN7EXAMPLE", "access_key"),
        ("ASIAY34FZKBOKMUTVV7A", "access_key"),
        ("arn:aws:iam::123456789012:user/mallory", "user"),
        ("mallory@evil.example", "user"),
        ("i-0123456789abcdef0", "instance"),
        ("123456789012", "account"),
        ("mallory", None),
        ("two words", None),
        ("300.1.2.3/99", None),
    ],
)
def test_a_values_kind_is_told_by_its_shape(text: str, kind: str | None) -> None:
    assert classify(text) == kind


def test_values_are_normalised_as_logs_write_them_and_kept_as_written() -> None:
    assert indicator("2001:DB8:0:0::1") == Indicator("ip", "2001:db8::1", "2001:DB8:0:0::1")
    assert indicator("10.1.2.3/8") == Indicator("cidr", "10.0.0.0/8", "10.1.2.3/8")
    assert indicator("10.1.2.3/32") == Indicator("ip", "10.1.2.3", "10.1.2.3/32")
    assert indicator("Evil.Example.") == Indicator("domain", "evil.example", "Evil.Example.")
    assert indicator(SHA256.upper()).value == SHA256
    assert indicator("HTTPS://EVIL.example/Path").value == "https://evil.example/Path"
    assert indicator("mallory", "user") == Indicator("user", "mallory")
    with pytest.raises(ValueError, match="not an access key id"):
        indicator("ASIASHORT", "access_key")


def test_defanged_indicators_are_read_as_what_they_stand_for() -> None:
    assert refang("1.2.3[.]4") == "1.2.3.4"
    assert refang("hxxps://evil[.]example[/]x") == "https://evil.example/x"
    assert refang("evil(.)example") == "evil.example"
    assert refang("mallory[@]evil[dot]example") == "mallory@evil.example"
    found = indicator("hxxp://198.51.100[.]7:8080/x")
    assert (found.kind, found.value, found.original) == ("url", "http://198.51.100.7:8080/x", "hxxp://198.51.100[.]7:8080/x")


def test_a_plain_list_keeps_comments_out_and_sets_aside_what_is_no_indicator() -> None:
    text = "# campaign X\n\n203.0.113.7   # c2\n203.0.113[.]7\nevil.example\nnot an indicator\nmallory\n"
    parsed = parse(text.encode(), "list.txt")
    assert parsed.format == "text"
    assert [(i.kind, i.value, i.note, i.line) for i in parsed.indicators] == [
        ("ip", "203.0.113.7", "c2", 3),
        ("domain", "evil.example", "", 5),
    ]
    assert parsed.duplicates == 1
    assert [(r.line, r.text) for r in parsed.rejected] == [(6, "not an indicator"), (7, "mallory")]
    assert all("--kind user" in r.reason for r in parsed.rejected)
    users = parse(b"mallory\neve\n", "users.txt", kind="user")
    assert [(i.kind, i.value) for i in users.indicators] == [("user", "mallory"), ("user", "eve")]


def test_misps_csv_export_reads_with_its_types_and_comments() -> None:
    text = (
        "uuid,event_id,category,type,value,comment,to_ids,date\n"
        "a,1,Network activity,ip-dst,203.0.113.7,c2 server,1,1650000000\n"
        "b,1,Network activity,domain,Evil.Example,,1,1650000000\n"
        "c,1,Payload delivery,sha256," + SHA256 + ",dropper,1,1650000000\n"
        "d,1,Other,text,some note,,0,1650000000\n"
        "e,1,Network activity,ip-src,999.1.1.1,,1,1650000000\n"
    )
    parsed = parse(text.encode(), "misp.csv")
    assert parsed.format == "csv"
    assert [(i.kind, i.value, i.note) for i in parsed.indicators] == [
        ("ip", "203.0.113.7", "c2 server"),
        ("domain", "evil.example", ""),
        ("hash", SHA256, "dropper"),
    ]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (5, "indicator type 'text' is not one logsheet matches"),
        (6, "'999.1.1.1' is not an IP address"),
    ]


def test_a_csv_without_a_header_takes_its_first_column() -> None:
    parsed = parse(b"203.0.113.7,c2\n198.51.100.0/24,range\n", "x.csv")
    assert [(i.kind, i.value) for i in parsed.indicators] == [("ip", "203.0.113.7"), ("cidr", "198.51.100.0/24")]


def test_stix_bundles_give_their_indicators_patterns_and_observables() -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--1",
        "objects": [
            {"type": "indicator", "name": "c2", "pattern_type": "stix", "pattern": "[ipv4-addr:value = '203.0.113.7']"},
            {
                "type": "indicator",
                "name": "either",
                "pattern": "[domain-name:value = 'evil.example'] OR [url:value = 'https://evil.example/it\\'s']",
            },
            {"type": "indicator", "name": "net", "pattern": "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"},
            {"type": "indicator", "name": "hash", "pattern": f"[file:hashes.'SHA-256' = '{SHA256}']"},
            {"type": "indicator", "name": "both", "pattern": "[ipv4-addr:value = '192.0.2.1' AND ipv4-addr:value = '192.0.2.2']"},
            {"type": "indicator", "name": "like", "pattern": "[domain-name:value LIKE '%.evil.example']"},
            {"type": "indicator", "name": "snort", "pattern_type": "snort", "pattern": "alert tcp any any"},
            {"type": "ipv6-addr", "id": "ipv6-addr--1", "value": "2001:db8::7"},
            {"type": "malware", "name": "ignored"},
        ],
    }
    parsed = parse(json.dumps(bundle).encode(), "bundle.json")
    assert parsed.format == "stix"
    assert [(i.kind, i.value, i.note) for i in parsed.indicators] == [
        ("ip", "203.0.113.7", "c2"),
        ("domain", "evil.example", "either"),
        ("url", "https://evil.example/it's", "either"),
        ("cidr", "198.51.100.0/24", "net"),
        ("hash", SHA256, "hash"),
        ("ip", "192.0.2.1", "both"),
        ("ip", "192.0.2.2", "both"),
        ("ip", "2001:db8::7", "ipv6-addr--1"),
    ]
    reasons = [r.reason for r in parsed.rejected]
    assert any("LIKE" in r and "not an equality" in r for r in reasons)
    assert any("'snort' is not a STIX pattern" in r for r in reasons)
    assert parsed.notes and "AND" in parsed.notes[0]


def test_files_that_are_no_list_are_refused_with_one_clear_line() -> None:
    with pytest.raises(LogsheetError, match="binary"):
        parse(b"\x00\x01\x02" * 10, "x.bin")
    with pytest.raises(LogsheetError, match="does not parse"):
        parse(b'{"type": "bundle", "objects": [', "x.json")
    with pytest.raises(LogsheetError, match="not a STIX 2.1 bundle"):
        parse(b'{"hello": 1}', "x.json")
    with pytest.raises(LogsheetError, match="at most"):
        parse(b"1.2.3.4\n" * (iocs.MAX_BYTES // 8 + 1), "big.txt")
    with pytest.raises(LogsheetError, match="unknown indicator kind"):
        parse(b"x", "x.txt", kind="colour")


def test_hostile_values_stay_values() -> None:
    parsed = parse(b"<script>alert(1)</script>\n=cmd|' /C calc'!A0\n", "x.txt", kind=None)
    assert not parsed.indicators and parsed.rejected_count == 2
    assert parsed.rejected[0].text == "<script>alert(1)</script>"
