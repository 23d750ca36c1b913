"""Migration 0012 copies each explained determination's missing facts into the column the work
queue filters on; rows without any, and those of other statuses, stay empty. Migration 0017
copies each firm's place (province, city, industry, size, ownership) into its determinations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect, text

from supportmatch_core.db import create_database_engine
from supportmatch_core.migrate import alembic_config, upgrade_to_head
from tests.conftest import Databases

_ROW = text(
    "INSERT INTO determinations (uscc, measure_id, measure_version, status, evaluated_on,"
    " facts_digest, explanation, updated_at)"
    " VALUES (:uscc, 'vat-credit-refund', 1, :status, :on, 'd', :explanation, :now)"
)


def _explanation(*facts: str) -> str:
    missing = ", ".join(f'{{"fact": "{f}", "label_zh": "x", "label_en": "x"}}' for f in facts)
    return f'{{"criteria": [], "missing_facts": [{missing}]}}'


def test_missing_facts_are_copied_from_the_explanations(databases: Databases) -> None:
    url = databases.url("eligibility")
    command.upgrade(alembic_config("eligibility", url), "0011")
    engine = create_database_engine(url)
    rows = {
        "91440300000000001A": ("possibly_eligible", _explanation("tax_credit_grade", "vat_sales")),
        "91440300000000002A": ("possibly_eligible", _explanation()),
        "91440300000000003A": ("eligible", _explanation("vat_sales")),
    }
    try:
        with engine.begin() as connection:
            for uscc, (status, explanation) in rows.items():
                connection.execute(
                    _ROW,
                    {
                        "uscc": uscc,
                        "status": status,
                        "on": date(2026, 12, 1),
                        "explanation": explanation,
                        "now": datetime.now(UTC),
                    },
                )
        command.upgrade(alembic_config("eligibility", url), "0012")
        with engine.connect() as connection:
            query = text("SELECT uscc, missing FROM determinations")
            found = {row[0]: row[1] for row in connection.execute(query)}
    finally:
        engine.dispose()
    assert found == {
        "91440300000000001A": ",tax_credit_grade,vat_sales,",
        "91440300000000002A": None,
        "91440300000000003A": None,
    }


_FIRM = text(
    "INSERT INTO enterprise_facts (uscc, profile_version, facts, updated_at, province_code, city,"
    " industry_code, size_class, ownership)"
    " VALUES (:uscc, 1, '{}', :now, :province, :city, :industry, :size, :ownership)"
)


def test_each_firms_place_is_copied_into_its_determinations(databases: Databases) -> None:
    """And a row explained with nothing missing says "," from then on: null is a row waiting
    for the Explainer (facts digest ""). Going down takes the columns and the "," away again."""
    url = databases.url("eligibility")
    config = alembic_config("eligibility", url)
    command.upgrade(config, "0016")
    engine = create_database_engine(url)
    place = {"province": "44", "city": "深圳市", "industry": "C3921", "size": "small"}
    now, day = datetime.now(UTC), date(2026, 12, 1)
    explained, waiting, lacking = "91440300000000001A", "91440300000000002A", "91440300000000003A"
    unknown = "91440300000000004A"
    try:
        with engine.begin() as connection:
            for uscc in (explained, waiting, lacking):
                firm = {"uscc": uscc, "now": now, "ownership": "private"}
                connection.execute(_FIRM, firm | place)
            for uscc in (explained, waiting, lacking, unknown):  # the last: not projected
                row = {"uscc": uscc, "status": "eligible", "on": day, "now": now}
                connection.execute(_ROW, row | {"explanation": _explanation()})
            connection.execute(
                text("UPDATE determinations SET facts_digest = '' WHERE uscc = :uscc"),
                {"uscc": waiting},
            )
            connection.execute(
                text("UPDATE determinations SET missing = ',vat_sales,' WHERE uscc = :uscc"),
                {"uscc": lacking},
            )
        upgrade_to_head("eligibility", url)
        with engine.connect() as connection:
            query = text(
                "SELECT uscc, province_code, city, industry_code, size_class, ownership, missing"
                " FROM determinations ORDER BY uscc"
            )
            found = [tuple(row) for row in connection.execute(query)]
        command.downgrade(config, "0016")
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("determinations")}
            query = text("SELECT uscc, missing FROM determinations ORDER BY uscc")
            down = [tuple(row) for row in connection.execute(query)]
        upgrade_to_head("eligibility", url)  # and up again
    finally:
        engine.dispose()
    in_place = ("44", "深圳市", "C3921", "small", "private")
    assert found == [
        (explained, *in_place, ","),
        (waiting, *in_place, None),
        (lacking, *in_place, ",vat_sales,"),
        (unknown, None, None, None, None, None, None),
    ]
    assert not columns & {"province_code", "city", "industry_code", "size_class", "ownership"}
    assert down == [(explained, None), (waiting, None), (lacking, ",vat_sales,"), (unknown, None)]
