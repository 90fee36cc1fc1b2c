"""Results of views, remembered: scrolling a grid asks for the same view's total (and its timeline, and the
value range of its sort column) with every page.

:class:`Remembered` keeps any kind of result under a key, forgetting the least recently used past ``size``.
A view's results are kept under :func:`view_key`: the sheet's identity and version (id, rows, last change),
the engine, the dataset read and the view without its column choice and sort (neither changes a count), so an
import into the sheet, a new filter or another engine never reuses one.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from logsheet.core import ir
from logsheet.store.catalog import SheetRecord

SIZE = 512

Key = tuple[Hashable, ...]
V = TypeVar("V")


def view_key(record: SheetRecord, query: ir.Query, engine: str, dataset: str | None) -> Key:
    """What a view's total depends on: the sheet's version, the engine, the dataset and the view's rows."""
    view = query.with_(columns=(), sort=())
    text = json.dumps(ir.query_to_json(view), sort_keys=True)
    return (record.id, record.row_count, record.updated_at, record.annotations, engine, dataset, text)


def sheet_key(record: SheetRecord, *more: Hashable) -> Key:
    """What a result of the sheet's rows themselves depends on (a column's range): the sheet's version."""
    return (record.id, record.row_count, record.updated_at, *more)


class Remembered(Generic[V]):
    """Results kept under keys, least recently used forgotten past ``size``; safe across threads."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._known: OrderedDict[Key, V] = OrderedDict()

    def remember(self, key: Key, compute: Callable[[], V]) -> V:
        """The value kept under ``key``, or ``compute()``'s, kept for next time (an error keeps nothing)."""
        with self._lock:
            if key in self._known:
                self._known.move_to_end(key)
                return self._known[key]
        value = compute()  # outside the lock: other views' results are not held up by a slow one
        with self._lock:
            self._known[key] = value
            self._known.move_to_end(key)
            while len(self._known) > self._size:
                self._known.popitem(last=False)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._known)


__all__ = ["SIZE", "Key", "Remembered", "sheet_key", "view_key"]
