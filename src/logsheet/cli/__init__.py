"""The command line: a thin shell over :class:`logsheet.workspace.Workspace` (``logsheet --help``).

``group`` holds the ``logsheet`` group and how errors end a command; each command family's module registers its
commands on the group when imported: ``imports`` (import, detect), ``sheets`` (sheets, info, rejects, rename,
delete), ``query`` (query, export; their shared options in ``options``), ``config``, ``serve`` (serve, demo), ``views``
(views list, show, delete), ``context`` (a row and the rows around it in time), ``rules`` (rules list, run,
on-import; findings), ``cases`` (case list, show, create, add, remove, rename, delete), ``annotate`` (annotate;
annotations), ``timeline`` (a case's sheets merged in time), ``pivot`` (a value across a case), ``timeline_views`` (a case's saved
timeline views), ``iocs`` (IOC lists and their matches), ``audit`` (the audit trail),
``recipes`` (a view's steps to a file and back), ``report`` (a case's report);
``output`` prints rows and ``progress`` draws the import's progress bar.
"""

from __future__ import annotations

from logsheet.cli import annotate as _annotate  # noqa: F401 - annotate, annotations
from logsheet.cli import audit as _audit  # noqa: F401 - audit, audit verify
from logsheet.cli import (  # noqa: F401 - each registers its commands
    cases,
    config,
    context,
    imports,
    iocs,
    pivot,
    query,
    recipes,
    report,  # noqa: F401 - registers `logsheet report`
    rowsteps,  # noqa: F401 - registers `logsheet pivot-table`; --split-rows, --explode, --dedupe
    rules,
    serve,
    sheets,
    timeline,  # noqa: F401 - registers `logsheet timeline`
    timeline_views,  # noqa: F401 - registers `logsheet timeline-views`
    views,
)
from logsheet.cli.group import main

__all__ = ["main"]
