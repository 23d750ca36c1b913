"""Settings of the profiles service (environment prefix PROFILES_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from profiles.adapters.workbooks import Limits
from supportmatch_core.settings import ServiceSettings

_DEFAULT = Limits()


class ProfilesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROFILES_", extra="ignore", populate_by_name=True)

    service_name: str = "profiles"
    port: int = 8001
    # What one import file may hold (see adapters/workbooks.py); the upload itself is capped by
    # max_upload_bytes.
    import_max_rows: int = Field(_DEFAULT.rows, ge=1)
    """Rows one import file may hold."""
    import_max_cell_chars: int = Field(_DEFAULT.cell_chars, ge=1)
    """Characters one cell of an import file may hold."""
    import_max_unpacked_bytes: int = Field(_DEFAULT.unpacked_bytes, ge=1)
    """Bytes an XLSX file may unpack to, all its parts together."""
    import_max_part_bytes: int = Field(_DEFAULT.whole_part_bytes, ge=1)
    """Bytes of one XLSX part that is read whole (shared strings, styles)."""

    def import_limits(self) -> Limits:
        return Limits(
            rows=self.import_max_rows,
            cell_chars=self.import_max_cell_chars,
            unpacked_bytes=self.import_max_unpacked_bytes,
            whole_part_bytes=self.import_max_part_bytes,
        )
