"""`python -m profiles`: migrate and serve the profiles API with its outbox relay."""

from supportmatch_core.serve import serve

from profiles.app import build_app
from profiles.settings import ProfilesSettings

settings = ProfilesSettings()
serve(settings, build_app(settings))
