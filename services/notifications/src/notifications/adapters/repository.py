"""Reads and writes inbox entries, digest items, holdings and measure responses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, select, update

from notifications.adapters.tables import digest_items, holdings, inbox, responses
from notifications.domain.messages import InboxMessage
from supportmatch_core.contracts.determination import MeasureReference
from supportmatch_core.contracts.values import to_json
from supportmatch_core.db import insert_new, upsert

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


# Holdings and responses


def hold_row(*, uscc: str, measure: MeasureReference, status: str, now: datetime) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "measure_id": measure.id,
        "version": measure.version,
        "status": status,
        "measure": to_json(measure),
        "valid_to": date.fromisoformat(measure.valid_to) if measure.valid_to else None,
        "updated_at": now,
    }


def _entries(*, before: bool, unread: bool) -> Select[Any]:
    query = select(inbox).where(inbox.c.recipient_id == bindparam("recipient"))
    if before:
        query = query.where(inbox.c.id < bindparam("before"))
    if unread:
        query = query.where(inbox.c.read_at.is_(None))
    return query.order_by(inbox.c.id.desc()).limit(bindparam("limit"))


# The inbox's reads, built once and executed with parameters (a firm's pages read them often).
_ENTRIES = {
    (before, unread): _entries(before=before, unread=unread)
    for before in (False, True)
    for unread in (False, True)
}
_UNREAD = select(func.count()).where(
    inbox.c.recipient_id == bindparam("recipient"), inbox.c.read_at.is_(None)
)


class Notices:
    """Inbox entries, digest items, holdings and measure responses, within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_entries(self, rows: list[dict[str, Any]]) -> None:
        """Store inbox entries, each at most once per (recipient, trigger)."""
        if rows:
            insert_new(self._connection, inbox, rows, unique=INBOX_UNIQUE)

    def add_digest_lines(self, rows: list[dict[str, Any]]) -> None:
        """Store lines for the next digests, each at most once per (recipient, trigger)."""
        if rows:
            insert_new(self._connection, digest_items, rows, unique=DIGEST_UNIQUE)

    def entries(
        self, recipient_id: int, *, limit: int, before: int | None, unread: bool
    ) -> list[Row[Any]]:
        query = _ENTRIES[before is not None, unread]
        values = {"recipient": recipient_id, "before": before, "limit": limit}
        return list(self._connection.execute(query, values))

    def unread_count(self, recipient_id: int) -> int:
        return self._connection.execute(_UNREAD, {"recipient": recipient_id}).scalar_one()

    def mark_read(self, recipient_id: int, entry_id: int | None, now: datetime) -> int:
        """Mark one entry (or, with `entry_id` None, every entry) read; how many changed."""
        statement = update(inbox).where(
            inbox.c.recipient_id == recipient_id, inbox.c.read_at.is_(None)
        )
        if entry_id is not None:
            statement = statement.where(inbox.c.id == entry_id)
        return self._connection.execute(statement.values(read_at=now)).rowcount

    def recipients_with_pending_digest(self) -> list[int]:
        rows = self._connection.execute(
            select(digest_items.c.recipient_id).where(digest_items.c.digest.is_(None)).distinct()
        )
        return [row.recipient_id for row in rows]

    def digest_sent(self, recipient_id: int, digest: str) -> bool:
        """Whether the recipient's digest `digest` (one a day) has gone out."""
        return (
            self._connection.execute(
                select(digest_items.c.id)
                .where(digest_items.c.recipient_id == recipient_id, digest_items.c.digest == digest)
                .limit(1)
            ).first()
            is not None
        )

    def take_digest_items(self, recipient_id: int, digest: str, up_to: datetime) -> list[Row[Any]]:
        """Claim the recipient's pending items created by `up_to` for the digest `digest`."""
        pending = (
            digest_items.c.recipient_id == recipient_id,
            digest_items.c.digest.is_(None),
            digest_items.c.created_at <= up_to,
        )
        rows = list(
            self._connection.execute(
                select(digest_items).where(*pending).order_by(digest_items.c.id)
            )
        )
        if rows:
            self._connection.execute(
                update(digest_items)
                .where(digest_items.c.id.in_([r.id for r in rows]))
                .values(digest=digest)
            )
        return rows

    def hold_all(self, rows: list[dict[str, Any]]) -> None:
        """Record the latest status of each (firm, measure); a pair may appear once only."""
        if rows:
            upsert(self._connection, holdings, rows, keys=["uscc", "measure_id"])

    def follow_measure(self, *, measure: MeasureReference, now: datetime) -> None:
        """A measure's new version or end date reaches the holdings of the same or older version."""
        valid_to = measure.valid_to
        self._connection.execute(
            update(holdings)
            .where(holdings.c.measure_id == measure.id, holdings.c.version <= measure.version)
            .values(
                version=measure.version,
                measure=to_json(measure),
                valid_to=date.fromisoformat(valid_to) if valid_to else None,
                updated_at=now,
            )
        )

    def ending_between(self, first: date, last: date) -> list[Row[Any]]:
        """Eligible holdings of measures ending in [first, last] that the firm has not answered."""
        answered = select(responses.c.uscc).where(
            responses.c.uscc == holdings.c.uscc, responses.c.measure_id == holdings.c.measure_id
        )
        return list(
            self._connection.execute(
                select(holdings).where(
                    holdings.c.status == "eligible",
                    holdings.c.valid_to.between(first, last),
                    ~answered.exists(),
                )
            )
        )

    def holders_of(self, measure_id: str, *, before_version: int) -> list[str]:
        """The firms that qualify, or may, for a version of the measure older than `before_version`."""
        rows = self._connection.execute(
            select(holdings.c.uscc).where(
                holdings.c.measure_id == measure_id,
                holdings.c.version < before_version,
                holdings.c.status.in_(["eligible", "possibly_eligible"]),
            )
        )
        return [row.uscc for row in rows]

    def respond(self, *, uscc: str, measure_id: str, response: str, by: str, now: datetime) -> None:
        upsert(
            self._connection,
            responses,
            {"uscc": uscc, "measure_id": measure_id, "response": response, "at": now, "by": by},
            keys=["uscc", "measure_id"],
        )

    def responses_of(self, uscc: str) -> list[Row[Any]]:
        return list(
            self._connection.execute(
                select(responses).where(responses.c.uscc == uscc).order_by(responses.c.measure_id)
            )
        )
