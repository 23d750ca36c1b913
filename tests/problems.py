"""What every problem answer holds (RFC 9457 as the services write it), checked in one place."""

from __future__ import annotations

from typing import Any

import httpx


def problem(answer: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The body of `answer`, a problem of `status` with a title and a detail, naming `field` (or a
    field inside it) among its errors when given."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if field is not None:
        named = [e["field"] for e in body["errors"]]
        assert any(f == field or f.startswith(f"{field}.") for f in named), body
    return body
