"""`python -m notifications`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from notifications.settings import NotificationsSettings
from supportmatch_core.serve import main

main(NotificationsSettings, "notifications.app:build_app")
