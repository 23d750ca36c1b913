"""Reads and writes inbox entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from notifications.adapters.tables import inbox
from notifications.domain.messages import InboxMessage

_INSERT = insert(inbox)  # built once: executed with parameters, its compiled form is reused


def add_entry(
    connection: Connection,
    *,
    uscc: str,
    province_code: str,
    event_id: str,
    measure_id: str,
    status: str,
    message: InboxMessage,
) -> None:
    connection.execute(
        _INSERT,
        {
            "uscc": uscc,
            "province_code": province_code,
            "event_id": event_id,
            "measure_id": measure_id,
            "status": status,
            "title_zh": message.title_zh,
            "title_en": message.title_en,
            "body_zh": message.body_zh,
            "body_en": message.body_en,
            "facts_to_provide": message.facts_to_provide,
            "created_at": datetime.now(UTC),
        },
    )


def entries(connection: Connection, uscc: str, *, limit: int, before: int | None) -> list[Row[Any]]:
    query = select(inbox).where(inbox.c.uscc == uscc)
    if before is not None:
        query = query.where(inbox.c.id < before)
    return list(connection.execute(query.order_by(inbox.c.id.desc()).limit(limit)))


def unread_count(connection: Connection, uscc: str) -> int:
    return connection.execute(
        select(func.count()).where(inbox.c.uscc == uscc, inbox.c.read_at.is_(None))
    ).scalar_one()


def province_of(connection: Connection, uscc: str) -> str | None:
    return connection.execute(
        select(inbox.c.province_code).where(inbox.c.uscc == uscc).limit(1)
    ).scalar_one_or_none()


def mark_read(connection: Connection, uscc: str, entry_id: int) -> bool:
    result = connection.execute(
        update(inbox)
        .where(inbox.c.uscc == uscc, inbox.c.id == entry_id, inbox.c.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return result.rowcount > 0
