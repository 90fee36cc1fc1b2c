"""The filter language's Kibana / Splunk aliases: each parses to exactly the IR of its canonical spelling, the
formatter keeps writing the canonical spelling, errors point at the character, and column names match
ignoring case when that is unambiguous (the compiler's name resolution, and one query through the API)."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_filterlang import FRAGMENTS, normalise, predicates

from api.api_helpers import CT_RECORDS, build_workspace, make_client
from logsheet.compiler.resolve import resolve
from logsheet.core import ir
from logsheet.core.errors import FilterSyntaxError, InvalidQuery
from logsheet.core.schema import Column, Schema
from logsheet.query.filteraliases import bare_end, bare_scalar
from logsheet.query.filterlang import format_filter, parse_filter, quote_name

# ------------------------------------------------------------------------------------ alias -> canonical
PAIRS: list[tuple[str, str]] = [
    ("eventName:RunInstances", "eventName = 'RunInstances'"),
    ("eventName : RunInstances", "eventName = 'RunInstances'"),
    ('userAgent:"aws-cli/2.4.0 Python/3.8.8"', "userAgent = 'aws-cli/2.4.0 Python/3.8.8'"),
    ("userAgent:'two words'", "userAgent = 'two words'"),
    ('name:"say ""hi"""', "name = 'say \"hi\"'"),
    ('name:"it\'s"', "name = 'it''s'"),
    ('name:"a*"', "name = 'a*'"),  # a quoted value is literal: no wildcard
    ('"Event Name":x', "\"Event Name\" = 'x'"),
    ("requestParameters.bucketName:bucket-1", "requestParameters.bucketName = 'bucket-1'"),
    ("sourceIPAddress:10.0.1.1", "sourceIPAddress = '10.0.1.1'"),
    ("arn:arn:aws:iam::111122223333:user/user1", "arn = 'arn:aws:iam::111122223333:user/user1'"),
    ("path:C:\\Windows\\System32", "path = 'C:\\Windows\\System32'"),
    ("dstport:22", "dstport = 22"),
    ("dstport:-1.5", "dstport = -1.5"),
    ("zip:007", "zip = '007'"),  # leading zeros: text, so nothing is lost
    ("readOnly:true", "readOnly = true"),
    ("readOnly:FALSE", "readOnly = false"),
    ("errorCode:null", "errorCode = null"),
    ("userName:admin nocase", "userName = 'admin' nocase"),
    ("eventSource:iam.*", "eventSource starts with 'iam.'"),
    ("key:*.exe", "key ends with '.exe'"),
    ("userAgent:*aws-cli*", "userAgent contains 'aws-cli'"),
    ("userAgent:*AWS-CLI* nocase", "userAgent contains 'AWS-CLI' nocase"),
    ("port:8*", "port starts with '8'"),
    ("errorMessage:*", "errorMessage is not blank"),
    ("bytes:>1000", "bytes > 1000"),
    ("bytes:>=1000", "bytes >= 1000"),
    ("bytes:<1000", "bytes < 1000"),
    ("bytes: <= 1000", "bytes <= 1000"),
    ("eventTime:>2022-03-22T15:00:00Z", "eventTime > '2022-03-22T15:00:00Z'"),
    ("eventTime:>='2022-03-22 15:00'", "eventTime >= '2022-03-22 15:00'"),
    ("eventName == 'RunInstances'", "eventName = 'RunInstances'"),
    ("dstport == 22", "dstport = 22"),
    ("a = 1 && b = 2", "a = 1 and b = 2"),
    ("a = 1&&b = 2", "a = 1 and b = 2"),
    ("a:x&&b:y", "a = 'x' and b = 'y'"),
    ("a = 1 || b = 2", "a = 1 or b = 2"),
    ("a:x||b:y", "a = 'x' or b = 'y'"),
    ("!a:x", "not (a = 'x')"),
    ("! a = 1", "not (a = 1)"),
    ("!(a = 1 or b = 2)", "not (a = 1 or b = 2)"),
    ("!'healthcheck'", "not ('healthcheck')"),
    ("!!a:x", "not (not (a = 'x'))"),
    ("a:x && b:y || c:z", "a = 'x' and b = 'y' or c = 'z'"),  # && binds tighter than ||
    ("a:x || b:y && c:z", "a = 'x' or b = 'y' and c = 'z'"),
    ("!a:x && b:y", "not (a = 'x') and b = 'y'"),  # ! binds tighter than &&
    ("a:x && (b:y || c:z)", "a = 'x' and (b = 'y' or c = 'z')"),
    ("(a:x)", "a = 'x'"),
    ("a:x AND b:y OR NOT c:z", "a = 'x' and b = 'y' or not (c = 'z')"),
    ("a:x and b = 1 && c in (1, 2) || d is blank", "a = 'x' and b = 1 and c in (1, 2) or d is blank"),
]


