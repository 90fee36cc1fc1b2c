"""Request ids for cancelling: which statements run under which id, in which thread (both engines use it).

A server request runs its queries inside ``scope(request_id)``; the engine finds the request of the statement
it is about to run with ``current()`` and registers the statement there; ``POST /api/queries/{id}/cancel``
takes the request out with ``pop_locked`` and stops what is registered. The engine's own lock guards the
registry, so that registering a statement and cancelling its request never cross.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar


class Tracked(Protocol):
    users: int  # the threads inside the request's scope
    cancelled: bool


R = TypeVar("R", bound=Tracked)


class Requests(Generic[R]):
    def __init__(self, make: Callable[[], R], lock: threading.Lock, name: str) -> None:
        self._make = make
        self._lock = lock
        self._live: dict[str, R] = {}
        self._current: contextvars.ContextVar[R | None] = contextvars.ContextVar(name, default=None)

    def current(self) -> R | None:
        """The request this thread is in, if any."""
        return self._current.get()

    @contextlib.contextmanager
    def scope(self, request_id: str | None) -> Iterator[None]:
        """Register the statements this thread runs inside the block under ``request_id`` (None: no-op)."""
        if not request_id:
            yield
            return
        with self._lock:
            entry = self._live.setdefault(request_id, self._make())
            entry.users += 1
        token = self._current.set(entry)
        try:
            yield
        finally:
            self._current.reset(token)
            with self._lock:
                entry.users -= 1
                if entry.users == 0 and self._live.get(request_id) is entry:
                    del self._live[request_id]

    def pop_locked(self, request_id: str) -> R | None:
        """Take a request out, marked cancelled (the caller holds the lock); a new request may reuse the id at
        once and gets a fresh entry. None when nothing runs under it."""
        entry = self._live.pop(request_id, None)
        if entry is not None:
            entry.cancelled = True
        return entry
