"""Passwords as the tests hash them: argon2id at its cheapest. Its default (64 MiB, 3 passes,
4 lanes) costs over half a second a hash on two loaded cores, and the portal's tests hash and
check hundreds. The portals the tests build and start read the same parameters from the
environment (`tests/conftest.py` sets it); a hash keeps its parameters, so any portal checks it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.adapters.passwords import Passwords

TIME_COST, MEMORY_KIB, PARALLELISM = 1, 1024, 1
ENVIRONMENT = {
    "PORTAL_PASSWORD_TIME_COST": str(TIME_COST),
    "PORTAL_PASSWORD_MEMORY_KIB": str(MEMORY_KIB),
    "PORTAL_PASSWORD_PARALLELISM": str(PARALLELISM),
}


def cheap_passwords() -> Passwords:
    # Imported here: tests/conftest.py reads ENVIRONMENT, and the benchmarks that import it run
    # from bench/, where `portal` names bench/portal.py.
    from portal.adapters.passwords import Passwords

    return Passwords(time_cost=TIME_COST, memory_kib=MEMORY_KIB, parallelism=PARALLELISM)