@pytest.mark.parametrize(("alias", "canonical"), PAIRS, ids=[a for a, _ in PAIRS])
def test_alias_parses_to_the_canonical_ir(alias: str, canonical: str) -> None:
    expected = parse_filter(canonical)
    assert parse_filter(alias) == expected
    assert repr(parse_filter(alias)) == repr(expected)  # value types too (22 stays an int, '007' text)
    assert format_filter(parse_filter(alias)) == canonical  # the formatter writes the canonical spelling


def test_aliases_have_meaning_of_their_own() -> None:
    """Guard against an empty table passing: a few exact IRs."""
    assert parse_filter("eventName:RunInstances") == ir.Compare("eventName", "=", "RunInstances", True)
    assert parse_filter("eventSource:iam.*") == ir.TextMatch("eventSource", "starts_with", "iam.")
    assert parse_filter("errorMessage:*") == ir.Blank("errorMessage", negate=True)
    assert parse_filter("!a:1 || b:2") == ir.Or((ir.Not(ir.Compare("a", "=", 1)), ir.Compare("b", "=", 2)))


# ------------------------------------------------------------------------------------------------ errors
ERRORS: list[tuple[str, str, int]] = [
    ("eventName:", "expected a value after ':' but found end of input", 10),
    ("eventName: and b:c", "expected a value after ':' but found keyword 'and'; to match the text, quote it", 11),
    ("eventName:(a or b)", "expected a value after ':' but found '('; for one of several values write eventName in", 10),
    ("a:b*c", "a '*' wildcard may only start or end a value", 3),
    ("a:*b*c*", "a '*' wildcard may only start or end a value", 4),
    ("a:**", "'**' has no text to match", 2),
    ("a:>x*", "a '*' wildcard cannot follow ':>'", 3),
    ("a:>", "expected a value after ':>' but found end of input", 3),
    ("a:'x", "unterminated string", 2),
    ('a:"x', "unterminated string", 2),
    ("aws:SourceIp = '1.2.3.4'", "unexpected character ':' in name aws:SourceIp; double-quote names", 3),
    ("'Event Name':x", "a 'single-quoted' string is a value, not a column name", 0),
    ("a:x &&", "expected a condition after '&&' but found end of input", 6),
    ("a:x || ", "expected a condition after '||' but found end of input", 7),
    ("!", "expected a condition after '!' but found end of input", 1),
    ("a:x & b:y", "unexpected character '&'; use 'and' (or '&&')", 4),
    ("a:x | b:y", "unexpected character '|'; use 'or' (or '||')", 4),
    ("a ! b", "expected an operator after column a", 2),
    ("a:x b:y", "expected 'and', 'or' or end of input but found 'b'", 4),
    ("&& a:x", "expected a condition but found '&&'", 0),
    ("-errorCode:x", "unexpected character '-'; to exclude, write 'not' (or '!') in front, as in not a:x", 0),
    ("a:x and -b:y", "unexpected character '-'; to exclude, write 'not' (or '!') in front", 8),
    ("a = - 1", "unexpected character '-'; a minus sign must be followed by digits", 4),
]


@pytest.mark.parametrize(("text", "message", "position"), ERRORS, ids=[t for t, _, _ in ERRORS])
def test_alias_errors_point_at_the_character(text: str, message: str, position: int) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter(text)
    assert info.value.detail.startswith(message), info.value.detail
    assert info.value.position == position, info.value.detail


