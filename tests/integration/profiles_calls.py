"""The profiles API's calls as the integration and security tests make them: a firm registered,
and files of firms built and imported."""

from __future__ import annotations

import csv
import io
from typing import Any

from supportmatch_core.auth import TokenService
from tests.conftest import bearer
from tests.factories import enterprise_payload, new_uscc
from tests.integration.system import InProcessSystem


def register(system: InProcessSystem, tokens: TokenService, **fields: Any) -> dict[str, Any]:
    """A firm registered by an administrator: `enterprise_payload` with `fields` laid over it."""
    placed = {k: fields.pop(k) for k in ("province", "industry", "ownership") if k in fields}
    body = {**enterprise_payload(**placed), **fields}
    answer = system.profiles.post("/v1/enterprises", json=body, headers=bearer(tokens))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def row(**values: Any) -> dict[str, Any]:
    """A valid import row of a manufacturer in Guangdong, with `values` laid over it."""
    base = {"uscc": new_uscc("44"), "name": "广东华信科技有限公司", "province": "广东"}
    base |= {"industry": "C3921", "ownership": "private", "city": "深圳市"}
    base |= {"fiscal_year": "2024", "employees": "120", "revenue": "50,000,000"}
    return base | values


def csv_bytes(rows: list[dict[str, Any]], *, bom: bool = True) -> bytes:
    columns = list(dict.fromkeys(name for r in rows for name in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def upload(
    system: InProcessSystem, content: bytes, headers: dict[str, str], name: str = "firms.csv"
) -> Any:
    return system.profiles.post("/v1/imports", files={"file": (name, content)}, headers=headers)


def imported(system: InProcessSystem, tokens: TokenService, rows: list[dict[str, Any]]) -> Any:
    answer = upload(system, csv_bytes(rows), bearer(tokens))
    assert answer.status_code == 201, answer.text
    return answer.json()
