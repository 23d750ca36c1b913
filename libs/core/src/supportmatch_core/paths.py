"""Locates the checkout's shared folders (migrations, contracts, var) from any working directory."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def project_root() -> Path:
    """The folder holding `contracts/` and `migrations/`: `SUPPORTMATCH_HOME`, else found upwards."""
    if home := os.environ.get("SUPPORTMATCH_HOME"):
        return Path(home).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "contracts" / "events").is_dir() and (folder / "migrations").is_dir():
                return folder
    raise RuntimeError(
        "cannot find the supportmatch checkout (contracts/ and migrations/); set SUPPORTMATCH_HOME"
    )


def var_dir() -> Path:
    """Where embedded data lives: SQLite files, the development signing key, mail, logs."""
    folder = Path(os.environ.get("SUPPORTMATCH_VAR_DIR") or project_root() / "var")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
