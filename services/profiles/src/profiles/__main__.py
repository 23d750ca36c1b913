"""`python -m profiles`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from profiles.app import build_app
from profiles.settings import ProfilesSettings
from supportmatch_core.serve import main

main(ProfilesSettings, build_app)
