"""Sign-in sessions: their tokens, and when they end."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

# Writing last-seen on every page would turn each read into a write; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def new_token() -> str:
    """A session token for the cookie; only its digest is stored."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionRules:
    """A session ends `lifetime` after sign-in, or after `idle` without a request."""

    lifetime: timedelta
    idle: timedelta

    def expired(self, *, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now >= created_at + self.lifetime or now >= last_seen_at + self.idle

    def needs_touch(self, *, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= TOUCH_EVERY
