"""Where the events of the notifications service come from."""

SOURCE = "urn:supportmatch:notifications"
