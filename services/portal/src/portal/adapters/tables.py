"""The portal's own tables: accounts, sessions, failed sign-ins and pending OpenID sign-ins."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, MetaData, String, Table, Text

from supportmatch_core.schema import Id, UtcDateTime

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=True),  # None: signs in through OpenID Connect only
    Column("role", String(20), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("uscc", String(18), nullable=True),
    Column("provinces", JSON, nullable=False),
    Column("language", String(2), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),  # set: refused at every sign-in
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_sign_in_failures_key_at", "key", "at"),
)

oidc_requests = Table(
    "oidc_requests",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
