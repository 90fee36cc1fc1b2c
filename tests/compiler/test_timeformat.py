"""strptime formats (logsheet's ``parse timestamp`` step) as Java datetime patterns (Spark, Trino).

Beside the cases in tests/engines/spark/test_dialect_sql.py: every shorthand, 12-hour clocks, names of months and
days, day of year, time zones, literal text that needs quoting, and unknown directives."""

from __future__ import annotations

import pytest

from logsheet.compiler.timeformat import java_datetime_pattern


@pytest.mark.parametrize(
    ("fmt", "java"),
    [
        ("%F", "yyyy-M-d"),
        ("%D", "M/d/yy"),
        ("%R", "H:m"),
        ("%F %T", "yyyy-M-d H:m:s"),
        ("%I:%M %p", "h:m a"),
        ("%a, %d %b %Y", "EEE, d MMM yyyy"),
        ("%A %B %e", "EEEE MMMM d"),
        ("%h %d", "MMM d"),
        ("%Y-%j", "yyyy-DDD"),
        ("%H:%M:%S %Z", "H:m:s z"),
        ("%Y-%m-%dT%H:%M:%S%z", "yyyy-M-d'T'H:m:ssZ"),  # a number right before another field: fixed width
        ("%H%M", "HHm"),  # the last number may still be one digit or two
        ("%y%m%d", "yyMMd"),
        ("%Y年%m月", "yyyy'年'M'月'"),  # other text is quoted
        ("at %H h", "'at 'H' h'"),
        ("%Q %d", "'%Q 'd"),  # an unknown directive stays literal text (and will not parse, as in DuckDB)
        ("100%%", "'100%'"),
        ("%", "'%'"),  # a lone '%' at the end is text
        ("it's %Y", "'it''s 'yyyy"),
        ("", ""),
    ],
)
def test_java_datetime_pattern(fmt: str, java: str) -> None:
    assert java_datetime_pattern(fmt) == java
