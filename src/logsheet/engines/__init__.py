"""Where compiled views run: one :class:`~logsheet.engines.base.Engine` interface and the base that holds the
request registry, cancelling, time budgets and error translation (``base``); DuckDB in process (``duckdb``);
Apache Spark (``spark/``); a view written as a Hive-partitioned Parquet dataset (``datasets``)."""
