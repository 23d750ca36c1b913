"""Password hashing with argon2id. The defaults are argon2-cffi's (RFC 9106's second
recommendation: 64 MiB, 3 passes, 4 lanes); a deployment may set its own, within a floor."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST, MEMORY_KIB, PARALLELISM = 3, 65536, 4


class Passwords:
    def __init__(
        self,
        *,
        time_cost: int = TIME_COST,
        memory_kib: int = MEMORY_KIB,
        parallelism: int = PARALLELISM,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Checked when the name is unknown, so an unknown name costs as long as a wrong password.
        self._decoy = self._hasher.hash("decoy password of no account")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` is the one `stored` was hashed from, by the parameters written in
        `stored` (a hash made with other parameters stays valid)."""
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False
