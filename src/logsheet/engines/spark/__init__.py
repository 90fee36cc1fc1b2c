"""The Spark engine: the same sheet operations on Apache Spark, for cases that outgrow one machine.

The IR compiles to Spark SQL (:class:`logsheet.compiler.dialects.SparkDialect`) and runs on a
``SparkSession`` (:mod:`logsheet.engines.spark.session`): a local one (``local[*]``), a cluster master, or a Spark
Connect server (``sc://host:15002``). :class:`logsheet.engines.spark.engine.SparkEngine` is an
:class:`logsheet.engines.base.Engine`, as the DuckDB engine is; it writes a view as a Hive-partitioned Parquet
dataset (:mod:`logsheet.engines.datasets`) with Spark's own writer, on the cluster.

``pyspark`` is an optional extra (``pip install 'logsheet[spark]'``); nothing here imports it until a
session is asked for, and then a missing install is a clear error.
"""

from __future__ import annotations

from logsheet.core.errors import LogsheetError


class SparkUnavailable(LogsheetError):
    """pyspark (or Java) is not installed, or the Spark master / Connect server cannot be reached."""


def require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            "the Spark engine needs pyspark: pip install 'logsheet[spark]' (and Java 17 or newer for a local session)"
        ) from None


__all__ = ["SparkUnavailable", "require_pyspark"]
