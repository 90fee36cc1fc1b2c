"""Import jobs: what an upload becomes once its files are on disk.

A job is created when an upload starts (state ``queued``, phase ``receiving``, bytes counted per file as they
arrive), queued when the upload completes, and run by one background thread at a time (imports are heavy;
the rest wait in order) with the importer's progress as ``phase`` and ``progress`` (0..1). When it is done
it holds the import summary; when it fails, the error in words, and its uploaded files are removed (no sheet
refers to them). The jobs of this server's lifetime are kept in memory, the most recent ``KEEP``.

The import itself runs in a child process (:mod:`logsheet.api.import_worker`), so that no upload can take the
server down: a file that exhausts memory or crashes an engine kills only the child, and the job ends as failed
with ``the import process ended unexpectedly (signal 9)``; nothing of it is visible (the import commits in one
catalog transaction, which a dead child never reached). ``POST /api/jobs/{id}/cancel`` takes a queued job out
of the queue, or kills the child of a running one.

While a job is unfinished its folder holds ``.owner``, locked (``flock``) by this server for the job's life;
:func:`logsheet.workspace.housekeeping.sweep_uploads`, run when a server starts, removes the folders of jobs a
killed server left behind (the lock is free, no sheet refers to their files).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter

import logsheet
from logsheet.core.errors import NotFound
from logsheet.ingest.options import ImportOptions
from logsheet.store.catalog import now
from logsheet.workspace import Workspace, housekeeping

KEEP = 200
# The share of the progress bar each importer phase covers: (from, to).
PHASES = {"discovering": (0.0, 0.05), "reading": (0.05, 0.5), "writing": (0.5, 0.99), "done": (1.0, 1.0)}
PHASES |= {"listing": (0.0, 0.02), "downloading": (0.02, 0.99)}  # an import from S3: objects imported of those listed
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
    case: str | None = None  # the case the sheet also joins (every sheet joins the default case)
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
    cancelled: bool = field(default=False, repr=False)
    child: subprocess.Popen[str] | None = field(default=None, repr=False)
    owner: housekeeping.UploadOwner | None = field(default=None, repr=False)
    s3: dict[str, Any] | None = None  # an import from S3 (logsheet.api.s3imports): S3Request.to_json()

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return ({"s3": self.s3} if self.s3 is not None else {}) | {
                "id": self.id,
                "state": self.state,
                "phase": self.phase,
                "progress": round(self.progress, 4),
                "sheet": self.sheet,
                "format": self.format,
                "append": self.append,
                "case": self.case,
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
        self._release()

    def succeed(self, summary: dict[str, Any]) -> None:
        with self.lock:
            self.state, self.phase, self.progress = "done", "done", 1.0
            self.summary, self.finished_at = summary, now()
        self._release()

    def _release(self) -> None:
        if self.owner is not None:
            self.owner.release(remove=self.folder.exists())
            self.owner = None


class Jobs:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: deque[Job] = deque()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.started = time.time()
        housekeeping.sweep_uploads(ws.root, ws.catalog, started=self.started)

    def new(self) -> Job:
        job_id = uuid.uuid4().hex[:16]
        folder = self.ws.root / "uploads" / job_id
        folder.mkdir(parents=True)
        job = Job(job_id, folder, owner=housekeeping.UploadOwner.take(folder))
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

    def cancel(self, job_id: str) -> bool:
        """Stop a job: out of the queue when it waits, its child killed when it runs. False when it has
        finished (or is still receiving its files: the upload itself is stopped by closing its request)."""
        job = self.get(job_id)
        with self._lock:
            queued = job in self._queue
            if queued:
                self._queue.remove(job)
        with job.lock:
            if not queued and job.state != "running":
                return False
            job.cancelled = True
            child = job.child
        if child is not None:
            child.kill()
        if queued:
            job.fail(CANCELLED)
        return True

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
            if job.cancelled:
                return
            job.state, job.phase = "running", "starting"
            request = {
                "root": str(self.ws.root),
                "paths": [str(job.folder / f.stored) for f in job.files],
                "sheet": job.sheet,
                "format": job.format,
                "append": job.append,
                "case": job.case,
                "options": job.options.to_json(),
            }
            if job.s3 is not None:
                request["s3"] = job.s3
        try:
            outcome = self._in_child(job, request)
        except Exception as exc:  # noqa: BLE001 - a job must end in a state the page can show, whatever happened
            log.exception("import job %s failed", job.id)
            outcome = {"crash": f"{type(exc).__name__}: {exc}"}
        if "summary" in outcome:  # committed: a cancel that came after the commit changes nothing
            job.succeed(outcome["summary"])
            if job.s3 is not None:  # an S3 import's folder never holds a file
                shutil.rmtree(job.folder, ignore_errors=True)
        elif job.cancelled:
            job.fail(CANCELLED)
        elif "error" in outcome:
            job.fail(str(outcome["error"]))
        else:
            job.fail(f"the import failed unexpectedly: {outcome['crash']}")

    def _in_child(self, job: Job, request: dict[str, Any]) -> dict[str, Any]:
        """Run the import in a child process; its last word (summary, error or crash)."""
        env = dict(os.environ)
        package_root = str(Path(logsheet.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        child = subprocess.Popen(
            [sys.executable, "-m", "logsheet.api.import_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
        )
        with job.lock:
            job.child = child
            if job.cancelled:
                child.kill()
        assert child.stdin is not None and child.stdout is not None
        last: dict[str, Any] | None = None
        try:
            child.stdin.write(json.dumps(request) + "\n")
            child.stdin.flush()
            for line in child.stdout:
                message = json.loads(line)
                if "progress" in message:
                    job.report(*message["progress"])
                else:
                    last = message
        except (BrokenPipeError, ValueError):
            pass  # the child died early (or wrote garbage): its return code says how it ended
        finally:
            child.stdin.close()
            code = child.wait()
            child.stdout.close()
            with job.lock:
                job.child = None
        if last is not None:
            return last
        return {"error": ended_unexpectedly(code)}


CANCELLED = "the import was cancelled"


def ended_unexpectedly(code: int) -> str:
    """``the import process ended unexpectedly (signal 9)``: a child that died without a word."""
    if code < 0:
        try:
            name = f"signal {-code}, {signal.Signals(-code).name}"
        except ValueError:
            name = f"signal {-code}"
        return f"the import process ended unexpectedly ({name}); nothing of this upload was imported"
    return f"the import process ended unexpectedly (exit code {code}); nothing of this upload was imported"


def router(jobs: Jobs) -> APIRouter:
    api = APIRouter(prefix="/api/jobs", tags=["uploads"])

    @api.get("")
    def recent_jobs() -> list[dict[str, Any]]:
        """This server's import jobs, newest first."""
        return [job.to_json() for job in jobs.recent()]

    @api.get("/{job_id}")
    def job_state(job_id: str) -> dict[str, Any]:
        return jobs.get(job_id).to_json()

    @api.post("/{job_id}/cancel")
    def cancel_job(job_id: str) -> dict[str, bool]:
        """Stop a queued or running import (its child process is killed); ``{"cancelled": false}`` when the
        job has already finished."""
        return {"cancelled": jobs.cancel(job_id)}

    return api
