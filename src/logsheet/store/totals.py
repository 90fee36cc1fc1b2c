"""Totals of views (and the value ranges of sorted columns), remembered: scrolling a grid asks for the same
view's total with every page.

A total is kept under the sheet's identity and version (id, rows, last change) and the view without its
column choice and sort (neither changes a count), so an import into the sheet, a new filter or another
engine never reuses one. Least recently used totals are forgotten past ``SIZE``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from logsheet.core import ir

SIZE = 512


class Totals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    @staticmethod
    def key(record: Any, query: ir.Query, engine: str, dataset: str | None) -> tuple[Any, ...]:
        view = query.with_(columns=(), sort=())
        text = json.dumps(ir.query_to_json(view), sort_keys=True)
        return (record.id, record.row_count, record.updated_at, engine, dataset, text)

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            total = self._known.get(key)
            if total is not None:
                self._known.move_to_end(key)
            return total

    def put(self, key: tuple[Any, ...], total: Any) -> None:
        with self._lock:
            self._known[key] = total
            self._known.move_to_end(key)
            while len(self._known) > SIZE:
                self._known.popitem(last=False)

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The value kept under ``key``, or ``compute()``'s, kept for next time."""
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found
