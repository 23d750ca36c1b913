"""Request bodies are capped on every route, as the bytes arrive (declared or chunked): 413 with a
problem naming the limit, before the body is parsed, and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.system import InProcessSystem

PUBLIC, DEFAULT, UPLOAD = 64 << 10, 1 << 20, 300_000  # the upload limit is lowered for the test


@pytest.fixture
def system(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessSystem]:
    monkeypatch.setenv("PROFILES_MAX_UPLOAD_BYTES", str(UPLOAD))
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _chunks(body: bytes, size: int = 16 << 10) -> Iterator[bytes]:
    """The body as a stream: sent chunked, with no Content-Length to trust."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _padded(document: dict[str, Any], size: int) -> bytes:
    """`document` as JSON, padded with spaces (still valid JSON) to `size` bytes."""
    text = json.dumps(document).encode()
    return text + b" " * (size - len(text))


def _too_large(answer: Any, limit: int) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert (problem["status"], problem["limit_bytes"]) == (413, limit)
    assert f"{limit:,}" in problem["detail"]
    assert "字节" in problem["detail_zh"]


def test_public_routes_take_the_smallest_bodies(system: InProcessSystem) -> None:
    check = {"industry": "C3921", "province": "44", "ownership": "private"}
    json_type = {"content-type": "application/json"}
    for client, path, document in [
        (system.eligibility, "/v1/checks", check),
        (system.profiles, "/v1/size-classification", {"industry": "C3921"}),
    ]:
        over = _padded(document, PUBLIC + 1)
        _too_large(client.post(path, content=over, headers=json_type), PUBLIC)
        _too_large(client.post(path, content=_chunks(over), headers=json_type), PUBLIC)
        at_limit = client.post(path, content=_padded(document, PUBLIC), headers=json_type)
        assert at_limit.status_code == 200, at_limit.text
    assert system.count("eligibility", "determinations") == 0


def test_other_routes_take_a_megabyte(system: InProcessSystem, tokens: TokenService) -> None:
    headers = {**bearer(tokens), "content-type": "application/json"}
    firm = enterprise_payload()
    over = _padded(firm, DEFAULT + 1)
    _too_large(system.profiles.post("/v1/enterprises", content=over, headers=headers), DEFAULT)
    _too_large(
        system.profiles.post("/v1/enterprises", content=_chunks(over), headers=headers), DEFAULT
    )
    preferences = _padded({"language": "zh"}, DEFAULT + 1)
    path = f"/v1/enterprises/{firm['uscc']}/preferences"
    _too_large(
        system.notifications.patch(path, content=_chunks(preferences), headers=headers), DEFAULT
    )
    draft = _padded({"id": "x"}, DEFAULT + 1)
    _too_large(
        system.eligibility.put("/v1/measures/x/drafts/1", content=draft, headers=headers), DEFAULT
    )
    assert system.count("profiles", "enterprises") == 0
    assert system.count("profiles", "outbox") == 0
    assert system.count("notifications", "recipients") == 0
    assert system.count("eligibility", "measure_drafts") == 0
    answer = system.profiles.post(
        "/v1/enterprises", content=_padded(firm, DEFAULT), headers=headers
    )
    assert answer.status_code == 201, answer.text


def test_uploads_take_the_largest_bodies(system: InProcessSystem, tokens: TokenService) -> None:
    content = b"uscc,name,province,industry,ownership\n" + b"x,,,,\n" * (UPLOAD // 6)
    files = {"file": ("firms.csv", content)}
    _too_large(system.profiles.post("/v1/imports", files=files, headers=bearer(tokens)), UPLOAD)
    assert system.count("profiles", "imports") == 0
    # The limit is the path's: the same bytes sent to a JSON route are read (and found no JSON).
    headers = {**bearer(tokens), "content-type": "application/json"}
    assert (
        system.profiles.post("/v1/enterprises", content=content, headers=headers).status_code == 422
    )
