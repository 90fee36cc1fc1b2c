"""The import progress bar (rich, on stderr, only on a terminal)."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class ProgressBar:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console

            self._progress = Progress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("importing", total=100)
        return self

    def update(self, phase: str, done: float, total: float) -> None:
        if self._progress is not None and self._task is not None:
            percent = 100.0 * done / total if total else 0.0
            self._progress.update(self._task, description=phase, completed=percent)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
