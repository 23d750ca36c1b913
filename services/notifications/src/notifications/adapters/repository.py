"""Reads and writes recipients, inbox entries, digest items, holdings and measure responses."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, update

from notifications.adapters.tables import (
    caseworker_regions,
    digest_items,
    holdings,
    inbox,
    recipients,
    responses,
)
from notifications.domain.messages import InboxMessage
from notifications.domain.preferences import (
    Cadence,
    Channel,
    Language,
    Preferences,
    QuietHours,
)
from notifications.domain.recipients import Recipient, RecipientKind
from supportmatch_core.db import upsert

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
_INSERT_RECIPIENTS = insert(recipients).returning(recipients.c.id, recipients.c.key)
_CASEWORKERS_OF = (
    select(recipients)
    .join(caseworker_regions, caseworker_regions.c.recipient_id == recipients.c.id)
    .where(caseworker_regions.c.province_code == bindparam("province"))
)


def recipient(connection: Connection, kind: RecipientKind, key: str) -> Recipient | None:
    row = connection.execute(_BY_KEY, {"kind": kind.value, "key": key}).one_or_none()
    return _recipient(row) if row else None


def recipient_by_id(connection: Connection, recipient_id: int) -> Recipient:
    return _recipient(
        connection.execute(select(recipients).where(recipients.c.id == recipient_id)).one()
    )


def ensure_recipient(
    connection: Connection,
    kind: RecipientKind,
    key: str,
    *,
    now: datetime,
    province_code: str | None = None,
    name: str = "",
) -> Recipient:
    """The recipient, created with default preferences on first sight."""
    found = recipient(connection, kind, key)
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
    new_id = connection.execute(_INSERT_RECIPIENTS, values).one().id
    return Recipient(
        id=new_id,
        kind=kind,
        key=key,
        name=name,
        province_code=province_code,
        email=None,
        preferences=Preferences(),
    )


def update_recipient(connection: Connection, recipient_id: int, **values: Any) -> None:
    connection.execute(update(recipients).where(recipients.c.id == recipient_id).values(**values))


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


def caseworker_regions_of(connection: Connection, recipient_id: int) -> frozenset[str]:
    rows = connection.execute(
        select(caseworker_regions.c.province_code).where(
            caseworker_regions.c.recipient_id == recipient_id
        )
    )
    return frozenset(row.province_code for row in rows)


def set_caseworker_regions(connection: Connection, recipient_id: int, regions: set[str]) -> None:
    connection.execute(
        delete(caseworker_regions).where(caseworker_regions.c.recipient_id == recipient_id)
    )
    if regions:
        connection.execute(
            insert(caseworker_regions),
            [{"recipient_id": recipient_id, "province_code": p} for p in sorted(regions)],
        )


def caseworkers_of(connection: Connection, province_code: str) -> list[Recipient]:
    rows = connection.execute(_CASEWORKERS_OF, {"province": province_code})
    return [_recipient(row) for row in rows]


def enterprises(
    connection: Connection, provinces: dict[str, str | None], *, now: datetime
) -> dict[str, Recipient]:
    """The recipients of the firms `provinces` maps (USCC to province), new ones created."""
    found: dict[str, Recipient] = {}
    keys = list(provinces)
    for start in range(0, len(keys), 500):
        rows = connection.execute(
            select(recipients).where(
                recipients.c.kind == RecipientKind.ENTERPRISE.value,
                recipients.c.key.in_(keys[start : start + 500]),
            )
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
        for row in connection.execute(_INSERT_RECIPIENTS, missing):
            found[row.key] = Recipient(
                id=row.id,
                kind=RecipientKind.ENTERPRISE,
                key=row.key,
                name="",
                province_code=provinces[row.key],
                email=None,
                preferences=Preferences(),
            )
    return found


def caseworkers_in(connection: Connection, provinces: set[str]) -> dict[str, list[Recipient]]:
    """The caseworkers of each province in `provinces`."""
    by_province: dict[str, list[Recipient]] = {p: [] for p in provinces}
    if provinces:
        rows = connection.execute(
            select(recipients, caseworker_regions.c.province_code.label("region"))
            .join(caseworker_regions, caseworker_regions.c.recipient_id == recipients.c.id)
            .where(caseworker_regions.c.province_code.in_(sorted(provinces)))
        )
        for row in rows:
            by_province[row.region].append(_recipient(row))
    return by_province


def all_caseworkers(connection: Connection) -> list[Recipient]:
    rows = connection.execute(
        select(recipients).where(recipients.c.kind == RecipientKind.CASEWORKER.value)
    )
    return [_recipient(row) for row in rows]


# Inbox


INBOX_UNIQUE = ["recipient_id", "trigger"]
DIGEST_UNIQUE = ["recipient_id", "trigger"]


def inbox_row(
    *,
    recipient_id: int,
    trigger: str,
    message: InboxMessage,
    now: datetime,
    uscc: str | None = None,
    province_code: str | None = None,
    measure_id: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    return {
        "recipient_id": recipient_id,
        "trigger": trigger,
        "topic": message.topic.value,
        "uscc": uscc,
        "province_code": province_code,
        "measure_id": measure_id,
        "status": status,
        "title_zh": message.title_zh,
        "title_en": message.title_en,
        "body_zh": message.body_zh,
        "body_en": message.body_en,
        "facts_to_provide": message.facts_to_provide,
        "created_at": now,
    }


def entries(
    connection: Connection, recipient_id: int, *, limit: int, before: int | None, unread: bool
) -> list[Row[Any]]:
    query = select(inbox).where(inbox.c.recipient_id == recipient_id)
    if before is not None:
        query = query.where(inbox.c.id < before)
    if unread:
        query = query.where(inbox.c.read_at.is_(None))
    return list(connection.execute(query.order_by(inbox.c.id.desc()).limit(limit)))


def unread_count(connection: Connection, recipient_id: int) -> int:
    return connection.execute(
        select(func.count()).where(inbox.c.recipient_id == recipient_id, inbox.c.read_at.is_(None))
    ).scalar_one()


def mark_read(
    connection: Connection, recipient_id: int, entry_id: int | None, now: datetime
) -> int:
    """Mark one entry (or, with `entry_id` None, every entry) read; how many changed."""
    statement = update(inbox).where(inbox.c.recipient_id == recipient_id, inbox.c.read_at.is_(None))
    if entry_id is not None:
        statement = statement.where(inbox.c.id == entry_id)
    return connection.execute(statement.values(read_at=now)).rowcount


# Digest items


def digest_rows(
    *,
    recipient_ids: list[int],
    trigger: str,
    uscc: str | None,
    lines: tuple[str, str],
    now: datetime,
) -> list[dict[str, Any]]:
    """One line for the next digest of each recipient in `recipient_ids`."""
    line = {"trigger": trigger, "uscc": uscc, "line_zh": lines[0], "line_en": lines[1]}
    return [{**line, "recipient_id": rid, "created_at": now} for rid in recipient_ids]


def recipients_with_pending_digest(connection: Connection) -> list[int]:
    rows = connection.execute(
        select(digest_items.c.recipient_id).where(digest_items.c.digest.is_(None)).distinct()
    )
    return [row.recipient_id for row in rows]


def digest_sent(connection: Connection, recipient_id: int, digest: str) -> bool:
    """Whether the recipient's digest `digest` (one a day) has gone out."""
    return (
        connection.execute(
            select(digest_items.c.id)
            .where(digest_items.c.recipient_id == recipient_id, digest_items.c.digest == digest)
            .limit(1)
        ).first()
        is not None
    )


