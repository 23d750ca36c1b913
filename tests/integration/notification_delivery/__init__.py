"""Deliveries with a settable clock: email over a real SMTP server, webhooks to a real HTTP
receiver."""
