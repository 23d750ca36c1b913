"""`python -m portal`: migrate and serve the portal."""

from portal.app import build_app
from portal.settings import PortalSettings
from supportmatch_core.serve import serve

settings = PortalSettings()
serve(settings, build_app(settings))
