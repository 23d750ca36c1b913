"""Where a setting comes from: its environment variable's name, and `<NAME>_FILE` for secrets in files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError

FILE_SUFFIX = "_FILE"


def env_name(settings_class: type[BaseSettings], field_name: str) -> str:
    """The environment variable that sets `field_name` (upper case), e.g. PROFILES_DATABASE_URL."""
    field = settings_class.model_fields[field_name]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        if isinstance(first, str):
            return first.upper()
    if isinstance(alias, str):
        return alias.upper()
    prefix = str(settings_class.model_config.get("env_prefix") or "")
    return f"{prefix}{field_name}".upper()


def is_secret(field: FieldInfo) -> bool:
    """A secret is never shown: a SecretStr, or a field kept out of the settings' repr."""
    return field.annotation is SecretStr or not field.repr


class FileValues(PydanticBaseSettingsSource):
    """Reads a setting from the file named by `<NAME>_FILE` (a mounted Kubernetes or Docker secret).

    Setting both `<NAME>` and `<NAME>_FILE` is refused: which one wins would be a guess."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # every value is read at once in __call__

    def __call__(self) -> dict[str, Any]:
        environ = {key.upper(): value for key, value in os.environ.items()}
        values: dict[str, Any] = {}
        for field_name, field in self.settings_cls.model_fields.items():
            name = env_name(self.settings_cls, field_name)
            path = environ.get(name + FILE_SUFFIX)
            if not path:
                continue
            if name in environ:
                raise SettingsError(f"set {name} or {name}{FILE_SUFFIX}, not both")
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                reason = getattr(error, "strerror", None) or type(error).__name__
                raise SettingsError(f"cannot read {name}{FILE_SUFFIX} ({path}): {reason}") from None
            key = name if field.validation_alias is not None else field_name
            values[key] = text.rstrip("\r\n")  # files written by editors and echo end in a newline
        return values
