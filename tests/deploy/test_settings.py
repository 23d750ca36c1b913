"""The settings reference in docs/operations.md matches the settings classes, and the variables the
deployment files give each service are ones its settings read, accepted as production settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supportmatch_cli.reference import BEGIN, END, render, settings_classes
from supportmatch_core.setting_sources import env_name
from supportmatch_core.settings import ServiceSettings
from tests.deploy.files import DEPLOY, ROOT, load_yaml
from tests.passwords import ENVIRONMENT as PASSWORD_HASHING

COMPOSE = load_yaml(DEPLOY / "compose.yaml")


def test_the_reference_in_operations_md_is_the_one_the_settings_classes_give() -> None:
    document = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    written = document[document.index(BEGIN) : document.index(END) + len(END)]
    assert written == render(), "run `make settings-reference` and commit docs/operations.md"


def test_every_setting_of_every_service_is_in_the_reference() -> None:
    reference = render()
    for cls in settings_classes():
        for name, field in cls.model_fields.items():
            per_service = name in ServiceSettings.model_fields and field.validation_alias is None
            variable = f"<SERVICE>_{name.upper()}" if per_service else env_name(cls, name)
            assert f"| `{variable}` |" in reference, f"{cls.__name__}.{name}"


def _resolved(value: str) -> str:
    """A compose value with `${NAME:?message}` and `${NAME:-default}` filled as an operator would."""
    value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "https://id.example.cn/realms/supportmatch", value)
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.mark.parametrize("cls", settings_classes(), ids=lambda c: c.__name__)
def test_the_compose_environment_makes_valid_production_settings(
    cls: type[ServiceSettings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = cls.model_fields["service_name"].default
    environment = COMPOSE["services"][service]["environment"]
    for name in PASSWORD_HASHING:  # the tests' cheap hashing is not the deployment's
        monkeypatch.delenv(name, raising=False)
    for name in COMPOSE["services"][service]["secrets"]:
        (tmp_path / name).write_text(f"{name}-" + "x" * 40 + "\n")
    for name, value in environment.items():
        text = _resolved(str(value)).replace("/run/secrets/", f"{tmp_path}/")
        monkeypatch.setenv(name, text)
    settings = cls()
    assert settings.environment == "production"
    assert settings.database_url.startswith(f"postgresql://{service}:{service}_database_password-")
    assert settings.jwt_secret.startswith("jwt_secret-")
