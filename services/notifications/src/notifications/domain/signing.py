"""The webhook signature: HMAC-SHA256 over "<timestamp>.<body>", one `v1=` per valid secret.

Header: `Supportmatch-Signature: t=1700000000,v1=<hex>[,v1=<hex>]`. A receiver recomputes the
HMAC with its secret over the timestamp, a full stop and the raw body, accepts the request when
any `v1` matches (compared in constant time) and the timestamp is within its tolerance. During a
secret rotation both the new and the previous secret sign, so either verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

HEADER = "Supportmatch-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature header is missing, malformed, stale or matches no secret."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secrets_in_use: Iterable[str], timestamp: int) -> str:
    """The header value for `body` sent at `timestamp` (Unix seconds)."""
    parts = [f"t={timestamp}"] + [f"v1={_digest(s, timestamp, body)}" for s in secrets_in_use]
    return ",".join(parts)


def verify(
    header: str | None,
    body: bytes,
    *,
    secret: str,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check a received request as a receiver should; returns its timestamp."""
    if not header:
        raise SignatureError(f"no {HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("the signature header needs t= and at least one v1=")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp {timestamp} is outside the tolerance of {tolerance} s")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches")
    return timestamp


def secrets_in_use(
    secret: str, previous: str | None, previous_until: datetime | None, now: datetime
) -> list[str]:
    """The secrets that sign now: the current one, and the previous one until it expires."""
    keep = previous and previous_until and previous_until > now
    return [secret, previous] if keep and previous else [secret]
