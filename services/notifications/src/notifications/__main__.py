"""`python -m notifications`: migrate and serve the notifications API with its consumer and relay."""

from notifications.app import build_app
from notifications.settings import NotificationsSettings
from supportmatch_core.serve import serve

settings = NotificationsSettings()
serve(settings, build_app(settings))
