"""Reads and writes enterprises in the profiles database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy.exc import IntegrityError

from profiles.adapters.tables import enterprises
from profiles.domain.model import Enterprise, Ownership
from supportmatch_core.problems import Conflict
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.regions import BY_CODE


def add(connection: Connection, enterprise: Enterprise) -> None:
    try:
        connection.execute(insert(enterprises).values(_row(enterprise)))
    except IntegrityError as error:
        raise Conflict(f"enterprise {enterprise.uscc} already exists") from error


def get(connection: Connection, uscc: str) -> Enterprise | None:
    row = connection.execute(select(enterprises).where(enterprises.c.uscc == uscc)).first()
    return None if row is None else _enterprise(row)


def _row(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "province_code": enterprise.province.code,
        "province_checked": enterprise.province_checked,
        "industry_code": enterprise.industry.code,
        "ownership": enterprise.ownership.value,
        "facts": enterprise.facts,
        "version": enterprise.version,
        "created_at": enterprise.created_at,
        "updated_at": enterprise.updated_at,
    }


def _enterprise(row: Row[Any]) -> Enterprise:
    return Enterprise(
        uscc=row.uscc,
        name=row.name,
        province=BY_CODE[row.province_code],
        industry=parse_industry(row.industry_code),
        ownership=Ownership(row.ownership),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        province_checked=row.province_checked,
        facts=dict(row.facts),
    )
