"""CSRF tokens: each form carries an HMAC of the browser's secret cookie (signed double submit)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_browser_secret() -> str:
    return secrets.token_urlsafe(32)


def form_token(key: bytes, browser_secret: str) -> str:
    return hmac.new(key, browser_secret.encode(), hashlib.sha256).hexdigest()


def token_matches(key: bytes, browser_secret: str | None, token: str | None) -> bool:
    if not browser_secret or not token:
        return False
    return hmac.compare_digest(form_token(key, browser_secret), token)
