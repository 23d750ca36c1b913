"""The `supportmatch` command: start the whole system, mint development tokens."""
