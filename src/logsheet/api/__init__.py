"""The web server: a JSON API over a :class:`~logsheet.workspace.Workspace` and the front end's files.

The contract is ``docs/api.md``. ``app`` builds the ASGI app; each other module is one area of it.
"""

from __future__ import annotations

from logsheet.api.app import create_app, run
from logsheet.api.security import is_loopback

__all__ = ["create_app", "is_loopback", "run"]
