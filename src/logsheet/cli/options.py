"""The options commands share: a view's spellings (``--where``, ``--sort``, ...) and where views run
(``--engine``, ``--spark-master``, ``--spark-remote``, ``--dataset``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from logsheet.core.ir import Query
    from logsheet.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


class Seconds(click.ParamType):
    """A time budget: finite seconds, 0 for none, at most a week (``--timeout inf`` is a usage error)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        from logsheet.engines.base import timeout_problem

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        problem = timeout_problem(seconds)
        if problem is not None:
            self.fail(problem, param, ctx)
        return seconds


def query_options(func: F) -> F:
    options = [
        click.option("--where", "-w", help="Filter expression, e.g. \"eventName = 'RunInstances'\"."),
        click.option("--search", help="Case-insensitive text searched in every column."),
        click.option("--columns", "-c", help="Comma-separated columns to show."),
        click.option("--sort", multiple=True, help="Sort column; -COL for descending. Repeatable."),
        click.option("--group-by", "-g", help="Comma-separated columns to group by."),
        click.option(
            "--agg",
            multiple=True,
            help="Aggregate with --group-by: count, count_distinct:COL, "
            "min:COL, max:COL, sum:COL, avg:COL, first:COL, last:COL. Repeatable.",
        ),
        click.option(
            "--query-json",
            help="A whole view as IR JSON (from the web UI or a saved view); not with -w, -s, -c, --sort, -g or --agg.",
        ),
        click.option(
            "--finding",
            metavar="ID",
            help="Only the rows of this finding (`logsheet findings` lists them); the other options apply on top.",
        ),
        click.option(
            "--mark-iocs",
            is_flag=True,
            help="Add the column ioc_lists: the IOC lists (`logsheet ioc`) an indicator of which the row holds.",
        ),
        click.option("--timeout", type=Seconds(), default=60.0, show_default=True, help="Query time budget, seconds."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def formula_options(func: F) -> F:
    """--formula "NAME = EXPR": a formula column (docs/formulas.md), usable in --where, --columns, --group-by, --sort."""
    return click.option(
        "--formula",
        "formulas",
        multiple=True,
        metavar="'NAME = EXPR'",
        help="Add a formula column, e.g. \"flag = errorCode is not blank and userAgent contains 'aws-cli'\" "
        "(docs/formulas.md); usable in --where, --columns, --group-by and --sort. Repeatable; later ones may use earlier ones.",
    )(func)


SPARK_MASTER_HELP = "Spark master for --engine spark: local[*] (default), spark://HOST:7077, yarn..."
SPARK_REMOTE_HELP = "A Spark Connect server for --engine spark, as sc://HOST:PORT."


def engine_options(func: F, dataset: bool = True) -> F:
    """--engine and where Spark runs (logsheet.engines.spark); --spark-master or --spark-remote imply --engine spark.
    Without them the workspace's setting (`logsheet config`) decides."""
    options = [
        click.option(
            "--engine",
            type=click.Choice(("duckdb", "spark")),
            help="Run views on DuckDB, in process, or on Apache Spark (default: the workspace's setting, "
            "see `logsheet config`; DuckDB unless set).",
        ),
        click.option("--spark-master", help=SPARK_MASTER_HELP),
        click.option("--spark-remote", help=SPARK_REMOTE_HELP),
    ]
    if dataset:
        options.append(
            click.option(
                "--dataset",
                help="With --engine spark: read the rows from this Parquet dataset (a folder, s3a:// or hdfs:// URL, "
                "e.g. written by `export --to-dataset`) with the sheet's schema, instead of the workspace's copy.",
            )
        )
    for option in reversed(options):
        func = option(func)
    return func


CHOICE_ERRORS = {  # logsheet.workspace.engines.requested's rules, in the options' spelling
    "both": "give --spark-master or --spark-remote, not both",
    "needs_spark": "--spark-master and --spark-remote need --engine spark",
}


def _choose_engine(ws: Workspace, engine: str | None, spark_master: str | None, spark_remote: str | None) -> str:
    """Apply --engine / --spark-* to this run (the stored setting is unchanged); the engine views run on."""
    from logsheet.workspace.engines import EngineChoiceError

    try:
        ws.use_engine(engine, spark_master, spark_remote)
    except EngineChoiceError as exc:
        raise click.UsageError(CHOICE_ERRORS[exc.reason]) from None
    return str(ws.serving().engine)


def with_marks(view: Query, mark_iocs: bool) -> Query:
    """The view with --mark-iocs's step after its own."""
    from logsheet.core import ir

    return view.with_(steps=(*view.steps, ir.MarkIoc())) if mark_iocs else view


def _build(
    where: str | None,
    search: str | None,
    columns: str | None,
    sort: tuple[str, ...],
    group_by: str | None,
    agg: tuple[str, ...],
    query_json: str | None,
    formulas: tuple[str, ...] = (),
) -> Query:
    from logsheet.core import ir
    from logsheet.query.formulalang import formula_step
    from logsheet.query.spellings import build_query

    if query_json:
        given = {"--where": where, "--search": search, "--columns": columns, "--sort": sort, "--group-by": group_by}
        given["--agg"] = agg
        given["--formula"] = formulas
        clash = [flag for flag, value in given.items() if value]
        if clash:
            raise click.UsageError(f"--query-json is the whole view: give {' or '.join(clash)} inside it, not beside it")
        return ir.query_from_json(query_json)
    split = lambda text: [c.strip() for c in text.split(",") if c.strip()] if text else None  # noqa: E731
    steps = tuple(formula_step(text) for text in formulas)
    return build_query(where, search, split(columns), list(sort), split(group_by), list(agg), steps=steps)
