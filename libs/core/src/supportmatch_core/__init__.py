"""Shared backbone of the supportmatch services: imported by every service, never run by itself."""
