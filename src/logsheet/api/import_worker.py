"""The child process an upload is imported in: ``python -m logsheet.api.import_worker``.

Why a subprocess running this module rather than ``multiprocessing`` (even with the "spawn" context): spawn
re-imports the parent's ``__main__`` in the child (a user's script serving logsheet without a ``__main__``
guard would start a second server), pickles its arguments, and ties the child's life to the parent's
multiprocessing bookkeeping. A plain subprocess of ``sys.executable`` runs only this module, speaks a protocol
that is a few lines of JSON, and reports how it ended through its return code (a negative one is the signal
that killed it: ``SIGKILL`` from the kernel's out-of-memory killer, ``SIGSEGV`` from a crashed engine).

The protocol. The server writes one JSON line on the child's stdin, the request::

    {"root": "<workspace>", "paths": [...], "sheet": ..., "format": ..., "append": false, "case": ..., "options": {...}}

(``options`` is ``ImportOptions.to_json()``, read back with ``ImportOptions.from_mapping``) and keeps stdin
open: the child ends itself (``os._exit``) when stdin reaches its end, so an import never outlives a server
that was killed. The child answers on its stdout, one JSON object a line: ``{"progress": [phase, done,
total]}`` as the importer reports, then exactly one of ``{"summary": {...}}`` (``ImportSummary.to_json()``),
``{"error": "..."}`` (a domain error's sentence: bad input, a taken name) or ``{"crash": "..."}`` (an
unexpected exception, its type and text). Anything the import libraries print goes to stderr (the server's
log), never into the protocol. A child that ends without one of the three (killed, out of memory, crashed)
is reported by the server from its return code; its import was never committed (imports are atomic through
the catalog), and its staging folder is swept by the next workspace that opens (``staging/<pid>-...``).

Memory. The child's import connection has DuckDB's limit (``LOGSHEET_IMPORT_MEMORY``, default 1GB, with
spilling), and decompression is bounded (``ingest.decompress``). On top of that, ``LOGSHEET_IMPORT_ADDRESS_SPACE``
(bytes, with an optional K/M/G/T suffix; unset by default) caps the child's address space with
``resource.setrlimit(RLIMIT_AS)``: an allocation past it fails inside the child (a clean failed job) instead of
waking the kernel's out-of-memory killer. It is off by default because DuckDB and Arrow reserve far more
address space than they use, so a cap tight enough to matter must be chosen per machine.

Test hook. ``LOGSHEET_TEST_KILL_IMPORT=at-start`` makes the child kill itself with ``SIGKILL`` right after it
has opened the workspace and reported its first progress; ``=at-reading`` when the importer reports its
``reading`` phase (the files discovered, hashed and their archives extracted into the staging folder, nothing
committed). It exists only so that the tests can show what a child that
dies looks like from the API; it is read nowhere else.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from collections.abc import Mapping
from typing import IO, Any

from logsheet.core.errors import LogsheetError

ADDRESS_SPACE_ENV = "LOGSHEET_IMPORT_ADDRESS_SPACE"
TEST_KILL_ENV = "LOGSHEET_TEST_KILL_IMPORT"
SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_bytes(text: str) -> int:
    """``4G`` (or ``4GB``, ``4GiB``) → 4 GiB; a plain number is bytes. Refuses anything else in one sentence."""
    found = re.fullmatch(r"\s*([0-9]+)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not found or int(found[1]) == 0:
        raise LogsheetError(f"{ADDRESS_SPACE_ENV} must be a size such as 4G or 4294967296, not {text!r}")
    return int(found[1]) * SUFFIXES[found[2]]


def cap_address_space(environ: Mapping[str, str]) -> None:
    given = environ.get(ADDRESS_SPACE_ENV, "").strip()
    if not given:
        return
    import resource

    limit = parse_bytes(given)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _watch_parent(stdin: IO[str]) -> None:
    """End this process when the server closes its side of stdin (or dies)."""
    stdin.read()
    os._exit(3)


def main() -> int:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever a library prints goes to the server's log, not into the protocol
    lock = threading.Lock()

    def send(message: dict[str, Any]) -> None:
        with lock:
            protocol.write(json.dumps(message) + "\n")
            protocol.flush()

    request = json.loads(sys.stdin.readline())
    threading.Thread(target=_watch_parent, args=(sys.stdin,), name="logsheet-import-parent", daemon=True).start()
    kill_at = os.environ.get(TEST_KILL_ENV, "")
    try:
        cap_address_space(os.environ)
        from logsheet.ingest.options import ImportOptions
        from logsheet.workspace import Workspace

        ws = Workspace.open(request["root"])

        def progress(phase: str, done: float, total: float) -> None:
            send({"progress": [phase, done, total]})
            if kill_at == "at-reading" and phase == "reading":
                os.kill(os.getpid(), signal.SIGKILL)

        progress("starting", 0, 1)
        if kill_at == "at-start":
            os.kill(os.getpid(), signal.SIGKILL)
        if request.get("s3"):  # an import from S3 (logsheet.api.s3imports)
            given = {k: v for k, v in request["s3"].items() if k != "url"}
            summary = ws.import_s3(
                request["s3"]["url"],
                sheet=request["sheet"],
                format=request["format"],
                append=bool(request["append"]),
                options=ImportOptions.from_mapping(request["options"]),
                progress=progress,
                case=request.get("case"),
                s3=given,
            )
        else:
            summary = ws.import_paths(
                request["paths"],
                sheet=request["sheet"],
                format=request["format"],
                append=bool(request["append"]),
                options=ImportOptions.from_mapping(request["options"]),
                progress=progress,
                case=request.get("case"),
            )
    except MemoryError:
        send({"error": "the import needed more memory than its process may use"})
        return 1
    except Exception as exc:  # noqa: BLE001 - every ending is reported to the server in words
        if isinstance(exc, LogsheetError):
            send({"error": str(exc)})
        else:
            send({"crash": f"{type(exc).__name__}: {exc}"})
        return 1
    send({"summary": summary.to_json()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
