"""Fixtures of the Spark tests: ONE local SparkSession for the whole run (``local[2]``, two shuffle
partitions, no UI, a modest driver), shared by every module here and by the CLI commands they run in
process (the session factory hands back this process's session).

Without pyspark (``pip install -e '.[spark]'``, which scripts/setup.sh does) or without Java, every test
that needs Spark skips with the reason; the SQL snapshot tests of the Spark and Trino dialects still run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from spark_helpers import TEST_CONF, spark_missing


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    reason = spark_missing()
    if reason:
        pytest.skip(reason)
    from logsheet.engines.spark.session import spark_session as make

    session = make("local[2]", conf=TEST_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_engine(spark_session: Any) -> Any:
    from logsheet.engines.spark.engine import SparkEngine

    return SparkEngine(spark_session)
