"""Eligibility: decides which measures each enterprise qualifies for, with reasons and clauses."""
