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


def _race(data: Path, reps: int, expected: int, programs: dict[str, tuple[object, ...]]) -> dict[str, harness.Figures]:
    """Each program (``bench.contenders`` function and arguments; paths under ``data/out``) in its own process,
    alternating; every run must report ``expected`` rows."""
    out = data / "out"
    out.mkdir(exist_ok=True)
    argvs = {name: harness.contender(str(fn), *args) for name, (fn, *args) in programs.items()}
    figures = harness.alternate({name: (lambda argv=argv: harness.run_process(argv)) for name, argv in argvs.items()}, reps)
    _check_rows(figures, expected)
    return figures


def run_cloudtrail(data: Path, reps: int) -> None:
    big = cloudtrail.generate(data / "cloudtrail-1m", 1_000_000, 200)
    small = cloudtrail.generate(data / "cloudtrail-200k", 200_000, 40)
    out = data / "out"
    full = _race(
        data,
        reps,
        1_000_000,
        {
            "logsheet import": ("logsheet_import", big, out / "ws-ct"),
            "DuckDB read_json → Parquet": ("duckdb_cloudtrail", big, out / "duckdb-ct.parquet"),
        },
    )
    others = _race(
        data,
        max(1, reps - 1),
        200_000,
        {
            "logsheet import": ("logsheet_import", small, out / "ws-ct-small"),
            "DuckDB read_json → Parquet": ("duckdb_cloudtrail", small, out / "duckdb-ct-small.parquet"),
            "pandas json_normalize": ("pandas_cloudtrail", small, out / "pandas-ct.parquet"),
            "Polars json_normalize": ("polars_cloudtrail", small, out / "polars-ct.parquet"),
            "jq (parse only)": ("jq_cloudtrail", small, out / "jq-ct.ndjson"),
        },
    )
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
    figures = _race(
        data,
        reps,
        10_000_000,
        {
            "logsheet import": ("logsheet_import", folder, out / "ws-vf"),
            "DuckDB read_csv → Parquet": ("duckdb_vpcflow", folder, out / "duckdb-vf.parquet"),
        },
    )
    text = harness.table(
        "Import: 10,000,000 VPC flow records, 4 .log.gz files", figures, "DuckDB read_csv → Parquet", work=10_000_000
    )
    harness.record(data, "import-vpcflow", text, {"figures": figures})


def run_syslog(data: Path, reps: int) -> None:
    lines = 1_000_000
    folder = syslog.generate(data / "syslog-1m", lines)
    out = data / "out"
    figures = _race(
        data,
        reps,
        lines,
        {
            "logsheet import": ("logsheet_import", folder, out / "ws-sys", "syslog", "year=2022"),
            "DuckDB regexp_extract → Parquet": ("duckdb_syslog", folder, out / "duckdb-sys.parquet"),
        },
    )
    title = "Import: 1,000,000 secure (sshd/sudo/PAM) lines, gzip"
    text = harness.table(title, figures, "DuckDB regexp_extract → Parquet", work=lines)
    harness.record(data, "import-syslog", text, {"figures": figures})
