"""OpenID Connect sign-in values: state, nonce and the PKCE verifier with its S256 challenge."""

from __future__ import annotations

import base64
import hashlib
import secrets


def random_value() -> str:
    return secrets.token_urlsafe(32)


def code_verifier() -> str:
    """43 to 128 characters of the unreserved set (RFC 7636 §4.1); 64 here."""
    return secrets.token_urlsafe(48)


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
