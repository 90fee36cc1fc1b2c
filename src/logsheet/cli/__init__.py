"""The command line: a thin shell over :class:`logsheet.workspace.Workspace` (``logsheet --help``)."""

from __future__ import annotations

from logsheet.cli.commands import main

__all__ = ["main"]
