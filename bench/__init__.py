"""logsheet's benchmarks: deterministic generators, scenarios and side-by-side baselines (see bench/README.md)."""
