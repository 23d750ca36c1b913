"""Notifications: turns eligibility changes into inbox entries for enterprises and caseworkers."""
