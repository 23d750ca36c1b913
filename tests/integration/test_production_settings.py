"""Production settings: PostgreSQL and an OIDC issuer required, secrets from files and never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from notifications.settings import NotificationsSettings
from portal.settings import PortalSettings
from profiles.settings import ProfilesSettings

POSTGRES = "postgresql://profiles@db.internal:5432/profiles"
ISSUER = "https://id.example.cn/realms/supportmatch"


def test_production_refuses_sqlite_with_a_sentence_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="PROFILES_DATABASE_URL must name a PostgreSQL"):
        ProfilesSettings(environment="production", oidc_issuer=ISSUER)
    with pytest.raises(ValidationError, match="PROFILES_DATABASE_URL must name a PostgreSQL"):
        ProfilesSettings(
            environment="production", oidc_issuer=ISSUER, database_url="sqlite:////srv/p.db"
        )


def test_production_needs_an_https_identity_provider_and_no_development_key() -> None:
    with pytest.raises(ValidationError, match="SUPPORTMATCH_OIDC_ISSUER must be set"):
        ProfilesSettings(environment="production", database_url=POSTGRES)
    with pytest.raises(ValidationError, match="https"):
        ProfilesSettings(
            environment="production", database_url=POSTGRES, oidc_issuer="http://id.example.cn"
        )
    settings = ProfilesSettings(environment="production", database_url=POSTGRES, oidc_issuer=ISSUER)
    assert settings.jwt_secret == ""  # no key is made up: only the issuer's tokens are accepted


def test_short_platform_keys_and_symmetric_provider_algorithms_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ProfilesSettings(jwt_secret="too-short")
    with pytest.raises(ValidationError, match="RS256"):
        ProfilesSettings(oidc_algorithms="RS256,HS256")


def test_production_refuses_passwords_hashed_below_owasps_least_argon2id() -> None:
    production: dict[str, Any] = {
        "environment": "production",
        "database_url": POSTGRES,
        "oidc_issuer": ISSUER,
    }
    least: dict[str, Any] = {"password_memory_kib": 19456, "password_time_cost": 2}
    for weak in ({"password_memory_kib": 19455}, {"password_time_cost": 1}):
        with pytest.raises(ValidationError, match="PORTAL_PASSWORD_"):
            PortalSettings(**production, **(least | weak))
    settings = PortalSettings(**production, **least)
    assert settings.passwords().hash("口令").startswith("$argon2id$v=19$m=19456,t=2,")
    development = PortalSettings(password_memory_kib=1024, password_time_cost=1)
    assert development.passwords().hash("口令").startswith("$argon2id$v=19$m=1024,t=1,")


def test_secrets_are_read_from_the_files_their_file_variables_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "SUPPORTMATCH_JWT_SECRET": "platform-key-" + "k" * 40,
        "NOTIFICATIONS_SMTP_PASSWORD": "smtp-pa55word",
        "NOTIFICATIONS_DATABASE_PASSWORD": "db-pa55word",
    }
    for name, value in files.items():
        (tmp_path / name).write_text(value + "\n")  # as `echo` writes it
        monkeypatch.setenv(f"{name}_FILE", str(tmp_path / name))
    monkeypatch.setenv("NOTIFICATIONS_DATABASE_URL", "postgresql://notifications@db/notifications")
    settings = NotificationsSettings()
    assert settings.jwt_secret == files["SUPPORTMATCH_JWT_SECRET"]
    assert settings.smtp_password == "smtp-pa55word"
    assert settings.database_url == "postgresql://notifications:db-pa55word@db/notifications"
    shown = repr(settings) + str(settings)
    assert not any(value in shown for value in files.values())


def test_a_whole_database_url_may_come_from_a_file_and_a_missing_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "uri").write_text("postgresql://app:s3cret@profiles-db-rw:5432/profiles")
    monkeypatch.setenv("PROFILES_DATABASE_URL_FILE", str(tmp_path / "uri"))
    assert ProfilesSettings().database_url.endswith("@profiles-db-rw:5432/profiles")
    monkeypatch.setenv("PROFILES_DATABASE_URL_FILE", str(tmp_path / "absent"))
    with pytest.raises(SettingsError, match="cannot read PROFILES_DATABASE_URL_FILE"):
        ProfilesSettings()


def test_a_value_and_its_file_together_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "key").write_text("k" * 40)
    monkeypatch.setenv("SUPPORTMATCH_JWT_SECRET", "j" * 40)
    monkeypatch.setenv("SUPPORTMATCH_JWT_SECRET_FILE", str(tmp_path / "key"))
    with pytest.raises(SettingsError, match="not both"):
        ProfilesSettings()


def test_a_service_refused_in_production_says_why_in_one_line_without_its_secrets(
    tmp_path: Path,
) -> None:
    (tmp_path / "password").write_text("hunter2-database-password")
    env = {
        **os.environ,
        "SUPPORTMATCH_ENV": "production",
        "SUPPORTMATCH_OIDC_ISSUER": ISSUER,
        "PROFILES_DATABASE_URL": f"sqlite:///{tmp_path / 'profiles.sqlite3'}",
        "PROFILES_DATABASE_PASSWORD_FILE": str(tmp_path / "password"),
        "SUPPORTMATCH_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "profiles"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "profiles: cannot start: PROFILES_DATABASE_URL must name a PostgreSQL database in "
        "production (SQLite is for development and tests on one machine)"
    ]
    assert "hunter2" not in done.stdout + done.stderr
    assert not (tmp_path / "profiles.sqlite3").exists()
