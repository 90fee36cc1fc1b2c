"""Import throughput and peak memory: logsheet against what a responder would otherwise run.

- ``import-cloudtrail``: 1M records in 200 S3 deliveries (``.json.gz``): logsheet against hand-written DuckDB
  (``read_json`` → Parquet). Then 200k records in 40 deliveries against pandas (``json.load`` +
  ``json_normalize``), Polars and jq, which need several GiB per 200k records: a million would not fit.
- ``import-vpcflow``: 10M flow records in gzip text; logsheet against DuckDB's ``read_csv`` → Parquet.
- ``import-syslog``: 1M ``secure`` lines; logsheet against DuckDB ``read_csv`` + ``regexp_extract``.

Every contender runs in its own process; the peak is that process's own maximum RSS.
"""

from __future__ import annotations

from pathlib import Path

from bench import harness
from bench.gen import cloudtrail, syslog, vpcflow


def _check_rows(figures: dict[str, harness.Figures], expected: int) -> None:
    for f in figures.values():
        for run in f.runs:
            last = run.output.strip().splitlines()[-1] if run.output.strip() else ""
            if last != str(expected):
                raise AssertionError(f"{f.name} produced {last!r} rows, expected {expected}")


def _contenders(names: dict[str, list[str]]) -> dict[str, object]:
    return {name: (lambda argv=argv: harness.run_process(argv)) for name, argv in names.items()}


def run_cloudtrail(data: Path, reps: int) -> None:
    big = cloudtrail.generate(data / "cloudtrail-1m", 1_000_000, 200)
    small = cloudtrail.generate(data / "cloudtrail-200k", 200_000, 40)
    out = data / "out"
    out.mkdir(exist_ok=True)
    full = harness.alternate(
        _contenders(  # type: ignore[arg-type]
            {
                "logsheet import": harness.contender("logsheet_import", big, out / "ws-ct"),
                "DuckDB read_json → Parquet": harness.contender("duckdb_cloudtrail", big, out / "duckdb-ct.parquet"),
            }
        ),
        reps,
    )
    _check_rows(full, 1_000_000)
    others = harness.alternate(
        _contenders(  # type: ignore[arg-type]
            {
                "logsheet import": harness.contender("logsheet_import", small, out / "ws-ct-small"),
                "DuckDB read_json → Parquet": harness.contender("duckdb_cloudtrail", small, out / "duckdb-ct-small.parquet"),
                "pandas json_normalize": harness.contender("pandas_cloudtrail", small, out / "pandas-ct.parquet"),
                "Polars json_normalize": harness.contender("polars_cloudtrail", small, out / "polars-ct.parquet"),
                "jq (parse only)": harness.contender("jq_cloudtrail", small, out / "jq-ct.ndjson"),
            }
        ),
        max(1, reps - 1),
    )
    _check_rows(others, 200_000)
    text = harness.table(
        "Import: 1,000,000 CloudTrail records, 200 .json.gz deliveries (135 MB)",
        full,
        "DuckDB read_json → Parquet",
        work=1_000_000,
    )
    text += "\n" + harness.table(
        "Import: 200,000 CloudTrail records, 40 deliveries (times relative to pandas)",
        others,
        "pandas json_normalize",
        work=200_000,
    )
    harness.record(data, "import-cloudtrail", text, {"full": full, "small": others})


def run_vpcflow(data: Path, reps: int) -> None:
    folder = vpcflow.generate(data / "vpcflow-10m", 10_000_000, 2_500_000)
    out = data / "out"
    out.mkdir(exist_ok=True)
    figures = harness.alternate(
        _contenders(  # type: ignore[arg-type]
            {
                "logsheet import": harness.contender("logsheet_import", folder, out / "ws-vf"),
                "DuckDB read_csv → Parquet": harness.contender("duckdb_vpcflow", folder, out / "duckdb-vf.parquet"),
            }
        ),
        reps,
    )
    _check_rows(figures, 10_000_000)
    text = harness.table(
        "Import: 10,000,000 VPC flow records, 4 .log.gz files", figures, "DuckDB read_csv → Parquet", work=10_000_000
    )
    harness.record(data, "import-vpcflow", text, {"figures": figures})


def run_syslog(data: Path, reps: int) -> None:
    lines = 1_000_000
    folder = syslog.generate(data / "syslog-1m", lines)
    out = data / "out"
    out.mkdir(exist_ok=True)
    figures = harness.alternate(
        _contenders(  # type: ignore[arg-type]
            {
                "logsheet import": harness.contender("logsheet_import", folder, out / "ws-sys", "syslog", "year=2022"),
                "DuckDB regexp_extract → Parquet": harness.contender("duckdb_syslog", folder, out / "duckdb-sys.parquet"),
            }
        ),
        reps,
    )
    _check_rows(figures, lines)
    text = harness.table(
        "Import: 1,000,000 secure (sshd/sudo/PAM) lines, gzip", figures, "DuckDB regexp_extract → Parquet", work=lines
    )
    harness.record(data, "import-syslog", text, {"figures": figures})
