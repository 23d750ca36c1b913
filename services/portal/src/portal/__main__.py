"""`python -m portal`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from portal.settings import PortalSettings
from supportmatch_core.serve import main

main(PortalSettings, "portal.app:build_app")
