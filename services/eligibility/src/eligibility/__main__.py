"""`python -m eligibility`: migrate and serve the eligibility API with its consumer and relay."""

from eligibility.app import build_app
from eligibility.settings import EligibilitySettings
from supportmatch_core.serve import serve

settings = EligibilitySettings()
serve(settings, build_app(settings))
