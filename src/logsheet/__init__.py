"""logsheet: a big-data spreadsheet for incident-response logs.

The Python API is the product; the CLI and the web server are thin shells over it::

    from logsheet import Workspace
    ws = Workspace.open()            # LOGSHEET_HOME or the per-user data directory
    ws.import_paths(["./AWSLogs"], sheet="cloudtrail")
    page = ws.query("cloudtrail", where="eventName = 'RunInstances'")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from logsheet.core.errors import LogsheetError

if TYPE_CHECKING:
    from logsheet.workspace import Workspace

__all__ = ["LogsheetError", "Workspace"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import logsheet.core.ir` (parsers, the filter language) stays light.
    if name == "Workspace":
        from logsheet.workspace import Workspace

        return Workspace
    raise AttributeError(name)
