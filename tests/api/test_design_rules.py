"""The NL API Design Rules (2.x) that a document or a response can show, one test each."""

from __future__ import annotations

import re

import pytest

from tests.api.support import bearer, token_for
from tests.valuation.web.sample import PROVIDER
from trajectory.auth.roles import Role

DOC = "/api/v1/openapi.json"
PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def doc(client):
    return client.get(DOC).get_json()


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_publish_openapi_document_is_public_with_cors(client):
    """/core/publish-openapi: the document at a known address, no login, any origin."""
    response = client.get(DOC)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["openapi"].startswith("3.")


def test_doc_openapi_is_openapi_3(doc):
    """/core/doc-openapi: OpenAPI 3.x with paths, components and security schemes."""
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["paths"] and doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]}


def test_doc_openapi_contact(doc):
    """/core/doc-openapi-contact: info.contact with name, e-mail and url."""
    contact = doc["info"]["contact"]
    assert contact["name"] and "@" in contact["email"] and contact["url"].startswith("https://")


def test_uri_version_in_servers_and_semver(doc):
    """/core/uri-version and /core/semver: the major version in the server URL, the full
    semantic version in info.version."""
    assert doc["servers"][0]["url"].endswith("/api/v1")
    assert re.fullmatch(r"\d+\.\d+\.\d+", doc["info"]["version"])
    assert doc["info"]["version"].split(".")[0] == "1"


def test_version_header_on_every_response(client):
    """/core/version-header: API-Version on answers, refusals and unknown paths alike."""
    for response in (client.get(DOC), client.get("/api/v1/rulebook-editions"),
                     client.get("/api/v1/contracts"), client.get("/api/v1/bestaat-niet"),
                     client.delete("/api/v1/rulebook-editions")):
        assert response.headers["API-Version"] == "1.0.0", response.status_code


def test_version_header_documented_on_every_response(doc):
    """/core/version-header in the document: every response declares the header."""
    for path, method, op in _operations(doc):
        for code, answer in op["responses"].items():
            assert "API-Version" in answer["headers"], (path, method, code)


def test_path_segments_kebab_case(doc):
    """/core/path-segments-kebab-case: lower case words joined by hyphens."""
    for path in doc["paths"]:
        for segment in path.strip("/").split("/"):
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|\{[a-zA-Z]+\}", segment), path


def test_no_trailing_slash_in_document(doc):
    """/core/no-trailing-slash: no path ends in a slash ..."""
    assert all(not path.endswith("/") for path in doc["paths"])


def test_no_trailing_slash_is_404_without_redirect(client):
    """... and a request with one is a 404 problem, not a redirect."""
    response = client.get("/api/v1/rulebook-editions/")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert "Location" not in response.headers


def test_query_keys_camel_case(doc):
    """/core/query-keys-camel-case: query parameter names in camelCase."""
    names = [p["name"] for _path, _m, op in _operations(doc) for p in op.get("parameters", [])
             if p["in"] == "query"]
    assert "pageSize" in names
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", name) for name in names), names


def test_naming_collections_plural_nouns(doc):
    """/core/naming-collections: a collection is a plural noun (the last word ends in s)."""
    for path in doc["paths"]:
        words = [s for s in path.strip("/").split("/") if not s.startswith("{")]
        assert words[0].endswith("s"), path


def test_http_methods_only_standard(doc):
    """/core/http-methods: only the standard methods, GET without a body."""
    for path, item in doc["paths"].items():
        assert set(item) - {"parameters"} <= METHODS, path
        if "get" in item:
            assert "requestBody" not in item["get"], path


def test_every_operation_documents_problem_responses(doc):
    """Errors (RFC 9457): every error response is application/problem+json."""
    for path, method, op in _operations(doc):
        for code, answer in op["responses"].items():
            if int(code) >= 400:
                assert list(answer["content"]) == [PROBLEM], (path, method, code)


def test_token_operations_declare_their_security(doc):
    """Authentication: every operation says its security; public ones say none."""
    for path, method, op in _operations(doc):
        assert "security" in op, (path, method)
        if op["security"]:
            assert "401" in op["responses"] and "403" in op["responses"], (path, method)


def test_operation_ids_unique_and_camel_case(doc):
    ids = [op["operationId"] for _p, _m, op in _operations(doc)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", i) for i in ids)


def test_stateless_session_cookie_is_not_accepted(adviseur_client):
    """/core/stateless: a logged-in browser session is no API credential."""
    response = adviseur_client.get("/api/v1/contracts")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("status,request_args", [
    (404, ("GET", "/api/v1/bestaat-niet")),
    (404, ("GET", "/api/v1/rulebook-editions/bestaat-niet")),
    (405, ("DELETE", "/api/v1/rulebook-editions")),
    (400, ("GET", "/api/v1/rulebook-editions?pageSize=0")),
    (400, ("GET", "/api/v1/rulebook-editions?page_size=5")),
    (401, ("GET", "/api/v1/contracts")),
])
def test_errors_are_problem_json_with_dutch_titles(client, status, request_args):
    method, url = request_args
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] in {"Niet gevonden", "Methode niet toegestaan", "Ongeldig verzoek",
                             "Niet geauthenticeerd"}
    assert body["instance"] == url.split("?")[0]


def test_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/rulebook-editions")
    assert response.headers["Allow"].split(", ").count("GET") == 1


def test_403_is_problem_json(client, world):
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"})
    response = client.get("/api/v1/contracts", headers=bearer(plain))
    assert response.status_code == 403
    assert response.mimetype == PROBLEM
    assert response.get_json()["title"] == "Geen toegang"


def test_401_has_a_bearer_challenge(client):
    response = client.get("/api/v1/contracts")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["title"] == "Niet geauthenticeerd"


def test_paging_shape_and_links(client):
    """Paging: page and pageSize, the totals and self/first/last/prev/next links."""
    response = client.get("/api/v1/rulebook-editions?pageSize=1&page=2")
    body = response.get_json()
    assert response.status_code == 200
    assert (body["page"], body["pageSize"]) == (2, 1)
    assert body["totalItems"] >= 2 and body["totalPages"] == body["totalItems"]
    assert len(body["items"]) == 1
    links = body["_links"]
    assert links["self"]["href"].startswith("/api/v1/rulebook-editions?")
    assert "page=1" in links["prev"]["href"] and "page=1" in links["first"]["href"]
    assert f"page={body['totalPages']}" in links["last"]["href"]


def test_sorting_and_filtering(client):
    """Sorting ``sort=-field,field`` and filtering by a field's name."""
    ascending = client.get("/api/v1/rulebook-editions?sort=effectiveFrom").get_json()["items"]
    descending = client.get("/api/v1/rulebook-editions?sort=-effectiveFrom").get_json()["items"]
    assert [e["id"] for e in ascending] == [e["id"] for e in reversed(descending)]
    adopted = client.get("/api/v1/rulebook-editions?status=vastgesteld").get_json()["items"]
    assert adopted and all(e["status"] == "vastgesteld" for e in adopted)
    refused = client.get("/api/v1/rulebook-editions?sort=naam")
    assert refused.status_code == 400
    assert refused.get_json()["invalidParams"][0]["name"] == "sort"


def test_no_csrf_token_needed(client):
    """Token auth, no cookies: a POST without a CSRF token is not refused for it."""
    response = client.post("/api/v1/valuations", data="{}", content_type="application/json",
                           csrf=False)
    assert response.status_code in (200, 400)
    assert response.mimetype in ("application/json", PROBLEM)
