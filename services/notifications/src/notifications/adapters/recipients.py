"""Reads and writes recipients: enterprises and caseworkers with their preferences and regions."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from notifications.adapters.tables import caseworker_regions, recipients
from notifications.domain.preferences import (
    Cadence,
    Channel,
    Language,
    Preferences,
    QuietHours,
)
from notifications.domain.recipients import Recipient, RecipientKind
from supportmatch_core.db import insert_new

DEFAULT_CHANNELS = [c.value for c in Channel]


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _recipient(row: Row[Any]) -> Recipient:
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours(time.fromisoformat(row.quiet_start), time.fromisoformat(row.quiet_end))
    return Recipient(
        id=row.id,
        kind=RecipientKind(row.kind),
        key=row.key,
        name=row.name,
        province_code=row.province_code,
        email=row.email,
        preferences=Preferences(
            channels=frozenset(Channel(c) for c in row.channels),
            language=Language(row.language),
            cadence=Cadence(row.cadence),
            quiet_hours=quiet,
            time_zone=row.time_zone,
            opted_out_kinds=frozenset(row.opted_out_kinds),
        ),
    )


# Statements run once per event are built once (SQLAlchemy then reuses their compiled form).
_BY_KEY = select(recipients).where(
    recipients.c.kind == bindparam("kind"), recipients.c.key == bindparam("key")
)
RECIPIENT_UNIQUE = ["key", "kind"]


def preferences_values(preferences: Preferences) -> dict[str, Any]:
    quiet = preferences.quiet_hours
    return {
        "channels": sorted(c.value for c in preferences.channels),
        "language": preferences.language.value,
        "cadence": preferences.cadence.value,
        "quiet_start": _hhmm(quiet.start) if quiet else None,
        "quiet_end": _hhmm(quiet.end) if quiet else None,
        "time_zone": preferences.time_zone,
        "opted_out_kinds": sorted(preferences.opted_out_kinds),
    }


class Recipients:
    """Recipients with their preferences and regions, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def recipient(self, kind: RecipientKind, key: str) -> Recipient | None:
        row = self._connection.execute(_BY_KEY, {"kind": kind.value, "key": key}).one_or_none()
        return _recipient(row) if row else None

    def recipient_by_id(self, recipient_id: int) -> Recipient:
        return _recipient(
            self._connection.execute(
                select(recipients).where(recipients.c.id == recipient_id)
            ).one()
        )

    def ensure_recipient(
        self,
        kind: RecipientKind,
        key: str,
        *,
        now: datetime,
        province_code: str | None = None,
        name: str = "",
    ) -> Recipient:
        """The recipient, created with default preferences on first sight."""
        found = self.recipient(kind, key)
        if found is not None:
            return found
        values = {
            "kind": kind.value,
            "key": key,
            "name": name,
            "province_code": province_code,
            "email": None,
            "channels": DEFAULT_CHANNELS,
            "opted_out_kinds": [],
            "updated_at": now,
        }
        # Another transaction (a consumer, or a second replica) may create the same recipient
        # meanwhile: whichever row stands is the recipient.
        insert_new(self._connection, recipients, values, unique=RECIPIENT_UNIQUE)
        created = self.recipient(kind, key)
        assert created is not None
        return created

    def update_recipient(self, recipient_id: int, **values: Any) -> None:
        self._connection.execute(
            update(recipients).where(recipients.c.id == recipient_id).values(**values)
        )

    def set_preferences(
        self, recipient_id: int, *, email: str | None, preferences: Preferences, now: datetime
    ) -> None:
        values = preferences_values(preferences)
        self.update_recipient(recipient_id, email=email, updated_at=now, **values)

    def caseworker_regions_of(self, recipient_id: int) -> frozenset[str]:
        rows = self._connection.execute(
            select(caseworker_regions.c.province_code).where(
                caseworker_regions.c.recipient_id == recipient_id
            )
        )
        return frozenset(row.province_code for row in rows)

    def set_caseworker_regions(self, recipient_id: int, regions: set[str]) -> None:
        self._connection.execute(
            delete(caseworker_regions).where(caseworker_regions.c.recipient_id == recipient_id)
        )
        if regions:
            self._connection.execute(
                insert(caseworker_regions),
                [{"recipient_id": recipient_id, "province_code": p} for p in sorted(regions)],
            )

    def enterprises(
        self, provinces: dict[str, str | None], *, now: datetime
    ) -> dict[str, Recipient]:
        """The recipients of the firms `provinces` maps (USCC to province), new ones created,
        each row locked (in key order) until the transaction ends: an address given meanwhile
        waits, then finds the emails written here owed to it (`Deliveries.release_awaiting`)."""
        found: dict[str, Recipient] = {}
        keys = list(provinces)
        for start in range(0, len(keys), 500):
            rows = self._connection.execute(
                select(recipients)
                .where(
                    recipients.c.kind == RecipientKind.ENTERPRISE.value,
                    recipients.c.key.in_(keys[start : start + 500]),
                )
                .order_by(recipients.c.key)
                .with_for_update()
            )
            found.update((row.key, _recipient(row)) for row in rows)
        missing = [
            {
                "kind": RecipientKind.ENTERPRISE.value,
                "key": uscc,
                "name": "",
                "province_code": province,
                "email": None,
                "channels": DEFAULT_CHANNELS,
                "opted_out_kinds": [],
                "updated_at": now,
            }
            for uscc, province in provinces.items()
            if uscc not in found
        ]
        if missing:
            insert_new(self._connection, recipients, missing, unique=RECIPIENT_UNIQUE)
            created = self._connection.execute(
                select(recipients).where(
                    recipients.c.kind == RecipientKind.ENTERPRISE.value,
                    recipients.c.key.in_([row["key"] for row in missing]),
                )
            )
            found.update((row.key, _recipient(row)) for row in created)
        return found

    def caseworkers_in(self, provinces: set[str]) -> dict[str, list[Recipient]]:
        """The caseworkers of each province in `provinces`."""
        by_province: dict[str, list[Recipient]] = {p: [] for p in provinces}
        if provinces:
            rows = self._connection.execute(
                select(recipients, caseworker_regions.c.province_code.label("region"))
                .join(caseworker_regions, caseworker_regions.c.recipient_id == recipients.c.id)
                .where(caseworker_regions.c.province_code.in_(sorted(provinces)))
            )
            for row in rows:
                by_province[row.region].append(_recipient(row))
        return by_province

    def all_caseworkers(self) -> list[Recipient]:
        rows = self._connection.execute(
            select(recipients).where(recipients.c.kind == RecipientKind.CASEWORKER.value)
        )
        return [_recipient(row) for row in rows]
