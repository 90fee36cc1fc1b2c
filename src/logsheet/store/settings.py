"""The workspace's engine setting: which engine serves views (DuckDB, or Spark and where it runs).

Stored in the catalog (``settings`` table, keys ``engine``, ``spark.master``, ``spark.remote``), so a server
and the command line opening the same workspace agree; set with ``logsheet config engine spark
[--spark-master URL | --spark-remote sc://HOST:PORT]`` or :meth:`logsheet.workspace.Workspace.set_engine`.
The setting decides where the rows of views are read (pages, counts, group-by, histograms, profiles, previews,
exports); imports, rejects and the catalog always stay on DuckDB and the local workspace folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from logsheet.core.errors import LogsheetError
from logsheet.engines.spark.session import spark_location  # the module imports pyspark only when a session is made

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class EngineSetting:
    """``engine`` with, for Spark, a ``master`` (``local[*]``, ``spark://HOST:7077``, ``yarn``...) or a Spark
    Connect ``remote`` (``sc://HOST:15002``); neither means ``$LOGSHEET_SPARK_MASTER`` / ``$LOGSHEET_SPARK_REMOTE``,
    else ``local[*]``."""

    engine: str = "duckdb"
    master: str | None = None
    remote: str | None = None

    def __post_init__(self) -> None:
        validate(self)

    def to_catalog(self) -> dict[str, str | None]:
        return {"engine": self.engine, "spark.master": self.master, "spark.remote": self.remote}

    def to_json(self) -> dict[str, Any]:
        """What serves views, as shown to people: the Spark location resolved (defaults, environment), a
        Connect URL without its ``;token=...`` parameters."""
        if self.engine != "spark":
            return {"engine": self.engine, "spark_master": None, "spark_remote": None}
        master, remote = spark_location(self.master, self.remote)
        return {"engine": "spark", "spark_master": master, "spark_remote": redact(remote) if remote else None}

    def describe(self) -> str:
        shown = self.to_json()
        if self.engine != "spark":
            return "DuckDB, in process"
        if shown["spark_remote"]:
            return f"Spark Connect at {shown['spark_remote']}"
        return f"Spark, master {shown['spark_master']}"


def validate(setting: EngineSetting) -> None:
    if setting.engine not in ENGINES:
        raise LogsheetError(f"unknown engine {setting.engine!r}; use duckdb or spark")
    if setting.engine != "spark" and (setting.master or setting.remote):
        raise LogsheetError("a Spark master or remote needs the spark engine")
    if setting.master and setting.remote:
        raise LogsheetError("give a Spark master or a Spark Connect remote, not both")
    for value in (setting.master, setting.remote):
        if value is not None and (not value.strip() or any(ord(ch) < 32 for ch in value)):
            raise LogsheetError(f"{value!r} is not a Spark master or remote URL")
    if setting.remote:
        parsed = urlsplit(setting.remote.split(";", 1)[0])
        if parsed.scheme != "sc" or not parsed.hostname:
            raise LogsheetError(f"{setting.remote!r} is not a Spark Connect URL such as sc://HOST:15002")


def redact(url: str) -> str:
    """A Spark Connect URL without its parameters (``;token=...`` may hold a secret)."""
    base, _, params = url.partition(";")
    return base + (";..." if params else "")


def load(catalog: Any) -> EngineSetting:
    """The stored setting (DuckDB when none is); a stored value that does not validate (edited by hand) is an
    error that says how to replace it."""
    values = catalog.settings()
    try:
        return EngineSetting(values.get("engine", "duckdb"), values.get("spark.master"), values.get("spark.remote"))
    except LogsheetError as exc:
        raise LogsheetError(
            f"the workspace's engine setting is not valid ({exc}); replace it with `logsheet config engine duckdb` "
            "or `logsheet config engine spark ...`"
        ) from None


def save(catalog: Any, setting: EngineSetting) -> None:
    catalog.update_settings(setting.to_catalog())


__all__ = ["ENGINES", "EngineSetting", "load", "redact", "save"]
