"""Names people read hold only visible characters: control, bidi and zero-width characters are
refused (422 naming the field and the character) by the API and the import alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from supportmatch_core.auth import TokenService
from tests.conftest import Databases, bearer
from tests.factories import enterprise_payload
from tests.integration.profiles_calls import imported, row
from tests.integration.system import InProcessSystem

HIDDEN = {
    "NUL": "\x00",
    "bell": "\x07",
    "line feed": "\n",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "line separator": "\u2028",
}
# Real names: middle dots, full-width brackets and spaces, Latin letters with accents.
ACCEPTED = [
    "北京同仁堂（集团）有限责任公司",
    "阿卜杜·热合曼商贸有限公司",
    "深圳市腾讯计算机系统有限公司　南山分公司",
    "Müller (China) Co., Ltd.",
    "中铁十一局集团有限公司【第三工程处】",
]


@pytest.fixture
def system(databases: Databases) -> Iterator[InProcessSystem]:
    with InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False) as running:
        yield running


def _message(answer: Any, field: str) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors: dict[str, str] = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert field in errors, errors
    return errors[field]


def test_hidden_characters_are_refused_in_every_name(
    system: InProcessSystem, tokens: TokenService
) -> None:
    admin = bearer(tokens)
    firm = enterprise_payload()
    assert system.profiles.post("/v1/enterprises", json=firm, headers=admin).status_code == 201
    base = f"/v1/enterprises/{firm['uscc']}"
    for label, char in HIDDEN.items():
        code = f"U+{ord(char):04X}"
        name = f"深圳市示例{char}电子有限公司"
        answer = system.profiles.post(
            "/v1/enterprises", json={**enterprise_payload(), "name": name}, headers=admin
        )
        assert code in _message(answer, "name"), label
        for field in ("name", "name_en", "city"):
            answer = system.profiles.patch(base, json={field: f"x{char}y"}, headers=admin)
            assert code in _message(answer, field), (label, field)
        products = system.profiles.patch(
            base, json={"main_products": [f"芯{char}片"]}, headers=admin
        )
        _message(products, "main_products.0")
        title = {"kind": "little_giant", "issuer": f"工信{char}部", "valid_from": "2024-01-01"}
        _message(
            system.profiles.post(f"{base}/certifications", json=title, headers=admin), "issuer"
        )
    assert system.count("profiles", "enterprises") == 1
    assert system.count("profiles", "certifications") == 0
    assert system.count("profiles", "outbox") == 1


def test_real_names_are_accepted(system: InProcessSystem, tokens: TokenService) -> None:
    for name in ACCEPTED:
        answer = system.profiles.post(
            "/v1/enterprises", json={**enterprise_payload(), "name": name}, headers=bearer(tokens)
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["name"] == name


def test_the_import_refuses_hidden_characters_by_row(
    system: InProcessSystem, tokens: TokenService
) -> None:
    # A NUL makes the whole CSV unreadable (binary data); the others, a line feed in a quoted
    # cell too, are refused with their row.
    hidden = [char for char in HIDDEN.values() if char != "\x00"]
    rows = [row(name=f"广东华信{char}科技有限公司") for char in hidden]
    rows += [row(name=name) for name in ACCEPTED]
    summary = imported(system, tokens, rows)
    assert (summary["created"], summary["rejected"]) == (len(ACCEPTED), len(hidden))
    assert {e["column"] for e in summary["errors"]} == {"name"}
    assert all("U+" in e["message"] for e in summary["errors"])
    assert system.count("profiles", "enterprises") == len(ACCEPTED)
