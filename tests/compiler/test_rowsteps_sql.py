"""What the row steps compile to in each dialect (DuckDB and Spark run them in tests/engines; Trino's SQL, which
logsheet never runs, is checked here): the element list, the unnesting with positions, the dedupe window."""

from __future__ import annotations

import pytest

from logsheet.compiler import ViewPlan
from logsheet.compiler.dialects import dialect_for
from logsheet.core import ir
from logsheet.core.schema import Column, Schema
from logsheet.query.filterlang import parse_filter

SCHEMA = Schema([Column("t", "timestamp"), Column("k", "text"), Column("tags", "text"), Column("doc", "json")])
QUERY = ir.Query(
    steps=(ir.SplitRows("tags", ","), ir.Explode("doc.items", fields=("id",), keep_empty=True), ir.Dedupe(("k", "items.id"))),
    where=parse_filter("k = 'a' and duplicates > 1"),
)


def sql(dialect: str) -> str:
    target = dialect_for(dialect, "sheet")
    return target.render(ViewPlan(QUERY, SCHEMA, ["/x.parquet"], target, "t").rows_sql(10))


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (
            "duckdb",
            [
                "UNNEST(",
                "GENERATE_SUBSCRIPTS(",
                "JSON_EXTRACT(CAST(\"doc\" AS TEXT), '$.items[*]')",
                "ROW_NUMBER() OVER (PARTITION BY",
            ],
        ),
        (
            "spark",
            [
                "POSEXPLODE_OUTER(",
                "FROM_JSON(GET_JSON_OBJECT(CAST(`doc` AS STRING), '$.items'), 'array<string>')",
                "ROW_NUMBER() OVER",
            ],
        ),
        ("trino", ["LEFT JOIN UNNEST(", "WITH ORDINALITY", "AS ARRAY(JSON)", "ROW_NUMBER() OVER"]),
    ],
)
def test_row_steps_in_every_dialect(dialect: str, expected: list[str]) -> None:
    text = sql(dialect)
    for part in expected:
        assert part in text, part
    order = text.rsplit("ORDER BY", 1)[1]
    assert "__rowid" in order and "__part1" in order and "__part2" in order  # ties: the row id, then each position
    assert text.count("'a'") >= 2  # the filter's term on k applies before the steps as well as after them
