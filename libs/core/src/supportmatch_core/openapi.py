"""The problems each operation can answer, written into the service's OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from supportmatch_core.problems import MEDIA_TYPE

# Routes that never touch the database, so never answer 503 for it (/readyz documents its own).
_WITHOUT_DATABASE = frozenset({"/healthz", "/readyz", "/metrics"})
_WHY = {
    400: "The body is not valid JSON or form data",
    401: "No bearer token, or one that is not valid",
    403: "The caller's role may not do this",
    404: "Nothing of that name that the caller may see",
    409: "The change conflicts with the current state",
    413: "The body is larger than the route's limit",
    422: "Input that breaks a rule; `errors` names each field",
    503: "The database is unavailable; try again after Retry-After seconds",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    503: {"Retry-After": {"schema": {"type": "string"}}},
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "limit_bytes": {"type": "integer"},
    },
}


def documented_problem(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a problem with `status`."""
    response: dict[str, Any] = {
        "description": _WHY[status],
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


CONFLICT: dict[int | str, dict[str, Any]] = {409: documented_problem(409)}
"""`responses=` of a route that can answer 409."""


def document_problems(app: FastAPI) -> None:
    """Make `app`'s OpenAPI document name the problems its operations answer, from what each
    operation takes: a token (401, 403), a path parameter (404), a body (400, 413), any input
    (422), the database (503). Responses a route declares itself are kept."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                PROBLEM_SCHEMA
            )
            for path, operations in document.get("paths", {}).items():
                for operation in operations.values():
                    _add_problems(path, operation)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_problems(path: str, operation: dict[str, Any]) -> None:
    parameters = operation.get("parameters", [])
    statuses: set[int] = set()
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if parameters:
        statuses.add(422)
    if path not in _WITHOUT_DATABASE:
        statuses.add(503)
    responses = operation.setdefault("responses", {})
    # FastAPI's own 422 describes its validation error; ours answers a problem instead.
    if "HTTPValidationError" in str(responses.get("422", "")):
        del responses["422"]
    for status in sorted(statuses):
        responses.setdefault(str(status), documented_problem(status))


def link(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the operation `method` `path`, its `parameters` given as runtime
    expressions ("$response.body#/uscc"), so clients and fuzzers can follow what was created."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": parameters}


def created(description: str, **links: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route answering 201 with what it made, linked to what can be done next."""
    return {201: {"description": description, "links": links}}
