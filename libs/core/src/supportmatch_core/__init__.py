"""Shared backbone of the supportmatch services: imported by every service, never run by itself."""

import sys

# httpx loads its command-line client (with rich and pygments, 4 MB in each process) whenever
# those are installed, as the `supportmatch` command's typer installs them; no service uses it.
# None in sys.modules is how Python is told that a module cannot be imported.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
