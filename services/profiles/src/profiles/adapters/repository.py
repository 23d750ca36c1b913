"""Reads and writes enterprises, their yearly facts, certifications and versions. Longer than 300
lines: the row of an enterprise and back, and the bulk path (COPY) beside the single one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Connection,
    Row,
    String,
    Table,
    any_,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from profiles.adapters.tables import (
    backbone,
    certifications,
    enterprise_versions,
    enterprise_years,
    enterprises,
    imports,
)
from profiles.domain.model import (
    Certification,
    Enterprise,
    ForeignKind,
    LegalForm,
    Ownership,
    Profile,
    RiskPeriod,
    VatTaxpayerType,
)
from supportmatch_core import outbox
from supportmatch_core.errors import ConflictError
from supportmatch_core.jsontext import dumps_text
from supportmatch_reference.certifications import CertificationKind, Level
from supportmatch_reference.industries import parse_industry
from supportmatch_reference.regions import BY_CODE

# A profile's reads, built once and executed with parameters: a read of one enterprise is the
# busiest request, and building its statements cost more than running them (bench/load.py).
_ENTERPRISE = select(enterprises).where(enterprises.c.uscc == bindparam("key_uscc"))
_LOCKED = _ENTERPRISE.with_for_update()
_YEARS = select(enterprise_years).where(enterprise_years.c.uscc == bindparam("key_uscc"))
_CERTIFICATIONS = (
    select(certifications)
    .where(certifications.c.uscc == bindparam("key_uscc"))
    .order_by(certifications.c.id)
)


def row_of(enterprise: Enterprise, *, size_class: str) -> dict[str, Any]:
    e = enterprise
    return {
        "uscc": e.uscc,
        "name": e.name,
        "province_code": e.province.code,
        "province_checked": e.province_checked,
        "industry_code": e.industry.code,
        "ownership": e.ownership.value,
        "size_class": size_class,
        "attributes": {
            "name_en": e.name_en,
            "registration_date": e.registration_date.isoformat() if e.registration_date else None,
            "legal_form": e.legal_form.value if e.legal_form else None,
            "foreign_kind": e.foreign_kind.value if e.foreign_kind else None,
            "listed": e.listed,
            "city": e.city,
            "main_products": list(e.main_products),
            "contact_email": e.contact_email,
            "flags": dict(e.flags),
            "covid_risk_periods": [
                {"start": p.start.isoformat(), "end": p.end.isoformat()}
                for p in e.covid_risk_periods
            ],
            "vat_taxpayer_type": e.vat_taxpayer_type.value if e.vat_taxpayer_type else None,
            "vat_credit_balances": dict(e.vat_credit_balances),
            "vat_sales_by_industry": dict(e.vat_sales_by_industry),
        },
        "version": e.version,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def enterprise_of(row: Row[Any]) -> Enterprise:
    a: dict[str, Any] = dict(row.attributes)
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
        name_en=a.get("name_en"),
        registration_date=_date(a.get("registration_date")),
        legal_form=LegalForm(a["legal_form"]) if a.get("legal_form") else None,
        foreign_kind=ForeignKind(a["foreign_kind"]) if a.get("foreign_kind") else None,
        listed=a.get("listed"),
        city=a.get("city"),
        main_products=tuple(a.get("main_products") or ()),
        contact_email=a.get("contact_email"),
        flags=dict(a.get("flags") or {}),
        covid_risk_periods=tuple(
            RiskPeriod(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
            for p in a.get("covid_risk_periods") or ()
        ),
        vat_taxpayer_type=VatTaxpayerType(a["vat_taxpayer_type"])
        if a.get("vat_taxpayer_type")
        else None,
        vat_credit_balances=dict(a.get("vat_credit_balances") or {}),
        vat_sales_by_industry=dict(a.get("vat_sales_by_industry") or {}),
    )


def certification_of(row: Row[Any]) -> Certification:
    return Certification(
        id=row.id,
        kind=CertificationKind(row.kind),
        level=Level(row.level),
        issuer=row.issuer,
        certificate_no=row.certificate_no,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _among(
    column: ColumnElement[str], keys: Collection[str], postgres: bool
) -> ColumnElement[bool]:
    """`column IN keys`; on PostgreSQL one array parameter, which psycopg sends far faster."""
    if postgres:
        return column == any_(bindparam("keys", list(keys), type_=ARRAY(String)))
    return column.in_(list(keys))


class Enterprises:
    """Enterprises with their years, certifications and versions, and imports, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, enterprise: Enterprise, *, size_class: str) -> None:
        try:
            self._connection.execute(
                insert(enterprises).values(row_of(enterprise, size_class=size_class))
            )
        except IntegrityError as error:
            raise ConflictError(
                f"enterprise {enterprise.uscc} already exists", zh=f"企业{enterprise.uscc}已存在"
            ) from error

    def replace(self, enterprise: Enterprise, *, size_class: str) -> None:
        self._connection.execute(
            update(enterprises)
            .where(enterprises.c.uscc == enterprise.uscc)
            .values(row_of(enterprise, size_class=size_class))
        )

    def get(self, uscc: str, *, lock: bool = False) -> Profile | None:
        """The whole profile of `uscc`; `lock` holds the row until the transaction ends (PostgreSQL)."""
        key = {"key_uscc": uscc}  # SQLite leaves FOR UPDATE out: its writer holds the file
        row = self._connection.execute(_LOCKED if lock else _ENTERPRISE, key).first()
        if row is None:
            return None
        years = {r.fiscal_year: dict(r.facts) for r in self._connection.execute(_YEARS, key)}
        certs = tuple(certification_of(r) for r in self._connection.execute(_CERTIFICATIONS, key))
        return Profile(enterprise_of(row), years, certs)

    def put_year(self, uscc: str, year: int, facts: dict[str, Any]) -> None:
        key = (enterprise_years.c.uscc == uscc) & (enterprise_years.c.fiscal_year == year)
        if (
            self._connection.execute(
                update(enterprise_years).where(key).values(facts=facts)
            ).rowcount
            == 0
        ):
            self._connection.execute(
                insert(enterprise_years).values(uscc=uscc, fiscal_year=year, facts=facts)
            )

    def delete_year(self, uscc: str, year: int) -> bool:
        key = (enterprise_years.c.uscc == uscc) & (enterprise_years.c.fiscal_year == year)
        return self._connection.execute(delete(enterprise_years).where(key)).rowcount > 0

    def add_certification(self, uscc: str, values: dict[str, Any]) -> int:
        result = self._connection.execute(
            insert(certifications).values(uscc=uscc, **values).returning(certifications.c.id)
        )
        return int(result.scalar_one())

    def delete_certification(self, uscc: str, certification_id: int) -> bool:
        key = (certifications.c.uscc == uscc) & (certifications.c.id == certification_id)
        return self._connection.execute(delete(certifications).where(key)).rowcount > 0

    def add_version(
        self,
        *,
        uscc: str,
        version: int,
        changed_by: str,
        changed_at: Any,
        changes: dict[str, Any],
    ) -> None:
        try:
            self._connection.execute(
                insert(enterprise_versions).values(
                    uscc=uscc,
                    version=version,
                    changed_by=changed_by,
                    changed_at=changed_at,
                    changes=changes,
                )
            )
        except IntegrityError as error:
            raise ConflictError(
                f"enterprise {uscc} changed meanwhile; read it again and retry",
                zh=f"企业{uscc}已被他人修改，请重新读取后再试",
            ) from error

    def versions(self, uscc: str) -> list[Row[Any]]:
        return list(
            self._connection.execute(
                select(enterprise_versions)
                .where(enterprise_versions.c.uscc == uscc)
                .order_by(enterprise_versions.c.version.desc())
            )
        )

    def get_many(self, usccs: Collection[str], *, lock: bool = False) -> dict[str, Profile]:
        """The profiles of those of `usccs` that exist, in three queries; `lock` as in `get`."""
        postgres = self._connection.dialect.name == "postgresql"
        query = select(enterprises).where(_among(enterprises.c.uscc, usccs, postgres))
        if lock and postgres:
            query = query.with_for_update()
        found = {row.uscc: row for row in self._connection.execute(query).fetchall()}
        if not found:
            return {}
        years: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        y = enterprise_years.c
        query = select(enterprise_years).where(_among(y.uscc, found, postgres))
        for r in self._connection.execute(query).fetchall():
            years[r.uscc][r.fiscal_year] = dict(r.facts)
        certs: dict[str, list[Certification]] = defaultdict(list)
        c = certifications.c
        query = select(certifications).where(_among(c.uscc, found, postgres)).order_by(c.id)
        for r in self._connection.execute(query).fetchall():
            certs[r.uscc].append(certification_of(r))
        return {
            uscc: Profile(enterprise_of(row), years.get(uscc, {}), tuple(certs.get(uscc, ())))
            for uscc, row in found.items()
        }

    def write_many(
        self,
        *,
        added: list[tuple[Enterprise, str]],
        replaced: list[tuple[Enterprise, str]],
        years_added: list[dict[str, Any]],
        years_replaced: list[dict[str, Any]],
        versions: list[dict[str, Any]],
        events: list[dict[str, Any]],
    ) -> None:
        """Write many rows of each kind, one statement per kind (COPY or executemany)."""
        if added:
            self._insert_many(enterprises, [row_of(e, size_class=size) for e, size in added])
        if replaced:
            key = enterprises.c.uscc == bindparam("key_uscc")
            self._connection.execute(
                update(enterprises).where(key),
                [{"key_uscc": e.uscc, **row_of(e, size_class=size)} for e, size in replaced],
            )
        if years_added:
            self._insert_many(enterprise_years, years_added)
        if years_replaced:
            y = enterprise_years.c
            key = (y.uscc == bindparam("key_uscc")) & (y.fiscal_year == bindparam("key_year"))
            self._connection.execute(
                update(enterprise_years).where(key).values(facts=bindparam("facts")),
                [
                    {"key_uscc": r["uscc"], "key_year": r["fiscal_year"], "facts": r["facts"]}
                    for r in years_replaced
                ],
            )
        if versions:
            self._insert_many(enterprise_versions, versions)
        if events:
            self._insert_many(backbone.outbox, events)
            self._connection.info[outbox.WRITTEN] = True  # wakes this process's relay at commit

    def _insert_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert `rows` (dicts with the same keys); PostgreSQL takes them by COPY, far faster.
        A row whose key another transaction wrote meanwhile is a ConflictError on both databases."""
        if self._connection.dialect.name == "postgresql":
            self._copy(table, rows)
            return
        try:
            self._connection.execute(insert(table), rows)
        except IntegrityError as error:
            raise _written_meanwhile(table) from error

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        import psycopg  # the PostgreSQL driver: a service on SQLite never loads it (7 MB)

        names = list(rows[0])
        as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
        columns = ", ".join(f'"{name}"' for name in names)
        try:
            with (
                self._connection.connection.driver_connection.cursor() as cursor,  # type: ignore[union-attr]
                cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row([dumps_text(row[n]) if n in as_json else row[n] for n in names])
        except psycopg.IntegrityError as error:  # COPY's own: SQLAlchemy never wraps it
            raise _written_meanwhile(table) from error

    def add_import(self, values: dict[str, Any]) -> None:
        self._connection.execute(insert(imports).values(values))

    def finish_import(self, import_id: str, values: dict[str, Any]) -> None:
        self._connection.execute(update(imports).where(imports.c.id == import_id).values(values))

    def get_import(self, import_id: str) -> Row[Any] | None:
        return self._connection.execute(select(imports).where(imports.c.id == import_id)).first()


def _written_meanwhile(table: Table) -> ConflictError:
    return ConflictError(
        f"{table.name}: a row of this batch was written meanwhile; read it again",
        zh="本批数据中有企业刚被他人写入，请重新读取后再试",
    )