# ------------------------------------------------------------------------------ round trip with aliases
def _bare_text(text: str) -> bool:
    """Whether ``text`` reads back as itself when written bare after ':' (no quotes)."""
    return (
        bool(text)
        and bare_end(text, 0) == len(text)
        and text[0] not in "'\"<>="  # after ':<' a bare '=...' would read as ':<=' (the range operators are greedy)
        and "*" not in text
        and text.lower() not in ("and", "or", "not")
    )


def _colon_value(value: ir.Scalar, rng: random.Random) -> str | None:
    """A value as Kibana writes it after ':' (bare or double-quoted), or None."""
    if isinstance(value, str):
        bare = _bare_text(value) and bare_scalar(value) == value and isinstance(bare_scalar(value), str)
        if bare and rng.random() < 0.7:
            return value
        return '"' + value.replace('"', '""') + '"'
    text = format_filter(ir.Compare("x", "=", value)).removeprefix("x = ")
    return text if bare_scalar(text) == value and type(bare_scalar(text)) is type(value) else None


def _alias_leaf(pred: ir.Predicate, rng: random.Random) -> str | None:
    column = quote_name(pred.column) if hasattr(pred, "column") and pred.column else ""
    nocase = "" if getattr(pred, "case_sensitive", True) else " nocase"
    if isinstance(pred, ir.Compare) and column:
        if pred.op == "!=":
            return None
        value = _colon_value(pred.value, rng)
        if value is None:
            return f"{column} == {format_filter(pred).split(' = ', 1)[1]}" if pred.op == "=" else None
        if pred.op == "=" and rng.random() < 0.2:
            return f"{column} == {format_filter(pred).split(' = ', 1)[1]}"
        op = "" if pred.op == "=" else pred.op
        return f"{column}:{op}{value}{nocase}"
    if isinstance(pred, ir.TextMatch) and column and not pred.negate and _bare_text(pred.value):
        pattern = {"starts_with": "{}*", "ends_with": "*{}", "contains": "*{}*"}[pred.op]
        return f"{column}:{pattern.format(pred.value)}{nocase}"
    if isinstance(pred, ir.Blank) and column and pred.negate:
        return f"{column}:*"
    return None


def with_aliases(pred: ir.Predicate, rng: random.Random, chance: float) -> str:
    """Filter text for a normalised predicate, each node written with an alias (&&, ||, !, ':', '==') with
    the given chance where one exists, else canonically."""
    use = rng.random() < chance
    if isinstance(pred, ir.And):
        parts = []
        for item in pred.items:
            text = with_aliases(item, rng, chance)
            parts.append(f"({text})" if isinstance(item, ir.Or) else text)
        return (" && " if use else " and ").join(parts)
    if isinstance(pred, ir.Or):
        return (" || " if use else " or ").join(with_aliases(item, rng, chance) for item in pred.items)
    if isinstance(pred, ir.Not):
        inner = with_aliases(pred.item, rng, chance)
        leaf = not isinstance(pred.item, (ir.And, ir.Or, ir.Not))
        if use:
            return f"!{inner}" if leaf and rng.random() < 0.5 else f"!({inner})"
        return f"not ({inner})"
    alias = _alias_leaf(pred, rng) if use else None
    return alias if alias is not None else format_filter(pred)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(predicates, st.randoms(use_true_random=False), st.sampled_from([0.5, 1.0]))
def test_round_trip_with_aliases(pred: ir.Predicate, rng: random.Random, chance: float) -> None:
    expected = normalise(pred)
    text = with_aliases(expected, rng, chance)
    assert repr(parse_filter(text)) == repr(expected), text
    assert format_filter(parse_filter(text)) == format_filter(expected)


def test_the_alias_writer_writes_aliases() -> None:
    """The round trip above is only worth something if aliases actually appear in what it parses."""
    pred = ir.Or(
        (
            ir.And((ir.Compare("eventName", "=", "RunInstances"), ir.TextMatch("ua", "contains", "cli"))),
            ir.Not(ir.Blank("err", negate=True)),
        )
    )
    assert with_aliases(pred, random.Random(0), 1.0) in (
        "eventName:RunInstances && ua:*cli* || !err:*",
        "eventName:RunInstances && ua:*cli* || !(err:*)",
    )


