"""`python -m eligibility`: migrate and serve (`--help`: migrate only, serve without migrating)."""

from eligibility.settings import EligibilitySettings
from supportmatch_core.serve import main

main(EligibilitySettings, "eligibility.app:build_app")
