"""docs/formulas.md is the formula language's reference: every function the compiler knows is documented there,
every documented function exists, and the examples compile on DuckDB and on Spark."""

from __future__ import annotations

import re

import pytest

from logsheet.compiler.dialects import DUCKDB
from logsheet.compiler.dialects.spark import SparkDialect
from logsheet.compiler.formula import FUNCTIONS, compile_formula
from logsheet.core.formula import OPERATORS
from logsheet.core.schema import Column, Schema
from logsheet.query.formulalang import FUNCTION_SPELLED
from repo_paths import DOCS

TEXT = (DOCS / "formulas.md").read_text(encoding="utf-8")
SCHEMA = Schema(
    Column(name, type_)
    for name, type_ in [
        ("bytes", "integer"), ("dstport", "integer"), ("userIdentity.arn", "text"), ("eventTime", "timestamp"),
        ("srcaddr", "text"), ("dstaddr", "text"), ("sourceIPAddress", "text"), ("eventName", "text"),
        ("requestParameters", "json"), ("errorCode", "text"), ("userAgent", "text"),
    ]
)  # fmt: skip


def callable_functions() -> set[str]:
    return {name for name in FUNCTIONS if name not in OPERATORS or name in FUNCTION_SPELLED}


def documented_functions() -> set[str]:
    return set(re.findall(r"`([a-z_]+)\(", TEXT)) - {"column", "now"}  # column(): a name; now(): said to be absent


def test_every_function_is_documented_and_every_documented_one_exists() -> None:
    assert callable_functions() - documented_functions() == set()
    assert documented_functions() - callable_functions() == set()


def examples() -> list[str]:
    block = TEXT.split("### Examples", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("formula", examples())
def test_examples_compile_on_both_engines(formula: str) -> None:
    for dialect in (DUCKDB, SparkDialect()):
        compiled = compile_formula(formula, SCHEMA, dialect)
        assert compiled.type in ("text", "boolean", "timestamp", "integer", "float")
