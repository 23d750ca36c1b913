"""Migration 0006 of profiles: the stored size class of firms the 2017 scope sizes differently."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import insert, select

from profiles.adapters.tables import enterprise_years, enterprises
from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import alembic_config, upgrade_to_head
from tests.conftest import Databases
from tests.factories import new_uscc


def test_loading_finance_and_leasing_firms_are_sized_again(databases: Databases) -> None:
    url = databases.url("profiles")
    command.upgrade(alembic_config("profiles", url), "0005")
    engine = create_database_engine(url)
    now = datetime.now(UTC)
    # (industry, stored class, employees, revenue, class after): 150 staff and 5000万元 is small
    # as transport (G591), and finance and own-property leasing are not sized by the standard.
    firms = {
        new_uscc(): ("G5910", "medium", "small"),
        new_uscc(): ("J6621", "small", "unknown"),
        new_uscc(): ("K7040", "micro", "unknown"),
        new_uscc(): ("C3921", "small", "small"),
    }
    try:
        with engine.begin() as connection:
            for uscc, (industry, before, _) in firms.items():
                connection.execute(
                    insert(enterprises).values(
                        uscc=uscc, name="测试", province_code="44", province_checked=True,
                        industry_code=industry, ownership="private", size_class=before,
                        attributes={}, version=1, created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                connection.execute(
                    insert(enterprise_years).values(
                        uscc=uscc, fiscal_year=2025,
                        facts={"employees": 150, "revenue": 50_000_000},
                    )
                )  # fmt: skip
        upgrade_to_head("profiles", url)
        with engine.connect() as connection:
            rows = connection.execute(select(enterprises.c.uscc, enterprises.c.size_class)).all()
            classes = {row.uscc: row.size_class for row in rows}
    finally:
        engine.dispose()
    assert classes == {uscc: after for uscc, (_, _, after) in firms.items()}
