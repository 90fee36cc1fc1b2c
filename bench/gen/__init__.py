"""Deterministic data generators for the benchmarks: same arguments, same bytes."""
