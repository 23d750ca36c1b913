"""The notifications service's use cases: each takes a `Work` (one open transaction) or, for a
process of several transactions (a delivery round), the `UnitOfWork`; none holds SQL."""
