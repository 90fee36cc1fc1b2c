"""Formats with no log semantics: JSON/NDJSON, CSV/TSV, Parquet, plain text."""
