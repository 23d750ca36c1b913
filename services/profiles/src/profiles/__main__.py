"""`python -m profiles`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from profiles.settings import ProfilesSettings
from supportmatch_core.serve import main

main(ProfilesSettings, "profiles.app:build_app")
