"""Where compiled views run: DuckDB in process, or Apache Spark."""
