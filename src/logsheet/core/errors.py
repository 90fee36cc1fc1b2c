"""Domain errors. Every error a user can cause is a LogsheetError with a one-line message.

The CLI prints ``str(error)`` on stderr and exits non-zero; the web server maps each class to an HTTP status
code in one place (``logsheet.api.app.STATUS``): the errors say what went wrong, not how a shell reports it.
"""

from __future__ import annotations


class LogsheetError(Exception):
    """Base class: a user-facing problem with a clear one-line message."""


class NotFound(LogsheetError):
    """A sheet, view or file that does not exist."""


class Conflict(LogsheetError):
    """A name that is taken: an import into an existing sheet without append, a rename to another sheet's name."""


class InvalidQuery(LogsheetError):
    """A query that cannot be compiled: unknown column, bad operator for a type, bad regex, ..."""


class FilterSyntaxError(InvalidQuery):
    """A filter expression that does not parse; says where and what was expected."""

    def __init__(self, message: str, text: str, position: int) -> None:
        self.text = text
        self.position = position
        self.detail = message
        super().__init__(f"{message} at position {position + 1}: {_excerpt(text, position)}")


class QueryTimeout(LogsheetError):
    """A query that exceeded its time budget."""


class OutOfMemory(LogsheetError):
    """A query that needs more memory than the engine's budget (LOGSHEET_MEMORY_LIMIT); the server keeps serving."""


class ImportFailed(LogsheetError):
    """An import that produced nothing usable (every input rejected, or none found)."""


def _excerpt(text: str, position: int) -> str:
    start = max(0, position - 20)
    before = text[start:position].replace("\n", " ")
    after = text[position : position + 20].replace("\n", " ")
    return f"{'…' if start else ''}{before}⟦here⟧{after}{'…' if position + 20 < len(text) else ''}"
