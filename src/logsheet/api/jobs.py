"""Import jobs: what an upload becomes once its files are on disk.

A job is created when an upload starts (state ``queued``, phase ``receiving``, bytes counted per file as they
arrive), queued when the upload completes, and run by one background thread at a time (imports are heavy;
the rest wait in order) with the importer's progress as ``phase`` and ``progress`` (0..1). When it is done
it holds the import summary; when it fails, the error in words, and its uploaded files are removed (no sheet
refers to them). The jobs of this server's lifetime are kept in memory, the most recent ``KEEP``.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from logsheet.core.errors import LogsheetError, NotFound
from logsheet.ingest.options import ImportOptions
from logsheet.store.catalog import now
from logsheet.workspace import Workspace

KEEP = 200
# The share of the progress bar each importer phase covers: (from, to).
PHASES = {"discovering": (0.0, 0.05), "reading": (0.05, 0.5), "writing": (0.5, 0.99), "done": (1.0, 1.0)}
log = logging.getLogger("logsheet.jobs")


@dataclass
class UploadedFile:
    name: str  # the client's file name: display text only
    stored: str  # the generated name on disk
    received: int = 0
    complete: bool = False

    def to_json(self) -> dict[str, Any]:
        size = self.received if self.complete else None
        return {"name": self.name, "stored": self.stored, "bytes": size, "received": self.received}


@dataclass
class Job:
    id: str
    folder: Path
    sheet: str | None = None
    format: str | None = None
    append: bool = False
    options: ImportOptions = field(default_factory=ImportOptions)
    state: str = "queued"  # queued | running | done | failed
    phase: str = "receiving"
    progress: float = 0.0
    files: list[UploadedFile] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    error: str | None = None
    created_at: str = field(default_factory=now)
    finished_at: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "state": self.state,
                "phase": self.phase,
                "progress": round(self.progress, 4),
                "sheet": self.sheet,
                "format": self.format,
                "append": self.append,
                "options": self.options.to_json(),
                "files": [f.to_json() for f in self.files],
                "summary": self.summary,
                "error": self.error,
                "created_at": self.created_at,
                "finished_at": self.finished_at,
            }

    def report(self, phase: str, done: float, total: float) -> None:
        """The importer's progress callback."""
        low, high = PHASES.get(phase, (self.progress, self.progress))
        fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
        with self.lock:
            self.phase = phase
            self.progress = max(self.progress, low + (high - low) * fraction)

    def fail(self, message: str) -> None:
        with self.lock:
            self.state, self.error, self.finished_at = "failed", message, now()
        shutil.rmtree(self.folder, ignore_errors=True)


class Jobs:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: deque[Job] = deque()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def new(self) -> Job:
        job_id = uuid.uuid4().hex[:16]
        folder = self.ws.root / "uploads" / job_id
        folder.mkdir(parents=True)
        job = Job(job_id, folder)
        with self._lock:
            self._jobs[job_id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no import job {job_id!r} (jobs are kept while the server runs)")
        return job

    def recent(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def submit(self, job: Job) -> None:
        with job.lock:
            job.phase = "queued"
        with self._lock:
            self._queue.append(job)
            if self._worker is None:
                self._worker = threading.Thread(target=self._drain, name="logsheet-import", daemon=True)
                self._worker.start()

    def wait(self, timeout: float = 60.0) -> None:
        """Block until every queued job has finished (for tests and scripts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._worker is None:
                    return
            time.sleep(0.02)
        raise TimeoutError("import jobs still running")

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._worker = None
                    return
                job = self._queue.popleft()
            self._run(job)

    def _run(self, job: Job) -> None:
        with job.lock:
            job.state, job.phase = "running", "starting"
            paths: list[str | Path] = [job.folder / f.stored for f in job.files]
        try:
            summary = self.ws.import_paths(
                paths, sheet=job.sheet, format=job.format, append=job.append, options=job.options, progress=job.report
            )
        except LogsheetError as exc:
            job.fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must end in a state the page can show, whatever happened
            log.exception("import job %s failed", job.id)
            job.fail(f"the import failed unexpectedly: {type(exc).__name__}: {exc}")
        else:
            with job.lock:
                job.state, job.phase, job.progress = "done", "done", 1.0
                job.summary, job.finished_at = summary.to_json(), now()


def router(jobs: Jobs) -> APIRouter:
    api = APIRouter(prefix="/api/jobs", tags=["uploads"])

    @api.get("")
    def recent_jobs() -> list[dict[str, Any]]:
        """This server's import jobs, newest first."""
        return [job.to_json() for job in jobs.recent()]

    @api.get("/{job_id}")
    def job_state(job_id: str) -> dict[str, Any]:
        return jobs.get(job_id).to_json()

    return api
