"""Objects downloaded concurrently into a staging folder, handed over as each one arrives.

A pool of threads streams each object's body to its own file in 1 MiB chunks (memory per download is one
chunk), then measures it as a local file is (:func:`logsheet.ingest.decompress.inspect_file`: the SHA-256 of
its bytes, and its expansion if it is gzip). At most ``window`` objects (and bytes) are downloaded and not yet
released by the importer, so that the staging folder stays bounded however large the selection.

Each GET asks for the object the listing saw (``If-Match`` its ETag): an object rewritten since is reported,
not mixed in. botocore retries a request that fails (throttling, 5xx, a dropped connection) with back-off; a
body cut short while it is read is fetched again here, ``READ_ATTEMPTS`` times with exponential back-off and
jitter. An object that still cannot be read is handed over as :class:`Unreadable`, with the reason.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Queue
from typing import Any

from logsheet.ingest.decompress import Inspected, Limits, inspect_file
from logsheet.ingest.s3.client import explain, is_boto_error
from logsheet.ingest.s3.layout import S3Object
from logsheet.ingest.s3.request import S3Request

CHUNK = 1 << 20
READ_ATTEMPTS = 4
BACKOFF = 0.25  # seconds before the second attempt; doubled each time, with jitter


@dataclass(frozen=True)
class Fetched:
    obj: S3Object
    path: Path
    inspected: Inspected
    version_id: str | None


@dataclass(frozen=True)
class Unreadable:
    obj: S3Object
    reason: str


class Fetcher:
    """Downloads ``objects`` into ``folder``; iterate to get each as it arrives, and :meth:`release` what
    has been imported (and removed) so that more are fetched."""

    def __init__(
        self,
        client: Any,
        request: S3Request,
        objects: list[S3Object],
        folder: Path,
        window_objects: int,
        window_bytes: int,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self.client, self.request, self.objects, self.folder = client, request, objects, folder
        self.window_objects, self.window_bytes = max(1, window_objects), max(1, window_bytes)
        self.on_bytes = on_bytes
        self.limits = Limits.from_env()
        self._results: Queue[Fetched | Unreadable] = Queue()
        self._room = threading.Condition()
        self._held_objects = 0
        self._held_bytes = 0
        self._stopped = False
        self._pool = ThreadPoolExecutor(request.workers, thread_name_prefix="logsheet-s3")
        self._feeder = threading.Thread(target=self._feed, name="logsheet-s3-feed", daemon=True)

    def __enter__(self) -> Fetcher:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._feeder.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._room:
            self._stopped = True
            self._room.notify_all()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._feeder.join()

    def __iter__(self) -> Iterator[Fetched | Unreadable]:
        for _ in self.objects:
            yield self._results.get()

    def release(self, objects: int, nbytes: int) -> None:
        with self._room:
            self._held_objects -= objects
            self._held_bytes -= nbytes
            self._room.notify_all()

    def _feed(self) -> None:
        for index, obj in enumerate(self.objects):
            with self._room:
                # Waits only while the window is full: everything held then arrives, and fills a batch.
                while not self._stopped and (self._held_objects >= self.window_objects or self._held_bytes >= self.window_bytes):
                    self._room.wait()
                if self._stopped:
                    return
                self._held_objects += 1
                self._held_bytes += obj.size
            try:
                self._pool.submit(self._fetch, index, obj)
            except RuntimeError:  # the pool was shut down: the import is ending
                return

    def _fetch(self, index: int, obj: S3Object) -> None:
        try:
            self._results.put(self._download(index, obj))
        except BaseException as exc:  # noqa: BLE001 - every object is handed over, read or not
            self._results.put(Unreadable(obj, f"{type(exc).__name__}: {exc}"))

    def _download(self, index: int, obj: S3Object) -> Fetched | Unreadable:
        base = obj.key.rsplit("/", 1)[-1]
        safe = "".join(ch for ch in base[-80:] if ch.isascii() and (ch.isalnum() or ch in "._-")).lstrip(".-")
        path = self.folder / f"o{index:07d}-{safe}"
        params: dict[str, Any] = {"Bucket": self.request.url.bucket, "Key": obj.key}
        if obj.etag:
            params["IfMatch"] = f'"{obj.etag}"'
        if self.request.requester_pays:
            params["RequestPayer"] = "requester"
        for attempt in range(READ_ATTEMPTS):
            written = 0
            try:
                response = self.client.get_object(**params)
                body = response["Body"]
                with open(path, "wb") as out:
                    while chunk := body.read(CHUNK):
                        out.write(chunk)
                        written += len(chunk)
                        if self.on_bytes:
                            self.on_bytes(len(chunk))
                body.close()
                if written != obj.size:
                    raise _CutShort(f"{written:,} of {obj.size:,} bytes arrived")
                return Fetched(obj, path, inspect_file(path, self.limits), response.get("VersionId"))
            except Exception as exc:  # noqa: BLE001 - S3's refusals end here, read errors are tried again
                if self.on_bytes and written:
                    self.on_bytes(-written)
                reason = _final(exc, self.request)
                if reason is not None or attempt == READ_ATTEMPTS - 1:
                    path.unlink(missing_ok=True)
                    return Unreadable(obj, reason or _words(exc, self.request))
                time.sleep(BACKOFF * (2**attempt) * (0.5 + random.random()))  # noqa: S311 - jitter, not secrets
        raise AssertionError("unreachable")


class _CutShort(Exception):
    """The body ended before the object's size."""


def _final(exc: BaseException, request: S3Request) -> str | None:
    """The reason an object will not be read by trying again (refused by S3), or None (worth a retry)."""
    import botocore.exceptions as bce

    if isinstance(exc, bce.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("PreconditionFailed", "412"):
            return "the object changed while the import ran (its ETag is not the one listed): run the import again"
        if code in ("NoSuchKey", "404"):
            return "the object was deleted while the import ran"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if 400 <= int(status) < 500 and code not in ("RequestTimeout", "SlowDown"):
            return str(explain(exc, request, "reading the object"))
    return None


def _words(exc: BaseException, request: S3Request) -> str:
    if isinstance(exc, _CutShort):
        return f"the object arrived cut short {READ_ATTEMPTS} times ({exc})"
    if is_boto_error(exc):
        return str(explain(exc, request, "reading the object"))
    return f"{type(exc).__name__}: {exc}"
