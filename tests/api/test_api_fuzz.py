"""Schemathesis against the app's own OpenAPI document, through the ASGI app (issue 19, item 8): every operation,
valid and invalid inputs, on a workspace with small sheets. No answer may be a 5xx, and every error is the
documented ``{"error": "one sentence"}`` JSON (docs/api.md).

The run is bounded and deterministic: Hypothesis derandomized (the same cases every run), no example database,
no shrinking, ``EXAMPLES`` cases per operation, per generation mode (positive, negative) and per naming
(generated path parameters, and the imported sheet's own name so that views run on its real columns). It
prints the number of requests it made and fails below ``FLOOR``; the whole run takes about a minute here.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from fastapi import FastAPI  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.python import asgi  # noqa: E402

from logsheet.api import create_app  # noqa: E402
from logsheet.workspace import Workspace  # noqa: E402

EXAMPLES = 20
FLOOR = 800
SHEET = "ct"  # see api_helpers.build_workspace
# With the real sheet's name these would take it away from the operations that follow (they run with
# generated names, where they meet no sheet).
DESTRUCTIVE = {("DELETE", "/api/sheets/{name}"), ("PATCH", "/api/sheets/{name}")}


def problem(response: Any) -> str | None:
    """What is wrong with one answer: a 5xx, or an error that is not the JSON error shape."""
    status = response.status_code
    headers = {name.lower(): values for name, values in response.headers.items()}  # name -> list of values
    content_type = (headers.get("content-type") or [""])[0]
    if status < 400:
        return None
    if not content_type.startswith("application/json"):
        return f"{status} with content-type {content_type!r}: {response.text[:200]!r}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"{status} whose body is not JSON"
    if not (isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip()):
        return f"{status} whose body is not {{'error': sentence}}: {response.text[:200]}"
    if "\n" in body["error"] or "Traceback" in body["error"]:
        return f"{status} whose error is not one line: {body['error'][:200]!r}"
    if status >= 500:
        return f"{status}: {body['error'][:300]}"
    return None


@dataclass
class Run:
    statuses: Counter[int] = field(default_factory=Counter)
    found: list[str] = field(default_factory=list)
    no_invalid_input: set[tuple[str, str]] = field(default_factory=set)
    operations: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def fuzz(app: FastAPI, examples: int = EXAMPLES, only: str | None = None) -> Run:
    """Every operation of the app's OpenAPI document (or those whose path ends with ``only``), as above."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations() if only is None or r.ok().path.endswith(only)]
    run = Run(operations=len(operations))
    with asgi.get_client(app) as client:  # one in-process client for the whole run
        for operation in operations:
            key = (operation.method.upper(), operation.path)
            namings: list[dict[str, Any] | None] = [None]
            if any(p.name == "name" for p in operation.path_parameters) and key not in DESTRUCTIVE:
                namings.insert(0, {"name": SHEET})
            for naming in namings:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=naming)
                    try:
                        _cases(run, client, key, mode, strategy, examples)
                    except Unsatisfiable:  # no invalid input exists (no parameters, or only free text in the path)
                        assert mode is GenerationMode.NEGATIVE, key
                        run.no_invalid_input.add(key)
    return run


def _cases(run: Run, client: Any, key: tuple[str, str], mode: GenerationMode, strategy: Any, examples: int) -> None:
    """Send ``examples`` cases of one operation in one mode, recording every status and problem."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every problem is collected
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: Any) -> None:
        try:
            response = case.call(session=client)
        except Exception as exc:  # noqa: BLE001 - the in-process client re-raises what the app did not handle
            run.statuses[500] += 1
            run.found.append(f"{key[0]} {case.formatted_path} ({mode.value}): raised {type(exc).__name__}: {exc!s:.200}")
            return
        run.statuses[response.status_code] += 1
        wrong = problem(response)
        if wrong is not None and len(run.found) < 50:
            body = case.body[:100] if isinstance(case.body, bytes) else case.body
            run.found.append(f"{key[0]} {case.formatted_path} ({mode.value}): {wrong}; query {case.query}, body {body!r:.300}")

    call()


def test_schemathesis_finds_no_5xx_and_only_json_errors(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    run = fuzz(create_app(ws))
    with capsys.disabled():
        statuses = dict(sorted(run.statuses.items()))
        print(f"\nschemathesis: {run.requests} requests over {run.operations} operations, statuses {statuses}")
    assert not run.found, "\n".join(run.found)
    assert sum(n for status, n in run.statuses.items() if status >= 500) == 0
    assert run.operations >= 21  # every operation of docs/api.md
    assert run.requests >= FLOOR, f"only {run.requests} requests were generated"
    assert ws.sheet(SHEET).row_count == 60  # the fuzzing did not take the sheet away


def test_the_fuzzing_catches_a_5xx_and_a_plain_text_error(ws: Workspace) -> None:
    """The run can fail: a route that breaks on some inputs is found, and its 500 is still the JSON shape."""
    app = create_app(ws)

    @app.post("/api/sheets/{name}/broken")
    def broken(name: str, body: dict[str, Any]) -> dict[str, Any]:
        if len(body) > 0:
            raise RuntimeError("a bug\nwith a second line")
        return {}

    run = fuzz(app, examples=10, only="/broken")
    assert run.found and all("raised RuntimeError: a bug" in f for f in run.found), run.found
    # what a client sees of that bug: a 500 in the error shape, one line, never a plain-text page
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    answer = TestClient(app, raise_server_exceptions=False).post("/api/sheets/ct/broken", json={"a": 1})
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert answer.json() == {"error": "internal error (RuntimeError): a bug - please report it"}
    plain = problem(type("R", (), {"status_code": 500, "headers": {"content-type": ["text/plain"]}, "text": "oops"})())
    assert plain is not None and "text/plain" in plain
