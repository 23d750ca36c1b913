"""The profiles service's use cases: each takes a `Work` (one open transaction) or, for a
process of several transactions (an import), the `UnitOfWork`; none holds SQL."""
