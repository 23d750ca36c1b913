"""When a failed delivery is tried again: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta:
        """The wait after failed attempt number `attempt` (1-based): "equal jitter", so the wait
        grows with each attempt yet receivers failing together are not retried together."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        jitter = (rng or random).uniform(0.5, 1.0)
        return timedelta(seconds=ceiling * jitter)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
