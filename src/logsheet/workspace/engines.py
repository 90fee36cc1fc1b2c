"""Which engine runs a workspace's views, and the engines' life cycle.

A workspace has a DuckDB engine (made once, on first use: imports, rejects and the catalog always use it) and,
when its views run on Spark, a Spark engine, started when the first view runs (or when ``logsheet serve``
starts). What views run on is the workspace's stored setting (:mod:`logsheet.store.settings`), or what this
process chose instead (``--engine``, :meth:`Engines.use`, :meth:`Engines.use_spark`); :meth:`Engines.engine_for`
answers the :class:`~logsheet.engines.base.Engine` that runs a view.

:func:`requested` is the one rule for asking for an engine and a Spark location (the command line's
``--engine`` / ``--spark-master`` / ``--spark-remote``): a master or a remote means Spark; not both; not
with DuckDB.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from logsheet.core.errors import LogsheetError
from logsheet.engines.base import Engine
from logsheet.engines.duckdb import DuckEngine
from logsheet.store.settings import EngineSetting

if TYPE_CHECKING:
    from logsheet.engines.spark.engine import SparkEngine

Location = tuple[str | None, str | None]  # a Spark master, or a Spark Connect remote (or neither: the defaults)


class EngineChoiceError(LogsheetError):
    """An engine and a Spark location that do not go together; ``reason`` says which rule they break."""

    def __init__(self, reason: Literal["both", "needs_spark"], message: str) -> None:
        super().__init__(message)
        self.reason = reason


def requested(engine: str | None, master: str | None = None, remote: str | None = None) -> EngineSetting | None:
    """What an engine and a Spark location ask for, or None when they ask for nothing (the setting decides).

    A master or a remote implies Spark; giving both, or either with DuckDB, is an :class:`EngineChoiceError`.
    Spark without a location is the location views already run on, if they run on Spark (see :meth:`Engines.use`)."""
    master, remote = master or None, remote or None
    if master and remote:
        raise EngineChoiceError("both", "give a Spark master or a Spark Connect remote, not both")
    if engine is None:
        return EngineSetting("spark", master, remote) if master or remote else None
    if engine != "spark" and (master or remote):
        raise EngineChoiceError("needs_spark", "a Spark master or remote needs the spark engine")
    return EngineSetting(engine, master, remote)


class Engines:
    """The engines of one workspace and which of them runs its views."""

    def __init__(self, temp_dir: Path) -> None:
        self._temp_dir = temp_dir
        self._lock = threading.Lock()
        self._duck: DuckEngine | None = None
        self._spark: SparkEngine | None = None
        self._default = "duckdb"  # what views run on when not told: the setting, or use/use_spark
        self._location: Location = (None, None)
        self._problem: str | None = None
        self._makers: dict[str, Callable[[], Engine]] = {"duckdb": lambda: self.duck, "spark": lambda: self.spark}

    # -------------------------------------------------------------------------------------- the engines
    @property
    def duck(self) -> DuckEngine:
        if self._duck is None:
            with self._lock:  # the server's threads may ask for it at once: create exactly one
                if self._duck is None:
                    self._duck = DuckEngine(self._temp_dir)
        return self._duck

    @property
    def spark(self) -> SparkEngine:
        """The Spark engine, started on first use from the chosen location (or the defaults)."""
        if self._spark is None:
            with self._lock:
                if self._spark is None:
                    from logsheet.engines.spark.engine import SparkEngine

                    self._spark = SparkEngine.connect(*self._location)
        return self._spark

    def started(self) -> list[Engine]:
        """The engines made so far (a cancel, or a look at the setting, starts none)."""
        return [e for e in (self._duck, self._spark) if e is not None]

    def engine_for(self, name: str | None = None, dataset: str | None = None) -> Engine:
        """The engine that runs a view: ``name`` (``duckdb`` or ``spark``), or the one views run on (started on
        first use). Reading a ``dataset`` in place needs an engine that can."""
        if name is None and self._problem:
            raise LogsheetError(self._problem)
        chosen = name or self._default
        make = self._makers.get(chosen)
        if make is None:
            raise LogsheetError(f"unknown engine {chosen!r}; use {' or '.join(self._makers)}")
        engine = make()
        if dataset and not engine.reads_datasets:
            raise LogsheetError("reading a dataset in place needs the Spark engine (--engine spark)")
        return engine

    # ----------------------------------------------------------------------------------- what runs views
    @property
    def default(self) -> str:
        """The name of the engine views run on when not told."""
        return self._default

    def serving(self) -> EngineSetting:
        """What runs views now: the setting, or what use/use_spark chose for this process."""
        if self._problem:
            raise LogsheetError(self._problem)
        return EngineSetting(self._default, *self._location)

    def refuse(self, problem: str) -> None:
        """The stored setting cannot be used: views that do not name an engine fail with ``problem`` until
        another is chosen (so that ``logsheet config`` can still fix it)."""
        self._problem = problem

    def apply(self, setting: EngineSetting) -> None:
        """Run views on ``setting`` from now on; a Spark engine already started at that location is kept."""
        self._problem = None
        if setting.engine == "spark":
            same = self._location == (setting.master, setting.remote)
            self.use_spark(setting.master, setting.remote, self._spark if same else None)
        else:
            self._default = setting.engine
            self._location = (None, None)

    def use(self, engine: str | None, master: str | None = None, remote: str | None = None) -> None:
        """Run views on what ``requested`` makes of these (nothing: the setting stays); ``spark`` without a
        location keeps the Spark location views run on, if they run on Spark."""
        setting = requested(engine, master, remote)
        if setting is None:
            return
        if setting.engine == "spark" and not setting.master and not setting.remote and self._default == "spark":
            setting = EngineSetting("spark", *self._location)
        self.apply(setting)

    def use_spark(self, master: str | None = None, remote: str | None = None, engine: SparkEngine | None = None) -> None:
        """Run views on Spark from now on: at a ``master`` or a Spark Connect ``remote``, or on a ready
        ``engine``. The session starts when the first view runs."""
        self._spark = engine
        self._location = (master, remote)
        self._default = "spark"
        self._problem = None

    # ------------------------------------------------------------------------------------- cancellation
    @contextlib.contextmanager
    def request(self, request_id: str | None) -> Iterator[None]:
        """The queries run inside can be stopped by ``cancel(request_id)`` from another thread, on DuckDB and,
        when views run on Spark (or Spark was started), on Spark."""
        if not request_id:
            yield
            return
        with contextlib.ExitStack() as stack:
            engines: list[Engine] = [self.duck]
            if self._spark is not None or self._default == "spark":
                engines.append(self.spark)
            for engine in engines:
                stack.enter_context(engine.request(request_id))
            yield

    def cancel(self, request_id: str) -> bool:
        """Stop the queries running under ``request_id`` on every started engine; False if none runs."""
        return any([engine.cancel(request_id) for engine in self.started()])


__all__ = ["EngineChoiceError", "Engines", "requested"]
