"""The web server under load: 8 clients at once asking for pages, filters, groups and histograms.

``logsheet serve`` runs in its own process on the big sheet (its DuckDB engine, its thread pool, the real
HTTP stack); 8 client threads each send a shuffled series of requests, as 8 analysts scrolling, filtering,
grouping and looking at the timeline of one case. Latency is from request sent to response read.
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from bench.scenarios import queries
from logsheet.core import ir
from logsheet.workspace import build_query

CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def requests_for(sheet: str, rows: int, rng: random.Random, rounds: int) -> list[tuple[str, str, dict[str, Any]]]:
    """A client's requests: scrolling the first 10,000 rows, jumping anywhere, filtering, grouping, the timeline."""
    views = {
        "filter": lambda: build_query(
            where=rng.choice(["eventName = 'AssumeRole'", "errorCode != null", "awsRegion = 'us-west-2'"])
        ),
        "group": lambda: build_query(group_by=[rng.choice(["sourceIPAddress", "eventName", "userIdentity.arn"])]),
    }
    out: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(rounds):
        page = {"query": ir.query_to_json(ir.Query()), "limit": 100}
        out.append(("page", f"/api/sheets/{sheet}/query", page | {"offset": rng.randrange(0, 100) * 100}))  # scrolling
        out.append(("jump", f"/api/sheets/{sheet}/query", page | {"offset": rng.randrange(0, rows // 100) * 100}))
        out.append(("filter", f"/api/sheets/{sheet}/query", {"query": ir.query_to_json(views["filter"]()), "limit": 100}))
        out.append(("group", f"/api/sheets/{sheet}/query", {"query": ir.query_to_json(views["group"]()), "limit": 100}))
        out.append(("histogram", f"/api/sheets/{sheet}/histogram", {"query": ir.query_to_json(ir.Query()), "buckets": 60}))
    rng.shuffle(out)
    return out


def run(data: Path, reps: int, size: str = "100M", rounds: int = 3) -> None:
    ws = queries.workspace(data)
    sheet = queries.sheets.build(ws, "ct", f"ct{size.lower()}", queries.SIZES[size])
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "logsheet"), "--home", str(ws.root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/api/sheets", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        latencies: dict[str, list[float]] = {"page": [], "jump": [], "filter": [], "group": [], "histogram": []}
        lock = threading.Lock()
        errors: list[str] = []

        def client(seed: int) -> None:
            with httpx.Client(base_url=base, timeout=300) as http:
                for kind, path, body in requests_for(sheet, queries.SIZES[size], random.Random(seed), rounds):
                    started = time.perf_counter()
                    try:
                        response = http.post(path, json=body)
                    except httpx.TransportError as exc:  # counted and reported, never hidden
                        errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                        continue
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
                        continue
                    with lock:
                        latencies[kind].append(elapsed)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    lines = [
        f"### Server: {CLIENTS} concurrent clients on {queries.SIZES[size]:,} CloudTrail rows "
        f"({sum(len(v) for v in latencies.values())} requests in {wall:.0f} s)",
        "",
        "| request | n | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    if errors:
        lines[0] += f"; {len(errors)} request(s) failed: " + "; ".join(sorted(set(errors))[:3])
    for kind, values in latencies.items():
        if not values:
            lines.append(f"| {kind} | 0 | - | - | - |")
            continue
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values) * 1000:,.0f} ms | {p95 * 1000:,.0f} ms | "
            f"{ordered[-1] * 1000:,.0f} ms |"
        )
    harness.record(data, "server", "\n".join(lines) + "\n", {"latencies": latencies, "wall": wall})
