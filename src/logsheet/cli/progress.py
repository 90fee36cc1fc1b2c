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

    def transfer(self, objects: int, objects_total: int, nbytes: int, bytes_total: int) -> None:
        """An S3 import's downloads: objects and bytes arrived (one bar, by bytes)."""
        if self._progress is not None and self._task is not None:
            text = f"s3 {objects:,}/{objects_total:,} objects, {_size(nbytes)}/{_size(bytes_total)}"
            percent = 100.0 * nbytes / bytes_total if bytes_total else 100.0
            self._progress.update(self._task, description=text, completed=percent)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"  # pragma: no cover
