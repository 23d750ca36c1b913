"""`python -m notifications`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from notifications.app import build_app
from notifications.settings import NotificationsSettings
from supportmatch_core.serve import main

main(NotificationsSettings, build_app)
