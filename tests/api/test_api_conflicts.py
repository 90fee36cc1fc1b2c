"""A name taken is a Conflict, and the API answers it with 409 and its usual ``{"error": ...}`` body, wherever it
is raised: the upload's early check, a rename, the import pipeline, the catalog. The status of every domain
error comes from one table (``logsheet.api.app.STATUS``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import TestClient

from fixtures import write_ndjson
from logsheet.api import create_app
from logsheet.api.app import STATUS, status_of
from logsheet.api.uploads import BadUpload, UploadTooLarge
from logsheet.core.errors import (
    Conflict,
    FilterSyntaxError,
    ImportFailed,
    InvalidQuery,
    LogsheetError,
    NotFound,
    OutOfMemory,
    QueryTimeout,
)
from logsheet.engines.duckdb import QueryCancelled
from logsheet.ingest.options import InvalidImportOption
from logsheet.workspace import Workspace


def test_an_upload_into_a_taken_sheet_is_409(client: TestClient) -> None:
    response = client.post("/api/uploads", data={"sheet": "ct"}, files=[("files", ("a.ndjson", b'{"a": 1}\n'))])
    assert response.status_code == 409
    assert response.json() == {"error": "a sheet named 'ct' already exists; upload with append to add these files to it"}


def test_a_rename_to_a_taken_name_is_409(client: TestClient, ws: Workspace) -> None:
    response = client.patch("/api/sheets/hostile", json={"name": "ct"})
    assert response.status_code == 409
    assert response.json() == {"error": "a sheet named 'ct' already exists"}
    assert {s.name for s in ws.sheets()} == {"ct", "hostile"}


def test_the_pipeline_and_the_catalog_raise_conflict(ws: Workspace, inputs: Path) -> None:
    path = write_ndjson(inputs / "more.ndjson", [{"a": 1}])
    with pytest.raises(Conflict, match="sheet 'ct' already exists; add --append"):
        ws.import_paths([path], sheet="ct")
    with pytest.raises(Conflict, match="a sheet named 'ct' already exists"):
        ws.catalog.rename_sheet("hostile", "ct")  # also below the façade's own check (a rename racing another)
    ws.catalog.rename_sheet("hostile", "hostile")  # to its own name: nothing taken
    with pytest.raises(Conflict, match="a sheet named 'ct' already exists"):
        ws.rename_sheet("hostile", "ct")  # the facade's own check


def test_a_conflict_raised_anywhere_is_409_with_the_error_shape(ws: Workspace, inputs: Path) -> None:
    """A job's import, or any endpoint: the handler, not the raiser, picks the status."""
    app = create_app(ws)
    raised: dict[str, LogsheetError] = {
        "conflict": Conflict("sheet 'x' already exists"),
        "missing": NotFound("no sheet named 'x'"),
        "slow": QueryTimeout("the query took too long"),
        "large": UploadTooLarge("too large"),
        "cancelled": QueryCancelled("cancelled"),
        "memory": OutOfMemory("out of memory"),
        "option": InvalidImportOption("bad option"),
    }

    def fail(kind: str) -> None:
        raise raised[kind]

    app.add_api_route("/api/test-raise/{kind}", fail, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())  # before the front end's catch-all
    client = TestClient(app)
    answers = {kind: client.get(f"/api/test-raise/{kind}") for kind in raised}
    assert {k: r.status_code for k, r in answers.items()} == {
        "conflict": 409,
        "missing": 404,
        "slow": 408,
        "large": 413,
        "cancelled": 499,
        "memory": 503,
        "option": 400,
    }
    assert answers["conflict"].json() == {"error": "sheet 'x' already exists"}


def test_every_domain_error_has_its_status_from_the_one_table() -> None:
    assert STATUS[Conflict] == 409
    assert status_of(FilterSyntaxError("expected a value", "a = ", 4)) == 400
    for error in (LogsheetError("x"), InvalidQuery("x"), ImportFailed("x"), BadUpload("x")):
        assert status_of(error) == 400
    assert not any("http_status" in vars(cls) for cls in (LogsheetError, NotFound, Conflict, QueryTimeout, OutOfMemory))


def test_the_cli_says_a_taken_name_in_one_line(ws: Workspace, inputs: Path, logsheet_home: Path) -> None:
    from click.testing import CliRunner

    from logsheet.cli import main

    path = write_ndjson(inputs / "more.ndjson", [{"a": 1}])
    result = CliRunner().invoke(main, ["--home", str(logsheet_home), "import", str(path), "-s", "ct", "-q"])
    assert result.exit_code == 1
    assert result.stderr == "error: sheet 'ct' already exists; add --append to add these files to it\n"
