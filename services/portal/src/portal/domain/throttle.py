"""The sign-in rate limit: how many failed attempts a name or an address may make in a window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Throttle:
    limit: int
    window: timedelta

    def retry_after(self, failures: Sequence[datetime], now: datetime) -> timedelta | None:
        """How long to wait before the next attempt, or None when one may be made now."""
        recent = sorted(at for at in failures if at > now - self.window)
        if len(recent) < self.limit:
            return None
        # The oldest failure that still counts leaves the window first.
        return recent[-self.limit] + self.window - now


def address_key(address: str) -> str:
    return f"address:{address}"


def account_key(username: str) -> str:
    return f"account:{username.strip().lower()}"
