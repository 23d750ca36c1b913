"""What a serving process loads: the services' apps leave out the modules only some commands,
databases or services need, which would otherwise stay resident for the process's whole life."""

from __future__ import annotations

import subprocess
import sys

# Loaded only where they are used: the migration child, httpx's command-line client, the PDF
# report, spreadsheets, the PostgreSQL driver (a service on SQLite), and the event contracts'
# validator (by the services that consume events: eligibility and notifications).
NEVER = ("alembic", "rich", "pygments", "weasyprint", "openpyxl", "psycopg")
UNLESS_CONSUMING = ("jsonschema_rs",)

_SCRIPT = """
import sys
from supportmatch_core.serve import leave_out_unused_modules
leave_out_unused_modules()  # as `python -m <service>` does before it builds the app
def loaded(names):
    return [name for name in names if name in sys.modules]
import portal.app, profiles.app
print(loaded(NEVER + UNLESS_CONSUMING))
import eligibility.app, notifications.app
print(loaded(NEVER))
"""


def test_the_services_apps_load_only_what_they_serve_with() -> None:
    script = f"NEVER, UNLESS_CONSUMING = {NEVER!r}, {UNLESS_CONSUMING!r}\n{_SCRIPT}"
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert answer.stdout.splitlines() == ["[]", "[]"]
