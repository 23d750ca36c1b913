"""`python -m profiles`: migrate and serve the profiles API with its outbox relay."""

from profiles.app import build_app
from profiles.settings import ProfilesSettings
from supportmatch_core.serve import serve

settings = ProfilesSettings()
serve(settings, build_app(settings))
