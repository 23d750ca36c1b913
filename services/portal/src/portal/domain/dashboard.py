"""The figures of one measure for the provinces a caseworker serves: firms that could get it,
and how far their cases went, with the money paid."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from casework.domain.cases import CaseState
from casework.domain.listing import Tally

WORKING = (CaseState.IDENTIFIED, CaseState.CONTACTED, CaseState.APPLYING)


@dataclass(frozen=True, slots=True)
class Figures:
    """One province's figures (or all of them together, `province_code` None)."""

    province_code: str | None
    eligible: int
    possibly_eligible: int
    counted_to: int  # the service stops counting above this: a larger count reads "10,000+"
    newly_eligible: int = 0  # firms that became eligible in the last seven days
    sent: int = 0  # emails and webhooks of the measure's notices, last seven days
    failed: int = 0
    cases: dict[CaseState, int] = field(default_factory=dict)
    disbursed_fen: int = 0

    @property
    def opened(self) -> int:
        return sum(self.cases.values())

    @property
    def working(self) -> int:
        return sum(self.cases.get(s, 0) for s in WORKING)

    @property
    def approved(self) -> int:
        """Approved, paid or not yet."""
        return self.cases.get(CaseState.APPROVED, 0) + self.cases.get(CaseState.DISBURSED, 0)

    @property
    def disbursed(self) -> int:
        return self.cases.get(CaseState.DISBURSED, 0)

    @property
    def rejected(self) -> int:
        return self.cases.get(CaseState.REJECTED, 0)


def with_cases(
    counts: dict[str | None, tuple[dict[str, int], int]],
    tallies: Iterable[Tally],
    newly: dict[str, int],
    delivered: dict[str, dict[str, int]],
) -> list[Figures]:
    """Each province's counts of firms (from eligibility) joined with its cases; the total
    (key None) last, its cases summed over the provinces listed."""
    cases: dict[str | None, dict[CaseState, int]] = {key: {} for key in counts}
    paid: dict[str | None, int] = dict.fromkeys(counts, 0)
    for tally in tallies:
        if tally.province_code not in counts:
            continue
        for key in (tally.province_code, None):
            cases[key][tally.state] = cases[key].get(tally.state, 0) + tally.cases
            paid[key] += tally.disbursed_fen
    return [
        Figures(
            province_code=key,
            eligible=found.get("eligible", 0),
            possibly_eligible=found.get("possibly_eligible", 0),
            counted_to=cap,
            newly_eligible=_of(key, counts, lambda p: newly.get(p, 0)),
            sent=_of(key, counts, lambda p: delivered.get(p, {}).get("sent", 0)),
            failed=_of(key, counts, lambda p: delivered.get(p, {}).get("failed", 0)),
            cases=cases[key],
            disbursed_fen=paid[key],
        )
        for key, (found, cap) in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]


def _of(key: str | None, counts: Mapping[str | None, object], figure: Callable[[str], int]) -> int:
    """A province's figure, or (key None) the sum over the provinces listed."""
    return figure(key) if key else sum(figure(p) for p in counts if p)
