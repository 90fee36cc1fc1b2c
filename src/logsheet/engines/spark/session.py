"""One way to get a configured ``SparkSession``: local, a cluster master, or Spark Connect.

Every session logsheet uses gets the same runtime settings (:data:`SESSION_CONF`), so that answers do not
depend on a cluster's defaults:

- ``spark.sql.session.timeZone = UTC``: timestamps are instants; text without an offset is read as UTC
  and dates are UTC dates, as in the DuckDB engine.
- ``spark.sql.ansi.enabled = true``: the decision is to keep Spark 4's default, ANSI mode, on purpose.
  Without it an integer sum past 2^63 silently wraps and a bad cast silently becomes NULL everywhere;
  with it the compiler asks for NULL explicitly where the IR means "blank when it does not convert"
  (``TRY_CAST``, ``try_element_at``, ``try_to_timestamp``) and an overflow is an error, never a wrong
  number. It is set per session, so a cluster whose default is off still runs logsheet's SQL in ANSI mode.
- ``spark.sql.caseSensitive = true``: ``name`` and ``Name`` are two columns of a JSON sheet.
- ``spark.sql.parquet.outputTimestampType = TIMESTAMP_MICROS``: datasets written for Athena/Trino carry
  standard Parquet timestamps, not the legacy INT96.

A classic (py4j) session is one per process: asking again returns it (with these settings applied). A
Spark Connect session is a gRPC client, one per URL.
"""

from __future__ import annotations

import os
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from logsheet.engines.base import first_line
from logsheet.engines.spark import SparkUnavailable, require_pyspark

DEFAULT_MASTER = "local[*]"
CONNECT_PORT = 15002  # Spark Connect's default
CONNECT_TIMEOUT = 10.0
SESSION_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.caseSensitive": "true",
    "spark.sql.timestampType": "TIMESTAMP_LTZ",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
}
# Settings of a JVM that logsheet starts itself (a local master): they cannot change once it runs.
LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.adaptive.enabled": "true",
}
LOG_LEVEL = os.environ.get("LOGSHEET_SPARK_LOG_LEVEL", "FATAL")

_LOCK = threading.Lock()
_REMOTE: dict[str, Any] = {}


@contextmanager
def quiet_pyspark() -> Iterator[None]:
    """pyspark 4 warns at import that it does not fully support pandas 3; logsheet does not use pandas."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        yield


def spark_session(master: str | None = None, remote: str | None = None, conf: dict[str, str] | None = None) -> Any:
    """A ``SparkSession`` with logsheet's settings.

    ``remote`` (``sc://host:port``, or ``$LOGSHEET_SPARK_REMOTE``) connects to a Spark Connect server;
    otherwise ``master`` (``local[*]``, ``spark://host:7077``, ``yarn``…, or ``$LOGSHEET_SPARK_MASTER``)
    starts or reuses this process's classic session. ``conf`` adds settings (e.g. driver memory, the
    shuffle partitions of a small test session)."""
    require_pyspark()
    master, remote = spark_location(master, remote)
    with _LOCK, quiet_pyspark():
        session = _remote_session(remote) if remote else _classic_session(master or DEFAULT_MASTER, conf or {})
        apply_settings(session)
    return session


def spark_location(master: str | None = None, remote: str | None = None) -> tuple[str | None, str | None]:
    """Where Spark runs, as ``(master, remote)`` with exactly one of them set: a Spark Connect ``remote`` (given,
    or ``$LOGSHEET_SPARK_REMOTE``) wins; otherwise the ``master`` given, ``$LOGSHEET_SPARK_MASTER``, or
    ``local[*]``."""
    remote = remote or os.environ.get("LOGSHEET_SPARK_REMOTE") or None
    if remote:
        return None, remote
    return master or os.environ.get("LOGSHEET_SPARK_MASTER") or DEFAULT_MASTER, None


def apply_settings(session: Any) -> None:
    for key, value in SESSION_CONF.items():
        session.conf.set(key, value)


def _classic_session(master: str, conf: dict[str, str]) -> Any:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and not _is_remote(active):
        return active
    builder = SparkSession.builder.master(master).appName("logsheet")
    local = master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local JVM listens on the loopback only
    for key, value in {**(LOCAL_CONF if local else {}), **SESSION_CONF, **conf}.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - no Java, a bad master URL: one clear line
        raise SparkUnavailable(f"cannot start a Spark session on {master!r}: {first_line(exc)}") from None
    session.sparkContext.setLogLevel(LOG_LEVEL)
    return session


def _remote_session(url: str) -> Any:
    if url in _REMOTE:
        return _REMOTE[url]
    _check_reachable(url)
    try:
        from pyspark.sql.connect.session import SparkSession as RemoteSession
    except ImportError as exc:
        raise SparkUnavailable(f"Spark Connect needs pyspark's connect extra: pip install 'logsheet[spark]' ({exc})") from None
    try:
        session = RemoteSession.builder.remote(url).getOrCreate()
        session.conf.get("spark.sql.session.timeZone")  # the first call reaches the server
    except Exception as exc:  # noqa: BLE001 - unreachable server, bad URL
        raise SparkUnavailable(f"cannot reach the Spark Connect server {url}: {first_line(exc)}") from None
    _REMOTE[url] = session
    return session


def _check_reachable(url: str) -> None:
    """Fail at once when nothing listens at a Spark Connect URL (the client would retry for minutes)."""
    parsed = urlsplit(url.split(";", 1)[0])
    if parsed.scheme != "sc" or not parsed.hostname:
        raise SparkUnavailable(f"{url!r} is not a Spark Connect URL such as sc://HOST:15002")
    try:
        port = parsed.port or CONNECT_PORT
        socket.create_connection((parsed.hostname, port), timeout=CONNECT_TIMEOUT).close()
    except (OSError, ValueError) as exc:
        raise SparkUnavailable(f"cannot reach the Spark Connect server {url}: {exc}") from None


def _is_remote(session: Any) -> bool:
    return type(session).__module__.startswith("pyspark.sql.connect")


def stop_remote_sessions() -> None:
    """Close the Spark Connect clients this process opened (the servers keep running)."""
    with _LOCK:
        for session in _REMOTE.values():
            session.stop()
        _REMOTE.clear()
