"""docs/api.md is the contract: every endpoint it lists is served (and in the OpenAPI document), and every
endpoint served under /api/ is listed there."""

from __future__ import annotations

import re

from api_helpers import TestClient

from repo_paths import DOCS

API_MD = DOCS / "api.md"
ROW = re.compile(r"^\| (GET|POST|PATCH|PUT|DELETE|GET/POST) \| `([^`]+)` \|", re.MULTILINE)


def documented() -> set[tuple[str, str]]:
    out = set()
    for methods, path in ROW.findall(API_MD.read_text(encoding="utf-8")):
        for method in methods.split("/"):
            out.add((method.lower(), path))
    return out


def served(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return {(method, path) for path, item in paths.items() for method in item if path.startswith("/api/")}


def test_docs_and_app_list_the_same_endpoints(client: TestClient) -> None:
    docs = documented()
    assert len(docs) >= 18
    assert docs == served(client)


def test_openapi_describes_the_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"query", "limit", "offset", "request_id"} <= set(schemas["QueryRequest"]["properties"])
    assert {"buckets", "start", "end", "request_id"} <= set(schemas["HistogramRequest"]["properties"])
    upload = spec["paths"]["/api/uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"files", "sheet", "format", "append"} <= set(upload["properties"])
    assert "/" not in spec["paths"] and "/sheets/{name}" not in spec["paths"]  # pages are not API
