"""The eligibility service's use cases: each takes a `Work` (one open transaction) or, for a
process of several transactions, the `UnitOfWork`; none holds SQL."""
