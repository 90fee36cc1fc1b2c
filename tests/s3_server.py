"""A local S3 server for the tests: moto's server mode on 127.0.0.1 (a random free port), in a thread of the
test process, with every request it answers counted (method, bucket, key, query) so that a test can tell how
many ListObjectsV2 or GetObject requests an import made."""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from logsheet.demo.ct_background import background_records
from logsheet.demo.ids import Ids

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"


@dataclass(frozen=True)
class Seen:
    method: str
    bucket: str
    key: str
    query: dict[str, list[str]]
    payer: str = ""  # the x-amz-request-payer header
    signed_region: str = ""  # the region of the request's SigV4 credential scope

    @property
    def is_list(self) -> bool:
        return self.method == "GET" and not self.key and self.query.get("list-type") == ["2"]

    @property
    def is_get_object(self) -> bool:
        return self.method == "GET" and bool(self.key)


@dataclass
class Log:
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, bucket: str, test: Callable[[Seen], bool]) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.bucket == bucket and test(s)]

    def lists(self, bucket: str) -> list[Seen]:
        return self.of(bucket, lambda s: s.is_list)

    def gets(self, bucket: str) -> list[Seen]:
        return self.of(bucket, lambda s: s.is_get_object)


DENIED = b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'


class CountingMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` whose WSGI app writes each request into :attr:`log` before moto answers it.

    Faults, by key: a GET of a key in :attr:`deny` is answered 403 AccessDenied (an object the credentials may
    not read); the first ``cut[key]`` GETs of a key get only half of the object's bytes (a body cut short)."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1", 0, verbose=False)
        self.log = Log()
        self.deny: set[str] = set()
        self.cut: dict[str, int] = {}

    def _server_entry(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request in the test output
        app = DomainDispatcherApplication(create_backend_app)
        log = self.log

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            path = unquote(environ.get("PATH_INFO", ""))
            bucket, _, key = path.lstrip("/").partition("/")
            scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
            seen = Seen(
                environ.get("REQUEST_METHOD", ""),
                bucket,
                key,
                parse_qs(environ.get("QUERY_STRING", ""), True),
                environ.get("HTTP_X_AMZ_REQUEST_PAYER", ""),
                scope[2] if len(scope) > 2 else "",
            )
            with log.lock:
                log.seen.append(seen)
            if seen.is_get_object and seen.key in self.deny:
                start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(DENIED)))])
                return [DENIED]
            if seen.is_get_object and self.cut.get(seen.key, 0) > 0:
                self.cut[seen.key] -= 1
                return _cut_short(app, environ, start_response)
            return app(environ, start_response)

        self._server = make_server(self._ip_address, self._port, counting, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"


def _cut_short(app: Any, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    answered: dict[str, Any] = {}

    def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered["status"], answered["headers"] = status, headers
        return lambda data: None

    body = b"".join(app(environ, keep))
    half = body[: len(body) // 2]
    headers = [(k, v) for k, v in answered["headers"] if k.lower() != "content-length"]
    start_response(answered["status"], [*headers, ("Content-Length", str(len(half)))])
    return [half]


def delivery_key(day: date, region: str, index: int, account: str = ACCOUNT, prefix: str = "") -> str:
    stamp = f"{day:%Y%m%d}T{index % 24:02d}{(index * 5) % 60:02d}Z"
    return (
        f"{prefix}AWSLogs/{account}/CloudTrail/{region}/{day:%Y}/{day:%m}/{day:%d}/"
        f"{account}_CloudTrail_{region}_{stamp}_{index:04d}{region[-1]}{day.day:02d}.json.gz"
    )


def delivery(seed: int, records: int) -> tuple[bytes, list[str]]:
    """One CloudTrail delivery made by the demo's traffic model: the gzip'd ``{"Records": [...]}`` and its
    event ids."""
    batch = background_records(Ids(random.Random(seed)), records)
    for n, record in enumerate(batch):  # unique across deliveries whatever the generator's ids
        record["eventID"] = f"{seed:08d}-{n:04d}-{record['eventID']}"
    body = json.dumps({"Records": batch}, separators=(",", ":")).encode()
    return gzip.compress(body, compresslevel=1, mtime=0), [r["eventID"] for r in batch]


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def put_deliveries(client: Any, bucket: str, keys: Iterable[str], records: int, seed: int = 0) -> dict[str, int]:
    """Upload one delivery per key; returns the records in each."""
    out = {}
    for n, key in enumerate(keys):
        body, ids = delivery(seed + n, records)
        client.put_object(Bucket=bucket, Key=key, Body=body)
        out[key] = len(ids)
    return out
