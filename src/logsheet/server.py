"""``logsheet.server``: where the CLI finds the web server. The server itself is the package :mod:`logsheet.api`."""

from __future__ import annotations

from logsheet.api import create_app, is_loopback, run
from logsheet.api.common import QueryRequest

__all__ = ["QueryRequest", "create_app", "is_loopback", "run"]