def take_digest_items(
    connection: Connection, recipient_id: int, digest: str, up_to: datetime
) -> list[Row[Any]]:
    """Claim the recipient's pending items created by `up_to` for the digest `digest`."""
    pending = (
        digest_items.c.recipient_id == recipient_id,
        digest_items.c.digest.is_(None),
        digest_items.c.created_at <= up_to,
    )
    rows = list(
        connection.execute(select(digest_items).where(*pending).order_by(digest_items.c.id))
    )
    if rows:
        connection.execute(
            update(digest_items)
            .where(digest_items.c.id.in_([r.id for r in rows]))
            .values(digest=digest)
        )
    return rows


# Holdings and responses


def hold_row(*, uscc: str, measure: dict[str, Any], status: str, now: datetime) -> dict[str, Any]:
    valid_to = measure.get("valid_to")
    return {
        "uscc": uscc,
        "measure_id": measure["id"],
        "version": measure["version"],
        "status": status,
        "measure": measure,
        "valid_to": date.fromisoformat(valid_to) if valid_to else None,
        "updated_at": now,
    }


def hold_all(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Record the latest status of each (firm, measure); a pair may appear once only."""
    if rows:
        upsert(connection, holdings, rows, keys=["uscc", "measure_id"])


def follow_measure(connection: Connection, *, measure: dict[str, Any], now: datetime) -> None:
    """A measure's new version or end date reaches the holdings of the same or older version."""
    valid_to = measure["valid_to"]
    connection.execute(
        update(holdings)
        .where(holdings.c.measure_id == measure["id"], holdings.c.version <= measure["version"])
        .values(
            version=measure["version"],
            measure=measure,
            valid_to=date.fromisoformat(valid_to) if valid_to else None,
            updated_at=now,
        )
    )


def ending_between(connection: Connection, first: date, last: date) -> list[Row[Any]]:
    """Eligible holdings of measures ending in [first, last] that the firm has not answered."""
    answered = select(responses.c.uscc).where(
        responses.c.uscc == holdings.c.uscc, responses.c.measure_id == holdings.c.measure_id
    )
    return list(
        connection.execute(
            select(holdings).where(
                holdings.c.status == "eligible",
                holdings.c.valid_to.between(first, last),
                ~answered.exists(),
            )
        )
    )


def holders_of(connection: Connection, measure_id: str, *, before_version: int) -> list[str]:
    """The firms that qualify, or may, for a version of the measure older than `before_version`."""
    rows = connection.execute(
        select(holdings.c.uscc).where(
            holdings.c.measure_id == measure_id,
            holdings.c.version < before_version,
            holdings.c.status.in_(["eligible", "possibly_eligible"]),
        )
    )
    return [row.uscc for row in rows]


def respond(
    connection: Connection, *, uscc: str, measure_id: str, response: str, by: str, now: datetime
) -> None:
    upsert(
        connection,
        responses,
        {"uscc": uscc, "measure_id": measure_id, "response": response, "at": now, "by": by},
        keys=["uscc", "measure_id"],
    )


def responses_of(connection: Connection, uscc: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(responses).where(responses.c.uscc == uscc).order_by(responses.c.measure_id)
        )
    )