ALIAS_FRAGMENTS = [*FRAGMENTS, ":", "a:", ":>", ":>=", "&&", "||", "!", "*", "a*", "*b", "*c*", '"x y"', "a:b*c"]


@settings(max_examples=1500)
@given(
    st.one_of(
        st.text(alphabet=string.printable),
        st.lists(st.sampled_from(ALIAS_FRAGMENTS)).map(" ".join),
        st.lists(st.sampled_from(ALIAS_FRAGMENTS)).map("".join),
    )
)
def test_parse_with_aliases_never_raises_anything_else(text: str) -> None:
    try:
        result = parse_filter(text)
    except FilterSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.detail
    else:
        assert parse_filter(format_filter(result)) == result


# ----------------------------------------------------------------------------------- column name case
SCHEMA = Schema(
    [
        Column("eventName", "text"),
        Column("userIdentity.arn", "text"),
        Column("requestParameters", "json"),
        Column("Dup", "text"),
        Column("dup", "integer"),
        Column("resources", "json"),
    ]
)


@pytest.mark.parametrize(
    ("name", "column", "kind"),
    [
        ("eventName", "eventName", "text"),
        ("eventname", "eventName", "text"),
        ("EVENTNAME", "eventName", "text"),
        ("useridentity.ARN", "userIdentity.arn", "text"),
        ("requestparameters.bucketName", "requestParameters", "json path"),
        ("RESOURCES[0].ARN", "resources", "json path"),
        ("Dup", "Dup", "text"),  # an exact match wins over the other case
        ("dup", "dup", "integer"),
    ],
)
def test_names_match_ignoring_case_when_unambiguous(name: str, column: str, kind: str) -> None:
    resolved = resolve(name, SCHEMA)
    sql = resolved.expression.sql("duckdb")
    assert f'"{column}"' in sql
    assert ("json path" if resolved.json_path else resolved.type) == kind


def test_json_keys_stay_exact() -> None:
    """Only the column is matched ignoring case; the keys inside the JSON are data and keep their case."""
    sql = resolve("requestparameters.bucketName", SCHEMA).expression.sql("duckdb")
    assert "bucketName" in sql and "bucketname" not in sql


def test_names_differing_only_by_case_are_refused_by_name() -> None:
    with pytest.raises(InvalidQuery) as info:
        resolve("DUP", SCHEMA)
    message = str(info.value)
    assert "'DUP' is ambiguous: columns 'Dup' and 'dup' differ only by case" in message


def test_unknown_names_are_still_unknown() -> None:
    with pytest.raises(InvalidQuery, match="unknown column 'eventNames'; did you mean 'eventName'"):
        resolve("eventNames", SCHEMA)


# ------------------------------------------------------------------------------------------- over the API
def test_api_query_with_an_alias_and_a_differently_cased_name(logsheet_home: Path, inputs: Path) -> None:
    client = make_client(build_workspace(logsheet_home, inputs))
    expected = CT_RECORDS // 5  # ct_record: eventName cycles through five names
    canonical = client.post("/api/sheets/ct/query", json={"where": "eventName = 'RunInstances'", "limit": 0})
    assert canonical.status_code == 200, canonical.text
    assert canonical.json()["total"] == expected
    aliased = client.post("/api/sheets/ct/query", json={"where": "eventname:RunInstances", "limit": 0})
    assert aliased.status_code == 200, aliased.text
    assert aliased.json()["total"] == expected

    parsed = client.post("/api/filter/parse", json={"text": "eventname:Run* && !readonly:true", "sheet": "ct"})
    assert parsed.status_code == 200, parsed.text
    text = client.post("/api/filter/format", json={"where": parsed.json()["where"]}).json()["text"]
    assert text == "eventname starts with 'Run' and not (readonly = true)"

    bad = client.post("/api/filter/parse", json={"text": "eventName:Run*ces"})
    assert bad.status_code == 400
    assert bad.json()["position"] == 13
