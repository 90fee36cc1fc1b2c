"""The API the rest of logsheet uses: :func:`compile_rules` turns Sigma sources into :class:`CompiledRule` (a
rule's metadata and its IR predicate) or :class:`Refused` (the rule and why it does not run on this format)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from logsheet.compiler.dialects.duckdb import DUCKDB
from logsheet.compiler.predicates import PredicateCompiler
from logsheet.core import ir
from logsheet.core.errors import InvalidQuery
from logsheet.core.schema import Schema
from logsheet.detect.sigma.compile import Unsupported, compile_condition
from logsheet.detect.sigma.correlation import CompiledCorrelation, CorrelationUnsupported, Member, correlation_parts
from logsheet.detect.sigma.load import Loaded, Source, Unreadable, load
from logsheet.detect.sigma.logsources import LogSource, Mapping, formats_for, mapping_for

RefusalKind = Literal["unreadable", "logsource", "unsupported", "correlation", "schema"]


@dataclass(frozen=True)
class CompiledRule:
    """A Sigma rule ready to run on sheets of ``format``: ``predicate`` is the rows it flags."""

    id: str
    title: str
    level: str  # informational, low, medium, high, critical; "" when the rule has none
    status: str
    tags: tuple[str, ...]  # as written: attack.t1078.004, attack.defense-evasion ...
    description: str
    logsource: LogSource
    format: str
    predicate: ir.Predicate
    origin: str  # the file it came from, or "<text>"


@dataclass(frozen=True)
class Refused:
    """A rule that does not run on this sheet format, and why (one line, for a person)."""

    id: str
    title: str
    origin: str
    reason: str
    kind: RefusalKind


Compiled = CompiledRule | CompiledCorrelation | Refused


def compile_rules(
    sources: Iterable[Source],
    sheet_format: str,
    mappings: Sequence[Mapping] = (),
    schema: Schema | None = None,
) -> list[Compiled]:
    """Every rule of ``sources`` (paths, folders or YAML text) compiled for sheets of ``sheet_format``, in order.

    ``mappings`` (from :func:`~logsheet.detect.sigma.logsources.load_mapping`) come before the built-in log
    sources. With ``schema``, each predicate is also compiled against the sheet's columns, and a rule naming
    a field the sheet has not is refused (kind ``schema``) instead of failing when it runs. A correlation
    (:class:`~logsheet.detect.sigma.correlation.CompiledCorrelation`) may refer to rules of any source."""
    items = load(sources)
    loaded = [i for i in items if isinstance(i, Loaded)]
    collection = SigmaCollection([i.rule for i in loaded], resolve_references=False)  # type: ignore[call-arg]
    results: dict[int, Compiled] = {}
    for item in loaded:  # detection rules first: correlations need their members
        if isinstance(item.rule, SigmaRule):
            results[id(item.rule)] = compile_one(item, sheet_format, mappings, schema)
    for item in loaded:
        if isinstance(item.rule, SigmaCorrelationRule):
            results[id(item.rule)] = compile_correlation(item, collection, results, sheet_format, mappings)
    return [
        Refused(i.id, i.title, i.origin, i.reason, "unreadable") if isinstance(i, Unreadable) else results[id(i.rule)]
        for i in items
    ]


def compile_one(
    item: Loaded, sheet_format: str, mappings: Sequence[Mapping] = (), schema: Schema | None = None
) -> CompiledRule | Refused:
    rule = item.rule
    rule_id, title = str(rule.id or ""), str(rule.title or "")

    def refuse(reason: str, kind: RefusalKind) -> Refused:
        return Refused(rule_id, title, item.origin, reason, kind)

    if isinstance(rule, SigmaCorrelationRule):
        raise TypeError("compile_one takes a detection rule; correlations go through compile_correlation")
    source = LogSource(str(rule.logsource.product or ""), str(rule.logsource.service or ""), str(rule.logsource.category or ""))
    mapping = mapping_for(source, sheet_format, mappings)
    if mapping is None:
        elsewhere = formats_for(source, mappings)
        where = f" (it runs on {', '.join(elsewhere)} sheets)" if elsewhere else "; a mapping file can map it"
        return refuse(f"log source {source.describe()} is not mapped to {sheet_format} sheets{where}", "logsource")
    try:
        predicate = _predicate(rule, mapping)
    except Unsupported as exc:
        return refuse(f"not supported: {exc}", "unsupported")
    except SigmaError as exc:
        return refuse(f"pySigma cannot read its detection: {exc}", "unreadable")
    if schema is not None:
        try:
            PredicateCompiler(schema, DUCKDB).compile(predicate)
        except InvalidQuery as exc:
            return refuse(f"does not fit this sheet: {exc}", "schema")
    return CompiledRule(
        id=rule_id,
        title=title,
        **_about(rule),
        logsource=source,
        format=sheet_format,
        predicate=predicate,
        origin=item.origin,
    )


def _predicate(rule: SigmaRule, mapping: Mapping) -> ir.Predicate:
    conditions = [compile_condition(c.parsed, mapping) for c in rule.detection.parsed_condition]
    if not conditions:
        raise Unsupported("the rule has no condition")
    return conditions[0] if len(conditions) == 1 else ir.Or(tuple(conditions))


def compile_correlation(
    item: Loaded,
    collection: SigmaCollection,
    compiled: dict[int, Compiled],
    sheet_format: str,
    mappings: Sequence[Mapping] = (),
) -> CompiledCorrelation | Refused:
    """A correlation whose member rules all compiled for this format; refused with the reason otherwise."""
    rule = item.rule
    assert isinstance(rule, SigmaCorrelationRule)
    rule_id, title = str(rule.id or ""), str(rule.title or "")

    def refuse(reason: str) -> Refused:
        return Refused(rule_id, title, item.origin, reason, "correlation")

    try:
        kind, op, count, field, group_by, timespan = correlation_parts(rule)
        rule.resolve_rule_references(collection)
    except CorrelationUnsupported as exc:
        return refuse(str(exc))
    except SigmaError as exc:
        return refuse(f"its rules cannot be found: {exc}")
    members: list[Member] = []
    for ref in rule.rules or []:
        target = ref.rule
        result = compiled.get(id(target))
        if isinstance(target, SigmaCorrelationRule):
            return refuse(f"not supported yet: a correlation of correlations ({ref.reference})")
        if isinstance(result, Refused) and result.kind == "logsource":  # its rules are for other sheets: so is it
            return Refused(rule_id, title, item.origin, f"its rule {ref.reference}: {result.reason}", "logsource")
        if not isinstance(result, CompiledRule):
            why = result.reason if isinstance(result, Refused) else "it was not read"
            return refuse(f"its rule {ref.reference} does not run here: {why}")
        mapping = mapping_for(result.logsource, sheet_format, mappings)
        assert mapping is not None  # the member compiled for this format

        members.append(
            Member(
                result.id,
                result.title,
                result.predicate,
                tuple(_column(rule, target, mapping, g) for g in group_by),
                _column(rule, target, mapping, field) if field else "",
            )
        )
    if not members:
        return refuse("it refers to no rule")
    return CompiledCorrelation(
        id=rule_id,
        title=title,
        **_about(rule),
        kind=kind,
        members=tuple(members),
        group_by=group_by,
        timespan=timespan,
        op=op,
        count=count,
        format=sheet_format,
        origin=item.origin,
        generate=bool(rule.generate),
    )


def _column(correlation: SigmaCorrelationRule, member: SigmaRule, mapping: Mapping, name: str) -> str:
    """The column a correlation's field name means in one member's rows: its alias for that rule if it has
    one, then the log source's field mapping."""
    for alias in correlation.aliases:
        if alias.alias == name:
            for ref, aliased in alias.mapping.items():
                if ref.reference in (member.name, str(member.id)):  # alias references are names or ids
                    return mapping.column(aliased)
    return mapping.column(name)


def _about(rule: Any) -> dict[str, Any]:
    """What a rule says of itself, as CompiledRule and CompiledCorrelation keep it."""
    return {
        "level": str(rule.level or ""),
        "status": str(rule.status or ""),
        "tags": tuple(str(t) for t in rule.tags),
        "description": str(rule.description or ""),
    }
