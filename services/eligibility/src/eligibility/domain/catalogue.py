"""The measure catalogue: every version of every measure, and which is in force on a day."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date

from eligibility.domain.measures import Measure
from supportmatch_core.errors import NotFoundError


class NoMeasure(NotFoundError):
    def __init__(self, measure_id: str) -> None:
        super().__init__(f"no measure {measure_id}", zh=f"没有措施{measure_id}")


class Catalogue:
    """Measure versions by id; at most one version of a measure is in force on any day.

    `revision` is the database's catalogue revision these versions were read at (-1: none
    read yet); `replace` swaps every version at once, so readers in other threads see the
    old catalogue or the new one, never a mix.
    """

    def __init__(self, measures: Sequence[Measure], revision: int = 0) -> None:
        self._by_id = _by_id(measures)
        self.revision = revision
        self._replacing = threading.Lock()

    def replace(self, measures: Sequence[Measure], revision: int) -> None:
        """Swap in the versions read at `revision`, unless a later revision is already held."""
        by_id = _by_id(measures)
        with self._replacing:
            if revision >= self.revision:
                self._by_id, self.revision = by_id, revision

    def __iter__(self) -> Iterator[Measure]:
        return (m for versions in self._by_id.values() for m in versions)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_id.values())

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def versions(self, measure_id: str) -> list[Measure]:
        return list(self._by_id.get(measure_id, []))

    def in_force(self, on: date) -> list[Measure]:
        """The version of each measure in force on `on`."""
        return [m for m in self if m.in_force_on(on)]

    def current(self, measure_id: str, on: date) -> Measure | None:
        """The version in force on `on`, else the latest that has ended, else None."""
        versions = self._by_id.get(measure_id, [])
        for measure in versions:
            if measure.in_force_on(on):
                return measure
        ended = [m for m in versions if m.ended_by(on)]
        return ended[-1] if ended else None


def _by_id(measures: Sequence[Measure]) -> dict[str, list[Measure]]:
    by_id: dict[str, list[Measure]] = {}
    for measure in sorted(measures, key=lambda m: (m.id, m.version)):
        by_id.setdefault(measure.id, []).append(measure)
    return by_id
