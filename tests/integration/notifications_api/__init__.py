"""The notifications API on real databases, by what a caller does: who may reach which inbox,
the inbox and preferences, webhooks and the delivery log."""
