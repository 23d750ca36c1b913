"""Enterprise profiles: owns enterprise records and publishes enterprise.profile.v1 on every change."""
